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
# The conversation module (crates/thread): loaded by the form only when a researcher follows up
# on a report. Same toolchain as Trunk's: wasm-bindgen (web target) and npm's wasm-opt.
cargo build -q --release --target wasm32-unknown-unknown -p sealdrop-thread
bindgen=target/thread-bindgen
rm -rf "$bindgen"
wasm-bindgen --target web --no-typescript --out-dir "$bindgen" --out-name thread \
  target/wasm32-unknown-unknown/release/sealdrop_thread.wasm
wasm-opt -Oz --converge --low-memory-unused --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-reference-types --enable-multivalue --enable-mutable-globals \
  "$bindgen/thread_bg.wasm" -o dist/thread_bg.wasm
cp "$bindgen/thread.js" dist/thread.js
if [[ -d "$bindgen/snippets" ]]; then mkdir -p dist/snippets && cp -r "$bindgen/snippets/." dist/snippets/; fi
node scripts/postbuild.mjs dist
cargo build -q --profile server -p sealdrop-server
