"""Daily feature materialisation: validate the view definitions, materialise each view for the data interval into
``features.<view>`` (a rerun replaces the interval's dates), and publish an Asset per view that the training DAG
is scheduled on."""
from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG, Asset

from fedlake_common import DEFAULT_ARGS, FedlakeSubmitOperator

# The views shipped in feature-store/definitions (fedlake features list); a deployment's own views are added here.
VIEWS = ("credit_applicant_history", "credit_branch_activity", "clinical_patient_labs", "plant_line_sensors", "plant_sensor_load")

with DAG(
    dag_id="fedlake_features",
    description="Materialise the feature views for the data interval",
    schedule="@daily",
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["fedlake", "features"],
) as dag:
    validate = FedlakeSubmitOperator(task_id="validate", fedlake_args=["features", "validate"])
    for view in VIEWS:
        validate >> FedlakeSubmitOperator(
            task_id=f"materialize_{view}",
            fedlake_args=["features", "materialize", "--view", view, "--from", "{{ data_interval_start | ds }}", "--to", "{{ ds }}"],
            outlets=[Asset(f"fedlake://features/{view}")],
        )
