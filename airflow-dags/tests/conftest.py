"""Test setup for the Fedlake DAGs against a real Airflow 3: a private AIRFLOW_HOME with a SQLite metadata DB in a
temp folder, no example DAGs, the DAG folder of this repo, the Fedlake connection and Variables from the environment.
Set before Airflow is imported (pytest imports this file first)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[1]
ROOT = DAGS.parent
HOME = Path(tempfile.mkdtemp(prefix="fedlake-airflow-"))
LAKE = HOME / "lake"

os.environ.update({
    "AIRFLOW_HOME": str(HOME),
    "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{HOME}/airflow.db",
    "AIRFLOW_CONN_FEDLAKE_SPARK": json.dumps({"conn_type": "spark", "host": "local[2]"}),
    "AIRFLOW_VAR_FEDLAKE_LAKE": str(LAKE),
    "AIRFLOW_VAR_FEDLAKE_PROFILE_DIR": str(ROOT / "gpu-config"),
    "AIRFLOW_VAR_FEDLAKE_PROFILE": "cpu-local",
    "SPARK_LOCAL_IP": "127.0.0.1",
})
if os.environ.get("FEDLAKE_APP_JAR"):
    os.environ["AIRFLOW_VAR_FEDLAKE_JAR"] = os.environ["FEDLAKE_APP_JAR"]
if os.environ.get("FEDLAKE_DELTA_JARS"):
    os.environ["AIRFLOW_VAR_FEDLAKE_JARS"] = os.environ["FEDLAKE_DELTA_JARS"]
if os.environ.get("SPARK_HOME"):
    # The Spark provider runs the spark-submit on PATH: the 3.5.5 distribution's, never the venv's pyspark-client.
    os.environ["PATH"] = os.environ["SPARK_HOME"] + "/bin" + os.pathsep + os.environ["PATH"]
sys.path.insert(0, str(DAGS))


def airflow_cli(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "airflow", *args], check=True, stdout=subprocess.DEVNULL)


@pytest.fixture(scope="session", autouse=True)
def metadata_db():
    airflow_cli("db", "migrate")
    airflow_cli("pools", "set", "fedlake_spark", "2", "spark-submits of Fedlake")
    yield HOME
    shutil.rmtree(HOME, ignore_errors=True)
