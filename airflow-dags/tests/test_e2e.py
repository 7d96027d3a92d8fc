"""End to end in a real Airflow: dag.test() of the training and scoring DAGs runs real spark-submits of Fedlake's
shaded jar (local[2]) against a small lake, and the tests read the Delta tables they wrote with delta-rs."""
from __future__ import annotations

import os
import subprocess
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from deltalake import DeltaTable

from conftest import LAKE, ROOT
from fedlake_common import MODEL_NAMES

REQUIRED = ("SPARK_HOME", "FEDLAKE_APP_JAR", "FEDLAKE_DELTA_JARS")


def spark_submit(*args: str) -> list[str]:
    """One Fedlake command through the same spark-submit the DAGs use (same profile, same connection master)."""
    cmd = [os.environ["SPARK_HOME"] + "/bin/spark-submit", "--master", "local[2]", "--properties-file", str(ROOT / "gpu-config/cpu-local.conf"),
           "--jars", os.environ["FEDLAKE_DELTA_JARS"], "--class", "io.fedlake.cli.Fedlake", os.environ["FEDLAKE_APP_JAR"], *args, "--lake", str(LAKE)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, f"{' '.join(args)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr[-4000:]}"
    return p.stdout.splitlines()


def rows(table: str) -> list[dict]:
    schema, name = table.split(".")
    return DeltaTable(str(LAKE / schema / name)).to_pyarrow_table().to_pylist()


def state(dag_run, task_id: str) -> str:
    return next(ti.state for ti in dag_run.get_task_instances() if ti.task_id == task_id)


@pytest.fixture(scope="module")
def day():
    """A small lake made by the main job in one Spark application: ``fedlake pipeline`` generates the three raw tables,
    trains, registers and promotes the three champions (credit-mlp:1, imaging-fusion:1, defect-fusion:1) and scores
    their holdouts for another date; then one feature view is materialised for the training DAG. Returns a logical date
    with rows in every domain."""
    missing = [v for v in REQUIRED if not os.environ.get(v)]
    assert not missing, f"set {missing}: airflow-dags/bin/test.sh does, from the Maven build and tests/bin/spark-dist.sh"
    out = spark_submit("pipeline", "--rows", "3000", "--image-rows", "360", "--rounds", "2", "--date", "2026-01-01")
    for domain, name in MODEL_NAMES.items():
        assert any(line.startswith(f"  {domain} ") and f" {name}:1 " in line for line in out), (domain, out)
        assert any(line.startswith("  promote   gate passed: ") and f"{name}@champion → {name}:1" in line for line in out), (domain, out)
    assert out[-1].startswith("pipeline finished: 3 domain(s) in "), out
    credit_dates = sorted({r["application_date"] for r in rows("raw.credit")})
    spark_submit("features", "materialize", "--view", "credit_branch_activity", "--from", str(credit_dates[0]), "--to", str(credit_dates[-1]))
    common = set(credit_dates) & {r["study_date"] for r in rows("raw.imaging")} & {r["inspection_date"] for r in rows("raw.defect")}
    assert common, "the generated domains share no date"
    return sorted(common)[len(common) // 2]


def logical(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=timezone.utc)


def test_training_dag_registers_credit_and_promotes_it_when_the_gate_passes(dagbag_dags, day):
    dag = dagbag_dags["fedlake_training"]
    run = dag.test(logical_date=logical(day), run_conf={"domains": ["credit"], "epochs": 1, "tolerance": 1.0})

    assert run.state == "success"
    assert state(run, "credit.promote") == "success"
    assert state(run, "imaging.selected") == "success" and state(run, "imaging.train") == "skipped", "imaging was not asked for"
    models = sorted((r for r in rows("registry.models") if r["name"] == "credit-mlp"), key=lambda m: m["version"])
    assert [m["version"] for m in models] == [1, 2], "the pipeline registered version 1, the DAG version 2"
    assert [m["training_table"] for m in models] == ["raw.credit", "features.train_credit"]
    aliases = {(r["name"], r["alias"]): r["version"] for r in rows("registry.aliases")}
    assert aliases[("credit-mlp", "champion")] == 2, "the gate passed: the alias moved to the DAG's version"
    assert aliases[("imaging-fusion", "champion")] == 1, "imaging was not trained"
    assert state(run, "credit.report") == "success"
    report = LAKE / "reports/models/credit-mlp/v2/report.html"
    assert report.is_file() and "<img" in report.read_text(), "the run's report of the candidate it registered"


def test_scoring_dag_scores_every_domain_once_per_date_and_publishes(dagbag_dags, day):
    dag = dagbag_dags["fedlake_scoring"]
    keys = {"credit": ("application_id", "application_date"), "imaging": ("image_id", "study_date"), "defect": ("inspection_id", "inspection_date")}
    for attempt in (1, 2):  # a rerun of the same date replaces, never appends
        run = dag.test(logical_date=logical(day))
        assert run.state == "success", attempt
        for domain, (key, date_column) in keys.items():
            expected = sorted(r[key] for r in rows(f"raw.{domain}") if r[date_column] == day)
            scored = [r for r in rows(f"scores.{domain}") if r["logical_date"] == day]
            quarantined = [r for r in rows(f"quarantine.{domain}") if r["logical_date"] == day and r["stage"] == "score"] \
                if (LAKE / "quarantine" / domain).exists() else []
            assert sorted([r[key] for r in scored] + [r["entity_id"] for r in quarantined]) == expected, (domain, attempt)
            assert len({r["job_run_id"] for r in scored + quarantined}) == 1, "one scoring run owns the date"
        marks = [r for r in rows("published.scores") if r["logical_date"] == day]
        assert sorted(m["domain"] for m in marks) == ["credit", "defect", "imaging"], attempt


def test_a_failing_reconciliation_fails_the_run_and_nothing_is_published(dagbag_dags, day):
    spark_submit("sql", f"INSERT INTO scores.credit SELECT * FROM scores.credit WHERE logical_date = DATE'{day}' LIMIT 1")
    before = [r for r in rows("published.scores") if r["logical_date"] == day]
    dag = dagbag_dags["fedlake_scoring"].partial_subset(task_ids=["reconcile"], include_downstream=True, include_upstream=False)

    run = dag.test(logical_date=logical(day))

    assert run.state == "failed"
    assert state(run, "reconcile") == "failed"
    assert state(run, "publish") == "upstream_failed"
    assert [r for r in rows("published.scores") if r["logical_date"] == day] == before


@pytest.fixture(scope="module")
def dagbag_dags():
    from airflow.dag_processing.dagbag import DagBag
    from conftest import DAGS
    bag = DagBag(dag_folder=str(DAGS), known_pools={"default_pool", "fedlake_spark"})
    assert bag.import_errors == {}
    for dag in bag.dags.values():
        for t in dag.tasks:
            t.retries = 0  # dag.test() would sit out the 5-minute retry delay of a failing task before reporting it
    return bag.dags
