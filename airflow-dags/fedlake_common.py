"""Shared pieces of the Fedlake DAGs: one operator for every Spark step, and the deployment settings.

Every Spark step is a ``spark-submit`` of Fedlake's shaded application jar (``io.fedlake.cli.Fedlake``) through
``SparkSubmitOperator``. What a deployment changes lives outside the DAG files and is read when a task runs, never
when the file is parsed:

* Airflow Variables (defaults in brackets):
  ``fedlake_jar`` (``/opt/fedlake/fedlake-spark-jobs-app.jar``), the application jar;
  ``fedlake_jars`` (empty), extra jars for ``--jars``, e.g. Delta's two jars on a plain Spark distribution;
  ``fedlake_lake`` (``/data/fedlake/lakehouse``), the lake root URI (``hdfs://…``, ``s3a://…``);
  ``fedlake_profile_dir`` (``/opt/fedlake/gpu-config``) and ``fedlake_profile`` (``cpu-local``): the Spark profile
  ``<dir>/<profile>.conf`` passed as ``--properties-file``.
* The Airflow connection ``fedlake_spark`` (conn type ``spark``): master (``local[2]``, ``spark://host:7077``,
  ``yarn``, ``k8s://…``), deploy mode and ``spark-binary`` in its extra; ``spark-submit`` of Spark 3.5.5 must be first
  on the worker's PATH (the Spark provider no longer accepts a Spark home in the connection).
"""
from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

CONN_ID = "fedlake_spark"
POOL = "fedlake_spark"
MAIN_CLASS = "io.fedlake.cli.Fedlake"
DOMAINS = ("credit", "imaging", "defect")

# The registered model name of each domain's default architecture, and the key its score table is Z-ordered by.
MODEL_NAMES = {"credit": "credit-mlp", "imaging": "imaging-fusion", "defect": "defect-fusion"}
ENTITY_KEYS = {"credit": "application_id", "imaging": "image_id", "defect": "inspection_id"}
# The feature views credit is trained on (fedlake_training) and scored with (fedlake_scoring).
CREDIT_VIEWS = "credit_branch_activity"

JAR = "{{ var.value.get('fedlake_jar', '/opt/fedlake/fedlake-spark-jobs-app.jar') }}"
EXTRA_JARS = "{{ var.value.get('fedlake_jars', '') }}"
LAKE = "{{ var.value.get('fedlake_lake', '/data/fedlake/lakehouse') }}"
PROFILE = ("{{ var.value.get('fedlake_profile_dir', '/opt/fedlake/gpu-config') }}/"
           "{{ var.value.get('fedlake_profile', 'cpu-local') }}.conf")

DEFAULT_ARGS: dict[str, Any] = {
    "owner": "fedlake",
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
    "retry_exponential_backoff": True,
    "execution_timeout": timedelta(hours=2),
    "pool": POOL,
}

# A log line as Spark's or Fedlake's log4j layout writes it (yy/MM/dd HH:mm:ss or HH:mm:ss, then a level).
_LOG_LINE = re.compile(r"^(\d\d/\d\d/\d\d )?\d\d:\d\d:\d\d (TRACE|DEBUG|INFO|WARN|ERROR|FATAL) ")
_MODEL_LINE = re.compile(r"^model (\S+:\d+) → ")
_REPORT_LINE = re.compile(r"^report of .+: (\S+)$")


class FedlakeSubmitOperator(SparkSubmitOperator):
    """``spark-submit`` of one Fedlake CLI command; returns Fedlake's own summary lines as its XCom.

    The Spark provider merges the application's stdout and stderr into the task log. Fedlake writes its summary lines
    whole on stdout and its log with a timestamp on stderr, so the lines without a log prefix are Fedlake's. The
    return value is ``{"lines": [...], "model": "name:version" or None, "report": path or None}``: a later task
    templates the version a training task registered, or branches on a gate's decision; a report task's value holds
    the path of the report it wrote. An argument that renders to an empty string is
    dropped, so an optional flag is one ``--flag=value`` template that renders empty when unset.
    """

    def __init__(self, *, fedlake_args: list[str], **kwargs: Any) -> None:
        kwargs.setdefault("conn_id", CONN_ID)
        kwargs.setdefault("name", "fedlake-" + kwargs["task_id"])
        super().__init__(
            application=JAR,
            java_class=MAIN_CLASS,
            jars=EXTRA_JARS,
            properties_file=PROFILE,
            application_args=[*fedlake_args, "--lake", LAKE],
            env_vars={"SPARK_LOCAL_IP": "{{ var.value.get('fedlake_spark_local_ip', '127.0.0.1') }}"},
            **kwargs,
        )
        self._fedlake_output: list[str] = []

    def _get_hook(self):
        hook = super()._get_hook()
        captured = self._fedlake_output
        process = hook._process_spark_submit_log

        def tee(lines):
            for line in lines:
                captured.append(line.rstrip("\n"))
                yield line

        hook._process_spark_submit_log = lambda itr: process(tee(itr))
        return hook

    def execute(self, context):
        # An argument that rendered empty is an optional flag left out: optional flags are written as one
        # "--flag=value" template that renders to '' when its param is unset.
        self.application_args = [a for a in self.application_args if str(a) != ""]
        self._fedlake_output.clear()
        super().execute(context)
        return summary(self._fedlake_output)


def summary(output: list[str]) -> dict[str, Any]:
    """Fedlake's summary lines out of a spark-submit's merged output, the model reference a train step printed and the
    path a report step wrote."""
    lines = [line for line in output if line.strip() and not _LOG_LINE.match(line) and not line.startswith(("\tat ", "Caused by"))]
    models = [m.group(1) for m in map(_MODEL_LINE.match, lines) if m]
    reports = [m.group(1) for m in map(_REPORT_LINE.match, lines) if m]
    return {"lines": lines, "model": models[-1] if models else None, "report": reports[-1] if reports else None}
