"""Daily scoring: credit, imaging and defect scored for the logical date in parallel with each domain's champion,
then reconciled from the tables, then published.

Idempotent per logical date: each score task replaces the date's partition of ``scores.<domain>`` (and its own
quarantine rows) in one Delta commit, so a retry, a rerun or a backfill leaves one copy. ``reconcile`` reads the
tables back (one scoring run owns the date, no duplicate key, input = scored + quarantined) and fails the run when
they disagree; only then does ``publish`` mark the date in ``published.scores``, the table downstream queries join
on. Runs of different dates may overlap (each commits its own partition; conflicting commits are retried).
"""
from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG, Asset, Param

from fedlake_common import CREDIT_VIEWS, DEFAULT_ARGS, DOMAINS, MODEL_NAMES, FedlakeSubmitOperator

with DAG(
    dag_id="fedlake_scoring",
    description="Score credit, imaging and defect for the logical date, reconcile, publish",
    schedule="@daily",
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=4,
    default_args=DEFAULT_ARGS,
    params={
        **{f"{d}_model": Param(f"{MODEL_NAMES[d]}@champion", type="string", description=f"Model for {d}: NAME, NAME:VERSION or NAME@ALIAS")
           for d in DOMAINS},
        # The training DAG trains credit on a point-in-time training set of these views: scoring attaches the same views.
        "credit_features": Param(CREDIT_VIEWS, type="string", description="Feature views attached to credit rows (comma-separated; empty = none)"),
    },
    tags=["fedlake", "scoring"],
) as dag:
    scores = [
        FedlakeSubmitOperator(
            task_id=f"score_{d}",
            fedlake_args=["score", "--domain", d, "--model", "{{ params.%s_model }}" % d, "--date", "{{ ds }}",
                          *(["{{ '--features=%s' % params.credit_features if params.credit_features else '' }}"] if d == "credit" else [])],
        )
        for d in DOMAINS
    ]
    reconcile = FedlakeSubmitOperator(
        task_id="reconcile",
        fedlake_args=["reconcile", "--domain", ",".join(DOMAINS), "--date", "{{ ds }}"],
        retries=0,  # a mismatch does not heal by retrying; it needs a rerun of the scoring tasks
    )
    publish = FedlakeSubmitOperator(
        task_id="publish",
        fedlake_args=["reconcile", "--publish", "--domain", ",".join(DOMAINS), "--date", "{{ ds }}"],
        outlets=[Asset(f"fedlake://scores/{d}") for d in DOMAINS],
    )
    scores >> reconcile >> publish
