#!/usr/bin/env bash
# DAISY Ace 1.4.6 accessibility check of an EPUB, with Debian's Chromium (no browser download).
#   scripts/ace.sh build/book.epub        exits 0 when Ace reports no violations
# Installs Ace into .cache/ace on first use (needs npm and chromium).
set -euo pipefail
epub="${1:?usage: scripts/ace.sh BOOK.epub}"
here="$(cd "$(dirname "$0")/.." && pwd)"
ace_dir="$here/.cache/ace"
chromium="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$chromium" ]; then
  echo "ace.sh: chromium is not installed (apt-get install -y chromium)" >&2
  exit 2
fi
if [ ! -x "$ace_dir/node_modules/.bin/ace-cli" ]; then
  mkdir -p "$ace_dir"
  (cd "$ace_dir" && npm init -y >/dev/null && PUPPETEER_SKIP_DOWNLOAD=true npm install --no-audit --no-fund --silent @daisy/ace-cli@1.4.6 >/dev/null)
fi
report="$(mktemp -d)"
trap 'rm -rf "$report"' EXIT
PUPPETEER_EXECUTABLE_PATH="$chromium" "$ace_dir/node_modules/.bin/ace-cli" -f -s -o "$report" "$epub" || true
python3 - "$report/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
bad = []
for a in r.get("assertions", []):
    for b in a.get("assertions", []):
        if b["earl:result"]["earl:outcome"] != "pass":
            bad.append((b["earl:test"].get("earl:impact"), b["earl:test"]["dct:title"], a["earl:testSubject"]["url"]))
print(f"ace: {r['earl:result']['earl:outcome']}, {len(bad)} violations")
for impact, title, url in bad:
    print(f"  {impact}: {title} ({url})")
sys.exit(0 if not bad else 1)
PY
