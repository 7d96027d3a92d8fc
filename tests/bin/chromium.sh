#!/usr/bin/env bash
# Prints the path of a headless-capable Chromium, installing Debian's `chromium` package first when there is none
# (as root, or with password-less sudo). Idempotent; safe to call from tests. FEDLAKE_CHROMIUM overrides the lookup.
set -euo pipefail
if [[ -n "${FEDLAKE_CHROMIUM:-}" ]]; then
  echo "$FEDLAKE_CHROMIUM"; exit 0
fi
find_it() { command -v chromium || command -v chromium-browser || true; }
BIN="$(find_it)"
if [[ -z "$BIN" ]]; then
  if [[ "$(id -u)" == 0 ]]; then SUDO=(); elif sudo -n true 2>/dev/null; then SUDO=(sudo -n); else
    echo "chromium.sh: no chromium on PATH and no root to install it: apt-get install chromium, or set FEDLAKE_CHROMIUM" >&2; exit 1
  fi
  command -v apt-get >/dev/null || { echo "chromium.sh: no chromium and no apt-get: install Chromium, or set FEDLAKE_CHROMIUM" >&2; exit 1; }
  echo "chromium.sh: installing Debian's chromium package..." >&2
  export DEBIAN_FRONTEND=noninteractive
  # the package lists of a fresh machine may be missing or stale: update once if the first try cannot find it
  "${SUDO[@]}" apt-get install -y -q --no-install-recommends chromium >&2 \
    || { "${SUDO[@]}" apt-get update -q >&2 && "${SUDO[@]}" apt-get install -y -q --no-install-recommends chromium >&2; }
  BIN="$(find_it)"
  [[ -n "$BIN" ]] || { echo "chromium.sh: chromium installed but not on PATH" >&2; exit 1; }
fi
echo "$BIN"
