#!/usr/bin/env bash
# Installs a real Spark 3.5.5 distribution (the pyspark 3.5.5 wheel from PyPI ships one, with bin/spark-submit)
# into a private virtualenv, once, and prints its SPARK_HOME. Idempotent; safe to call from tests.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VERSION="3.5.5"
VENV="${FEDLAKE_SPARK_VENV:-$HERE/.fedlake/spark-$VERSION}"
if [[ ! -x "$VENV/bin/python" ]]; then
  python3 -m venv "$VENV" >&2
fi
if ! "$VENV/bin/python" -c "import sys, pyspark; sys.exit(pyspark.__version__ != '$VERSION')" 2>/dev/null; then
  echo "spark-dist: installing pyspark==$VERSION into $VENV (about 320 MB)..." >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "pyspark==$VERSION" >&2
fi
SPARK_HOME="$("$VENV/bin/python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')"
[[ -x "$SPARK_HOME/bin/spark-submit" ]] || { echo "spark-dist: no bin/spark-submit under $SPARK_HOME" >&2; exit 1; }
echo "$SPARK_HOME"
