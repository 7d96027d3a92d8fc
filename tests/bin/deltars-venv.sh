#!/usr/bin/env bash
# Installs delta-rs (the `deltalake` PyPI package, a non-JVM Delta reader) into a private virtualenv, once, and
# prints its python. Idempotent; safe to call from tests.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VERSION="1.6.6"
VENV="${FEDLAKE_DELTARS_VENV:-$HERE/.fedlake/deltalake-venv}"
if [[ ! -x "$VENV/bin/python" ]]; then
  python3 -m venv "$VENV" >&2
fi
if ! "$VENV/bin/python" -c "import sys, deltalake; sys.exit(deltalake.__version__ != '$VERSION')" 2>/dev/null; then
  echo "deltars-venv: installing deltalake==$VERSION into $VENV..." >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "deltalake==$VERSION" pyarrow >&2
fi
echo "$VENV/bin/python"
