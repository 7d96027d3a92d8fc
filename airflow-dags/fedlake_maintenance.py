"""Weekly table maintenance: OPTIMIZE with Z-order on each score table's key, then VACUUM, and VACUUM of the raw
tables. Every VACUUM keeps at least 7 days and at least back to the oldest table version a registered model was
trained on (Fedlake raises the retention itself), so the time travel the registry's provenance points at keeps working.
"""
from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG, Param

from fedlake_common import DEFAULT_ARGS, DOMAINS, ENTITY_KEYS, FedlakeSubmitOperator

with DAG(
    dag_id="fedlake_maintenance",
    description="OPTIMIZE/Z-order and VACUUM the score and raw tables without breaking registered time travel",
    schedule="0 4 * * 0",
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params={"retain_hours": Param(168, type="integer", minimum=168, description="VACUUM retention in hours (at least 7 days)")},
    tags=["fedlake", "maintenance"],
) as dag:
    for d in DOMAINS:
        optimize_scores = FedlakeSubmitOperator(
            task_id=f"optimize_scores_{d}",
            fedlake_args=["maintain", "--table", f"scores.{d}", "--zorder", ENTITY_KEYS[d], "--vacuum",
                          "--retain-hours", "{{ params.retain_hours }}"],
        )
        vacuum_raw = FedlakeSubmitOperator(
            task_id=f"vacuum_raw_{d}",
            fedlake_args=["maintain", "--table", f"raw.{d}", "--vacuum", "--retain-hours", "{{ params.retain_hours }}"],
        )
        optimize_scores >> vacuum_raw
