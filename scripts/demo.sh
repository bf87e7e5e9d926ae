#!/usr/bin/env bash
# The main job: installs what is missing, builds the widget and the sealdrop binary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
echo "Built the widget into $(pwd)/dist and the binary at $(pwd)/target/release/sealdrop"
