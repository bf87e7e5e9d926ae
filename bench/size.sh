#!/usr/bin/env bash
# Size of everything a researcher downloads (loader, form page, boot script, JS glue, wasm, CSS,
# and the sealing worker's bootstrap, whose worker instantiates the same wasm from the cache),
# brotli -q 11 and gzip -9, per file and in total. All of it but the worker's bootstrap comes
# before the form accepts input. The modules the form imports on demand are listed apart and not
# counted: the conversation view (thread-*, when a researcher follows up) and the CVSS scorer
# (scorer-*, once a vector is typed), the image metadata scrub (scrub-*, once an image is
# attached). Exits 1 when the brotli total passes the budget (225,000
# bytes: 200,000 until the conversation, see BENCHMARKS.md section 1). Usage: bench/size.sh [DIST]
set -euo pipefail
dist=${1:-dist}
budget=${SIZE_BUDGET_BYTES:-225000}
total_raw=0 total_br=0 total_gz=0
printf '%-44s %10s %10s %10s\n' file raw gzip brotli
for f in "$dist"/sealdrop.js "$dist"/index.html "$dist"/boot-*.js "$dist"/sealdrop-widget-*.js "$dist"/sealdrop-widget-*_bg.wasm "$dist"/form-*.css "$dist"/sealer-*.js "$dist"/snippet-*.js; do
  [[ -f "$f" ]] || { echo "size: missing $f; build first (scripts/build.sh)" >&2; exit 2; }
  raw=$(stat -c %s "$f"); gz=$(gzip -9 -c "$f" | wc -c); br=$(brotli -q 11 -c "$f" | wc -c)
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz)); total_br=$((total_br + br))
  printf '%-44s %10d %10d %10d\n' "$(basename "$f")" "$raw" "$gz" "$br"
done
printf '%-44s %10d %10d %10d\n' TOTAL "$total_raw" "$total_gz" "$total_br"
for f in "$dist"/thread-*.js "$dist"/thread-*_bg.wasm "$dist"/scorer-*.js "$dist"/scorer-*_bg.wasm "$dist"/scrub-*.js "$dist"/scrub-*_bg.wasm; do
  [[ -f "$f" ]] || { echo "size: missing an on-demand module ($f); build first (scripts/build.sh)" >&2; exit 2; }
  case "$f" in *thread-*) when="following up only" ;; *scorer-*) when="once a CVSS vector is typed" ;; *) when="once an image is attached" ;; esac
  printf '%-44s %10d %10d %10d  (on demand: %s)\n' "$(basename "$f")" "$(stat -c %s "$f")" \
    "$(gzip -9 -c "$f" | wc -c)" "$(brotli -q 11 -c "$f" | wc -c)" "$when"
done
if (( total_br > budget )); then
  echo "size: FAIL: $total_br bytes brotli is over the budget of $budget" >&2
  exit 1
fi
echo "size: ok: $total_br of $budget bytes brotli"
