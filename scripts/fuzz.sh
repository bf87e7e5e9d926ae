#!/usr/bin/env bash
# Runs each fuzz target for SECONDS (default 60) from the corpus kept in fuzz/corpus; new inputs
# go to a scratch folder, so the kept corpus changes only by `cargo fuzz cmin`. A crash stops
# the run with its input in fuzz/artifacts/ and libFuzzer's report.
#   scripts/fuzz.sh [SECONDS]
# cargo-fuzz wants a nightly compiler for its flags; this machine has only the pinned stable
# one, so RUSTC_BOOTSTRAP=1 lets it take them, without a sanitizer (-s none): the targets'
# own assertions and Rust's bounds checks are what catch a fault.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds=${1:-60}
for target in header_check bundle_extract; do
  scratch=$(mktemp -d)
  log=$(mktemp)
  if RUSTC_BOOTSTRAP=1 cargo fuzz run -s none "$target" "$scratch" "corpus/$target" -- \
      -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz $target: ${runs:-?} inputs in ${seconds} s, no failure"
  else
    tail -40 "$log"
    echo "fuzz $target FAILED: the input is in fuzz/artifacts/$target/" >&2
    exit 1
  fi
  rm -rf "$scratch" "$log"
done
