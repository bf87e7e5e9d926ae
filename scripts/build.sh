#!/usr/bin/env bash
# Builds the widget (dist/) and the sealdrop binary, both in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
trunk build --release --offline >&2
node scripts/postbuild.mjs dist
cargo build -q --profile server -p sealdrop-server
