#!/usr/bin/env bash
# Screenshot of one section of a fedlake report in headless Chromium, e.g. for docs:
#   tests/bin/report-screenshot.sh lakehouse/reports/models/credit-mlp/v1/report.html "Holdout:" docs/report-credit.png
# The page's title stays; everything between it and the first heading that starts with SECTION is left out of the shot.
set -euo pipefail
REPORT="$1"; SECTION="$2"; OUT="$3"
CHROMIUM="$(bash "$(dirname "$0")/chromium.sh")"
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
PROBE="<script>const h=[...document.querySelectorAll('h2')].find(e=>e.textContent.startsWith($(printf '%s' "$SECTION" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')));
let p=h?h.previousElementSibling:null;while(p&&p.tagName!=='H1'){const q=p.previousElementSibling;p.remove();p=q;}</script></body>"
python3 - "$REPORT" "$WORK/page.html" "$PROBE" <<'PY'
import sys
page = open(sys.argv[1], encoding="utf-8").read()
open(sys.argv[2], "w", encoding="utf-8").write(page.replace("</body>", sys.argv[3]))
PY
"$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$WORK/profile" --force-device-scale-factor=0.75 \
  --window-size=1180,1200 --virtual-time-budget=3000 --screenshot="$(realpath -m "$OUT")" "file://$WORK/page.html" >/dev/null 2>&1
echo "$OUT"
