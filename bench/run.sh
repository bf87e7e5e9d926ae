#!/usr/bin/env bash
# All of sealdrop's benchmarks in one run, peers in the same run; writes BENCHMARKS.md.
#   bench/run.sh                 (BENCH_SECONDS=30 per receiver run by default)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
scripts/build.sh
OUT=bench/out
rm -rf "$OUT"; mkdir -p "$OUT"
SECONDS_PER_RUN=${BENCH_SECONDS:-30}

echo "== size" >&2
bench/size.sh dist > "$OUT/size.txt"
node bench/peers.mjs "$OUT"
for p in typage openpgp; do
  printf '%s %d %d %d\n' "$p" "$(stat -c %s "$OUT/$p.min.js")" "$(gzip -9 -c "$OUT/$p.min.js" | wc -c)" "$(brotli -q 11 -c "$OUT/$p.min.js" | wc -c)"
done > "$OUT/peers.txt"

echo "== in-browser sealing, memory, time to interactive" >&2
# The built form (dist/, from scripts/build.sh above) runs the sealing as a researcher's
# browser does: in its worker, from a File.
cp bench/page.html "$OUT/page.html"
node bench/browser.mjs "$OUT" dist > "$OUT/browser.json"

echo "== native Go age, 64 MiB" >&2
head -c $((64 * 1048576)) /dev/urandom > "$OUT/64m.bin"
R=$(age-keygen 2>/dev/null | sed -n 's/^# public key: //p')
for i in 1 2 3 4 5; do
  t0=$(date +%s%N); age -r "$R" -o /dev/null "$OUT/64m.bin"; t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 ))
done | sort -n | sed -n 3p > "$OUT/goage_ms.txt"
rm -f "$OUT/64m.bin"

echo "== receiver (wrk, ${SECONDS_PER_RUN}s per run)" >&2
DATA=$(mktemp -d); KEY="$DATA/key.txt"
REC=$(target/server/sealdrop keygen -o "$KEY")
# One client address opens up to 64 connections here, and the runs store about 10 GB: lift the
# per-client caps and the storage quota meant for the open internet.
target/server/sealdrop serve --recipient "$REC" --data-dir "$DATA/store" --listen 127.0.0.1:18080 --rate-limit 0 \
  --max-uploads-per-client 1000 --max-connections-per-ip 1000 --max-storage 0 >/dev/null 2>&1 &
SRV=$!
trap 'kill $SRV 2>/dev/null || true' EXIT
for i in $(seq 100); do curl -sf http://127.0.0.1:18080/healthz >/dev/null && break; sleep 0.1; done
head -c 8000 /dev/urandom | age -r "$REC" > "$OUT/8k.age"
head -c 1000000 /dev/urandom | age -r "$REC" > "$OUT/1m.age"
: > "$OUT/receiver.txt"
for body in 8k 1m; do
  for c in 1 8 64; do
    before=$(target/server/sealdrop inbox list --data-dir "$DATA/store" | grep -c '^sd-' || true)
    line=$(wrk -t "$(( c < 2 ? c : 2 ))" -c "$c" -d "${SECONDS_PER_RUN}s" -s bench/post.lua http://127.0.0.1:18080 -- "$OUT/$body.age" "$body-$c" | sed -n 's/^RESULT //p')
    after=$(target/server/sealdrop inbox list --data-dir "$DATA/store" | grep -c '^sd-' || true)
    echo "$body $c $line $((after - before))" >> "$OUT/receiver.txt"
  done
done
kill $SRV; wait $SRV 2>/dev/null || true
rm -rf "$DATA"

echo "== stores: SQLite and PostgreSQL, one and two receivers (${SECONDS_PER_RUN}s per run)" >&2
BENCH_SECONDS=$SECONDS_PER_RUN bench/stores.sh > "$OUT/stores.md"

echo "== receiver under abuse (${SECONDS_PER_RUN}s per run)" >&2
python3 bench/abuse.py target/server/sealdrop "$OUT" "$SECONDS_PER_RUN" > "$OUT/abuse.json"

node bench/report.mjs "$OUT" > BENCHMARKS.md
echo "wrote BENCHMARKS.md" >&2
