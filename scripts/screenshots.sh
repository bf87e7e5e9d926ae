#!/usr/bin/env bash
# Regenerates docs/screenshots/ (each step at 1024 px and 375 px) from a fresh build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
scripts/build.sh
node e2e/screenshots.mjs
