#!/usr/bin/env bash
# Installs the pinned Airflow 3 the DAG tests run against (airflow-dags/requirements.txt) into a private venv, once,
# and prints the venv's path. Idempotent: a venv whose pins are already installed is reused (cached by the pins' hash).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
REQ="$HERE/airflow-dags/requirements.txt"
VENV="${FEDLAKE_AIRFLOW_VENV:-$HERE/.fedlake/airflow-3.3.2}"
STAMP="$VENV/.installed-$(sha256sum "$REQ" | cut -c1-16)"
if [[ ! -f "$STAMP" ]]; then
  PY="$(command -v python3.11 || command -v python3)"
  "$PY" -c 'import sys; sys.exit(not ((3, 10) <= sys.version_info[:2] <= (3, 13)))' \
    || { echo "airflow-venv: Airflow 3.3 needs Python 3.10-3.13, found $("$PY" --version)" >&2; exit 1; }
  echo "airflow-venv: installing $(grep -c '==' "$REQ") pinned packages and their dependencies into $VENV (about 3 minutes)..." >&2
  start=$(date +%s)
  rm -rf "$VENV"
  "$PY" -m venv "$VENV" >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQ" >&2
  touch "$STAMP"
  echo "airflow-venv: installed in $(( $(date +%s) - start )) s" >&2
fi
echo "$VENV"
