"""Training: credit with parameter averaging on a point-in-time training set, imaging over hospitals and defect
over plants with federated averaging, each registered with its holdout metrics, then promoted to ``champion`` only
when the metric gate passes.

Per domain: ``train`` (train, evaluate on the holdout, register a new version: one Spark application whose XCom is
the registered ``name:version``) → ``report`` (the candidate's HTML validation report; its XCom holds the path) and
``gate`` (``models promote --check-only``: the decision, never a failure) →
``gate_passed`` (a short-circuit: a refused gate skips the promotion, the run stays green) → ``promote`` (moves the
alias, re-checking the gate, and publishes an Asset for the new champion). Scheduled on the feature Assets or
weekly, whichever comes first, and triggerable with params (domains, regime, strategy, privacy options).
"""
from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG, Asset, AssetOrTimeSchedule, CronTriggerTimetable, Param, TaskGroup, chain, task

from fedlake_common import CREDIT_VIEWS, DEFAULT_ARGS, DOMAINS, MODEL_NAMES, FedlakeSubmitOperator

CREDIT_TRAINING_SET = "features.train_credit"
FEATURE_ASSETS = [Asset(f"fedlake://features/{v}") for v in ("credit_branch_activity", "clinical_patient_labs", "plant_line_sensors")]

# Privacy and federated options go only to federated trainings: Fedlake refuses options that do not apply.
PRIVACY = ["{{ '--dp-noise=%s' % params.dp_noise if params.dp_noise is not none else '' }}",
           "{{ '--dp-epsilon=%s' % params.dp_epsilon if params.dp_noise is not none else '' }}",
           "{{ '--secure-aggregation' if params.secure_aggregation else '' }}",
           # each client's X25519 key store (Fedlake refuses --secure-aggregation without one)
           "{{ '--client-keys=%s' % (params.client_keys or var.value.get('fedlake_client_keys', '')) if params.secure_aggregation else '' }}"]
FEDERATED = ["--regime", "fedavg", "--rounds", "{{ params.rounds }}", "--strategy", "{{ params.strategy }}", *PRIVACY]


def gate_decision(summary: dict | None) -> bool:
    """True when the gate task printed 'gate passed: …'; 'gate refused: …' (or nothing) skips the promotion."""
    return bool(summary) and any(line.startswith("gate passed: ") for line in summary["lines"])


with DAG(
    dag_id="fedlake_training",
    description="Train, evaluate, register and gate-promote the champions of credit, imaging and defect",
    schedule=AssetOrTimeSchedule(timetable=CronTriggerTimetable("0 3 * * 1", timezone="UTC"), assets=FEATURE_ASSETS[0] | FEATURE_ASSETS[1] | FEATURE_ASSETS[2]),
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,  # registry versions and the champion alias move one run at a time
    default_args=DEFAULT_ARGS,
    params={
        "domains": Param(list(DOMAINS), type="array", items={"type": "string", "enum": list(DOMAINS)}, description="Domains to train"),
        "credit_regime": Param("paramavg", enum=["dl4j-paramavg", "paramavg", "fedavg"], description="Credit training regime"),
        "epochs": Param(3, type="integer", minimum=1, description="Credit epochs (parameter averaging)"),
        "rounds": Param(10, type="integer", minimum=1, description="Federated rounds (imaging, defect; credit with fedavg)"),
        "strategy": Param("fedavg", enum=["fedavg", "fedavgm", "fedadam", "fedprox", "median", "trimmed-mean"]),
        "dp_noise": Param(None, type=["null", "number"], description="DP-FedAvg noise multiplier; null = no differential privacy"),
        "dp_epsilon": Param(10.0, type="number", exclusiveMinimum=0, description="DP ε budget (with dp_noise)"),
        "secure_aggregation": Param(False, type="boolean", description="Pairwise-masked updates (needs client key stores)"),
        "client_keys": Param("", type="string", description="Client key store URI for secure aggregation; empty = Variable fedlake_client_keys"),
        "metric": Param("holdout_auc", type="string", description="Gate metric (higher is better)"),
        "tolerance": Param(0.005, type="number", minimum=0, description="How much worse than the champion a candidate may be"),
    },
    tags=["fedlake", "training"],
) as dag:
    for d in DOMAINS:
        with TaskGroup(group_id=d):

            @task.short_circuit(task_id="selected")
            def selected(domain: str, params=None) -> bool:
                return domain in params["domains"]

            steps = [selected(d)]
            if d == "credit":
                steps.append(FedlakeSubmitOperator(
                    task_id="training_set",
                    fedlake_args=["features", "training-set", "--entities", "raw.credit", "--timestamp", "application_ts",
                                  "--views", CREDIT_VIEWS, "--out", CREDIT_TRAINING_SET],
                ))
                fed = "params.credit_regime == 'fedavg'"
                train_args = ["train", "--domain", d, "--table", CREDIT_TRAINING_SET, "--label", "defaulted_12m", "--name", MODEL_NAMES[d],
                              "--regime", "{{ params.credit_regime }}",
                              "{{ '--epochs=%s' % params.epochs if not (" + fed + ") else '' }}",
                              "{{ '--rounds=%s' % params.rounds if " + fed + " else '' }}",
                              "{{ '--strategy=%s' % params.strategy if " + fed + " else '' }}",
                              *[a.replace(" else '' }}", " and " + fed + " else '' }}") for a in PRIVACY]]
            else:
                train_args = ["train", "--domain", d, "--name", MODEL_NAMES[d], *FEDERATED]
            train = FedlakeSubmitOperator(task_id="train", fedlake_args=train_args)
            candidate = "{{ ti.xcom_pull(task_ids='%s.train')['model'] }}" % d
            # The candidate's validation report (curves, calibration, per-client metrics, provenance) under
            # <lake>/reports/models/<name>/v<version>/: its path is in this task's log and return value.
            report = FedlakeSubmitOperator(task_id="report", fedlake_args=["report", "--model", candidate])
            gate = FedlakeSubmitOperator(
                task_id="gate",
                fedlake_args=["models", "promote", candidate, "--alias", "champion", "--metric", "{{ params.metric }}",
                              "--tolerance", "{{ params.tolerance }}", "--check-only"],
            )

            @task.short_circuit(task_id="gate_passed")
            def gate_passed(domain: str, ti=None) -> bool:
                return gate_decision(ti.xcom_pull(task_ids=f"{domain}.gate"))

            promote = FedlakeSubmitOperator(
                task_id="promote",
                fedlake_args=["models", "promote", candidate, "--alias", "champion", "--metric", "{{ params.metric }}",
                              "--tolerance", "{{ params.tolerance }}"],
                outlets=[Asset(f"fedlake://models/{MODEL_NAMES[d]}@champion")],
            )
            chain(*steps, train, gate, gate_passed(d), promote)
            train >> report  # beside the gate: a report that fails fails the run but never holds back a promotion
