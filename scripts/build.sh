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
node scripts/postbuild.mjs dist
cargo build -q --profile server -p sealdrop-server
