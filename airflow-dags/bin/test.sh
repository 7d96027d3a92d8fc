#!/usr/bin/env bash
# Runs the DAG tests (airflow-dags/tests) with pytest in the pinned Airflow venv. The end-to-end tests submit the
# shaded jar: SPARK_HOME (tests/bin/spark-dist.sh), FEDLAKE_APP_JAR and FEDLAKE_DELTA_JARS (comma-separated) must be
# set, as the Maven integration test AirflowDagsIT does. Extra arguments go to pytest (e.g. -k structure).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$(bash "$HERE/bin/airflow-venv.sh")"
cd "$HERE"
export PYTHONUNBUFFERED=1
exec "$VENV/bin/python" -m pytest -p no:cacheprovider -W ignore::DeprecationWarning -rA --durations=0 tests "$@"
