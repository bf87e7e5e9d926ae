#!/usr/bin/env bash
# Builds the widget (dist/) and the sealdrop binary, both in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
# A clean build prints no warnings: any is an error here, so none creeps in unnoticed.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
trunk build --release --offline 2>&1 | tee "$log" >&2
if grep -q " WARN " "$log"; then
  echo "build: Trunk warned (above); fix the cause rather than the log" >&2
  exit 1
fi
# The modules the form imports on demand: the conversation view (crates/thread, when a
# researcher follows up), the CVSS scorer (crates/scorer, when a vector is typed) and the image
# metadata scrub (crates/scrub, when an image is attached). Same
# toolchain as Trunk's: wasm-bindgen (web target) and npm's wasm-opt.
for module in thread scorer scrub; do
  cargo build -q --release --target wasm32-unknown-unknown -p "sealdrop-$module"
  bindgen="target/$module-bindgen"
  rm -rf "$bindgen"
  wasm-bindgen --target web --no-typescript --out-dir "$bindgen" --out-name "$module" \
    "target/wasm32-unknown-unknown/release/sealdrop_$module.wasm"
  wasm-opt -Oz --converge --low-memory-unused --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-reference-types --enable-multivalue --enable-mutable-globals \
    "$bindgen/${module}_bg.wasm" -o "dist/${module}_bg.wasm"
  cp "$bindgen/$module.js" "dist/$module.js"
  if [[ -d "$bindgen/snippets" ]]; then mkdir -p dist/snippets && cp -r "$bindgen/snippets/." dist/snippets/; fi
done
node scripts/postbuild.mjs dist
cargo build -q --profile server -p sealdrop-server
