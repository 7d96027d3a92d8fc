"""The DAG files as Airflow loads them: imports, task graphs, retries, timeouts, pools, rendered arguments."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from airflow.dag_processing.dagbag import DagBag

from conftest import DAGS

import fedlake_training

EXPECTED = {"fedlake_features", "fedlake_training", "fedlake_scoring", "fedlake_maintenance"}


@pytest.fixture(scope="module")
def dagbag(monkeypatch_module):
    return DagBag(dag_folder=str(DAGS), known_pools={"default_pool", "fedlake_spark"})


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    # No DAG file may read a Variable while it is parsed: that is a metadata-DB query on every parse of the scheduler.
    import airflow.sdk

    def refuse(what, *args):
        raise AssertionError(f"{what} at parse time: {args}")

    mp.setattr(airflow.sdk.Variable, "get", lambda *a, **k: refuse("Variable read", *a))
    # Nor start a process or open a connection: a DAG file is parsed again and again by the scheduler's processors.
    import socket
    import subprocess

    mp.setattr(subprocess.Popen, "__init__", lambda self, *a, **k: refuse("process started", *a))
    mp.setattr(socket.socket, "connect", lambda self, *a, **k: refuse("connection opened", *a))
    yield mp
    mp.undo()


def test_every_dag_file_imports_with_no_error_and_no_work_at_parse_time(dagbag):
    """Heavy work at import time is refused above (Variables, processes, connections), not timed: a wall-clock bound
    tight enough to catch it would fail on a loaded machine. The bound that matters is the scheduler's own timeout."""
    from airflow.configuration import conf

    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == EXPECTED
    timeout = timedelta(seconds=conf.getfloat("core", "dagbag_import_timeout"))
    for stat in dagbag.dagbag_stats:
        assert stat.duration < timeout, f"{stat.file} took {stat.duration} to parse, over core.dagbag_import_timeout"


def render(task, dag, ds="2025-03-14", params=None, variables=None, xcom=None):
    """The task's spark-submit arguments as a run of logical date ds renders them (Variables from a dict)."""
    values = {"fedlake_lake": "/lake"} | (variables or {})

    class Vars:
        def get(self, key, default=None):
            return values.get(key, default)

    class Ti:
        def xcom_pull(self, task_ids=None, **kwargs):
            return (xcom or {}).get(task_ids)

    context = {"ds": ds, "params": {k: dag.params[k] for k in dag.params} | (params or {}), "var": {"value": Vars()}, "ti": Ti()}
    rendered = task.render_template(task.application_args, context, jinja_env=dag.get_template_env())
    return [a for a in rendered if str(a) != ""]


def test_scoring_scores_three_domains_in_parallel_then_reconciles_then_publishes(dagbag):
    dag = dagbag.get_dag("fedlake_scoring")
    assert {t.task_id for t in dag.tasks} == {"score_credit", "score_imaging", "score_defect", "reconcile", "publish"}
    assert dag.get_task("reconcile").upstream_task_ids == {"score_credit", "score_imaging", "score_defect"}
    assert dag.get_task("publish").upstream_task_ids == {"reconcile"}
    assert {a.uri for a in dag.get_task("publish").outlets} == {"fedlake://scores/credit", "fedlake://scores/imaging", "fedlake://scores/defect"}
    assert not dag.catchup and dag.max_active_runs == 4
    for t in dag.tasks:
        assert t.pool == "fedlake_spark"
        assert t.execution_timeout == timedelta(hours=2)
        assert t._conn_id == "fedlake_spark"
        assert t.retries == (0 if t.task_id == "reconcile" else 2), t.task_id
    assert render(dag.get_task("score_credit"), dag) == [
        "score", "--domain", "credit", "--model", "credit-mlp@champion", "--date", "2025-03-14", "--features=credit_branch_activity", "--lake", "/lake"]
    assert render(dag.get_task("score_credit"), dag, params={"credit_features": ""})[-3:] == ["2025-03-14", "--lake", "/lake"]
    assert render(dag.get_task("reconcile"), dag, variables={"fedlake_lake": "hdfs://nn:8020/lake"}) == [
        "reconcile", "--domain", "credit,imaging,defect", "--date", "2025-03-14", "--lake", "hdfs://nn:8020/lake"]
    assert render(dag.get_task("publish"), dag)[:2] == ["reconcile", "--publish"]


def test_every_spark_step_submits_the_jar_with_the_chosen_profile(dagbag):
    task = dagbag.get_dag("fedlake_scoring").get_task("score_defect")
    assert task._java_class == "io.fedlake.cli.Fedlake"
    ctx_vars = {"fedlake_jar": "/opt/x/app.jar", "fedlake_profile_dir": "/etc/fedlake", "fedlake_profile": "gpu-standalone"}

    class Vars:
        def get(self, key, default=None):
            return ctx_vars.get(key, default)

    context = {"var": {"value": Vars()}}
    assert task.render_template(task.application, context) == "/opt/x/app.jar"
    assert task.render_template(task.properties_file, context) == "/etc/fedlake/gpu-standalone.conf"
    assert task.render_template(task.properties_file, {"var": {"value": type("V", (), {"get": lambda self, k, d=None: d})()}}) \
        == "/opt/fedlake/gpu-config/cpu-local.conf"


def test_training_gates_before_it_promotes_and_passes_privacy_options_only_to_federated_runs(dagbag):
    dag = dagbag.get_dag("fedlake_training")
    assert dag.max_active_runs == 1
    for d in ("credit", "imaging", "defect"):
        order = [f"{d}.selected"] + ([f"{d}.training_set"] if d == "credit" else []) + [f"{d}.train", f"{d}.gate", f"{d}.gate_passed", f"{d}.promote"]
        for a, b in zip(order, order[1:]):
            assert dag.get_task(b).upstream_task_ids == {a}, (a, b)
        assert [o.uri for o in dag.get_task(f"{d}.promote").outlets] == [f"fedlake://models/{fedlake_training.MODEL_NAMES[d]}@champion"]
        assert dag.get_task(f"{d}.report").upstream_task_ids == {f"{d}.train"} and not dag.get_task(f"{d}.report").downstream_task_ids

    private = {"dp_noise": 1.1, "dp_epsilon": 4.0, "secure_aggregation": True, "client_keys": "hdfs://nn/keys"}
    imaging = render(dag.get_task("imaging.train"), dag, params=private)
    assert imaging == ["train", "--domain", "imaging", "--name", "imaging-fusion", "--regime", "fedavg", "--rounds", "10", "--strategy", "fedavg",
                       "--dp-noise=1.1", "--dp-epsilon=4.0", "--secure-aggregation", "--client-keys=hdfs://nn/keys", "--lake", "/lake"]
    credit = render(dag.get_task("credit.train"), dag, params=private)
    assert credit == ["train", "--domain", "credit", "--table", "features.train_credit", "--label", "defaulted_12m", "--name", "credit-mlp",
                      "--regime", "paramavg", "--epochs=3", "--lake", "/lake"], "parameter averaging takes no federated or DP option"
    federated_credit = render(dag.get_task("credit.train"), dag, params=private | {"credit_regime": "fedavg"})
    assert {"--rounds=10", "--dp-noise=1.1", "--secure-aggregation"} <= set(federated_credit) and "--epochs=3" not in federated_credit
    assert render(dag.get_task("imaging.train"), dag) == ["train", "--domain", "imaging", "--name", "imaging-fusion", "--regime", "fedavg",
                                                         "--rounds", "10", "--strategy", "fedavg", "--lake", "/lake"]

    gate = render(dag.get_task("credit.gate"), dag, xcom={"credit.train": {"model": "credit-mlp:7", "lines": []}})
    assert gate == ["models", "promote", "credit-mlp:7", "--alias", "champion", "--metric", "holdout_auc", "--tolerance", "0.005", "--check-only", "--lake", "/lake"]
    report = render(dag.get_task("credit.report"), dag, xcom={"credit.train": {"model": "credit-mlp:7", "lines": []}})
    assert report == ["report", "--model", "credit-mlp:7", "--lake", "/lake"]


def test_the_gate_decision_is_read_from_fedlakes_summary_line():
    assert fedlake_training.gate_decision({"lines": ["gate passed: credit-mlp@champion → credit-mlp:2 (first champion)"]})
    assert not fedlake_training.gate_decision({"lines": ["gate refused: credit-mlp:3 holdout_auc 0.7000 is worse than …"]})
    assert not fedlake_training.gate_decision(None)


def test_summary_keeps_fedlakes_lines_and_drops_the_log():
    from fedlake_common import summary
    out = summary(["26/12/01 21:29:51 WARN NativeCodeLoader: Unable to load native-hadoop library",
                   "training credit-mlp on raw.credit with paramavg (run r1)",
                   "21:30:02 INFO ScoringJob: scored 8 rows",
                   "model credit-mlp:4 → file:/lake/models/credit-mlp/artifacts/r1 (sha256 ab12)"])
    assert out == {"lines": ["training credit-mlp on raw.credit with paramavg (run r1)",
                             "model credit-mlp:4 → file:/lake/models/credit-mlp/artifacts/r1 (sha256 ab12)"], "model": "credit-mlp:4", "report": None}
    report = summary(["report: holdout scores", "26/12/01 21:29:51 INFO ModelReport: charts",
                      "report of credit-mlp:4 (9 charts, holdout AUC 0.812345 recomputed, 0.812345 registered): file:/lake/reports/models/credit-mlp/v4/report.html"])
    assert report["report"] == "file:/lake/reports/models/credit-mlp/v4/report.html" and report["model"] is None


def test_features_materialises_each_view_for_the_interval_and_publishes_its_asset(dagbag):
    dag = dagbag.get_dag("fedlake_features")
    views = [t for t in dag.tasks if t.task_id.startswith("materialize_")]
    assert len(views) == 5 and all(t.upstream_task_ids == {"validate"} for t in views)
    t = dag.get_task("materialize_credit_branch_activity")
    assert [a.uri for a in t.outlets] == ["fedlake://features/credit_branch_activity"]


def test_maintenance_zorders_score_tables_by_their_key_and_never_vacuums_below_seven_days(dagbag):
    dag = dagbag.get_dag("fedlake_maintenance")
    assert render(dag.get_task("optimize_scores_imaging"), dag) == [
        "maintain", "--table", "scores.imaging", "--zorder", "image_id", "--vacuum", "--retain-hours", "168", "--lake", "/lake"]
    assert dag.params.get_param("retain_hours").schema["minimum"] == 168
