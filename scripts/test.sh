#!/usr/bin/env bash
# Every test sealdrop has: set-up, formatting and lints (native and wasm32), native unit,
# property, interop and receiver tests, browser tests in headless Chromium, the release build
# with its size budget, and the end-to-end tests. Exits non-zero when anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }

# Everything a run writes outside target/ (the PostgreSQL cluster, Chromium's profiles, the
# e2e tests' data directories, test files) goes under one directory, removed at the end, so
# repeated runs do not fill the disk. CI builds from a clean clone: incremental caches would
# only take space.
run_tmp=$(mktemp -d /tmp/sealdrop-test.XXXXXX)
chmod 755 "$run_tmp"    # the PostgreSQL cluster runs as nobody (scripts/pg.sh)
pg_dir="$run_tmp/pg"
trap 'scripts/pg.sh stop "$pg_dir"; rm -rf "$run_tmp"' EXIT
export TMPDIR="$run_tmp" CARGO_INCREMENTAL=0
# Measured: a clean clone's run peaked at 5.8 GB more in use (2026-12-03: target/ 3.6 GB, the
# fuzz build 1.5 GB, the rest temporary); the warning leaves some room above that.
need_gb=8
free_gb=$(( $(df -Pk . | awk 'NR==2 {print $4}') / 1024 / 1024 ))
if (( free_gb < need_gb )); then
  echo "test.sh: only ${free_gb} GB free here; a run from a clean clone needs about ${need_gb} GB" \
    "(target/ and the fuzz build). Free some space (for example cargo clean in old clones)." >&2
fi

step "format"
cargo fmt --all -- --check
step "clippy (native)"
cargo clippy -q --workspace --all-targets -- -D warnings
step "clippy (wasm32)"
cargo clippy -q -p sealdrop-widget -p sealdrop-core -p sealdrop-sealer -p sealdrop-thread -p sealdrop-scorer -p sealdrop-scrub --all-targets --target wasm32-unknown-unknown -- -D warnings
step "PostgreSQL: a throwaway cluster (scripts/pg.sh) for the shared store's tests"
SEALDROP_TEST_DATABASE=$(scripts/pg.sh start "$pg_dir")
export SEALDROP_TEST_DATABASE
step "native tests (core, widget logic, receiver on SQLite and PostgreSQL, interop)"
cargo test -q --workspace
step "the receiver's API suite again, on PostgreSQL"
SEALDROP_TEST_STORE=postgres cargo test -q -p sealdrop-server --test api
step "fuzz targets, 20 s each (age header check, bundle extraction; corpus in fuzz/corpus)"
scripts/fuzz.sh 20
step "browser tests (headless Chromium)"
wasm-pack test --headless --chrome --mode no-install
wasm-pack test --headless --chrome --mode no-install crates/sealer
step "release build and size budgets (bytes brotli)"
scripts/build.sh
bench/size.sh dist
step "end-to-end tests (Playwright, Debian's Chromium)"
node --test --test-concurrency=1 e2e/*.test.mjs
step "all tests passed"
