#!/usr/bin/env bash
# Whole-process figures on the corpus, as a user sees them: wall time (hyperfine, median of
# 5 after a warm-up) and peak memory (GNU time), release build. Needs hyperfine.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin="${CARGO_TARGET_DIR:-$here/target}/release/bookbuild"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
export SOURCE_DATE_EPOCH=0
for book in war-and-peace sherlock-holmes; do
  dir="$here/../shared/corpus/$book"
  for cmd in check epub pdf build; do
    wall=$(hyperfine -N -w 1 -r 5 --export-json "$out/h.json" "$bin -q -C $dir $cmd -o $out" >/dev/null 2>&1 && python3 -c "import json; r=json.load(open('$out/h.json'))['results'][0]; print(f\"{r['median']:.3f} s\")")
    peak=$( { /usr/bin/time -f "%M" "$bin" -q -C "$dir" "$cmd" -o "$out" >/dev/null; } 2>&1 | tail -1)
    printf "%-16s %-6s wall %-9s peak %5d MB\n" "$book" "$cmd" "$wall" $((peak / 1024))
  done
done
# Typst on the same book, in the same sitting, when its Python package is installed
# (pip install typst==0.15.2). Before the copies: Typst's run on four copies takes 6 GB, and
# the machine is slower for a while after it gives them back.
if python3 -c "import typst" 2>/dev/null; then
  python3 "$here/scripts/typst-peer.py" "$here/../shared/corpus/war-and-peace" 5
else
  echo "typst: not installed (pip install typst==0.15.2) — no peer comparison"
fi
# Peak memory against the length of the book: one copy of War and Peace, then four (and
# Typst's on the same books, when it is installed).
python3 "$here/scripts/copies.py" 4 3
