#!/usr/bin/env bash
# Stored reports per second for each store: SQLite (the data directory) and PostgreSQL (a
# throwaway cluster from scripts/pg.sh, fsync and synchronous_commit on), one and two
# receivers, 8 KB and 1 MB bodies, 64 connections (wrk, bench/post.lua), BENCH_SECONDS each
# (10 by default). Two receivers split the connections between them (two wrk processes at
# once); afterwards the rows in the store are counted, and the run fails if there are fewer
# than 201s (there may be more: requests in flight when wrk stops are committed, not counted). Prints a Markdown table and writes bench/out/stores.txt.
#   bench/stores.sh              (after scripts/build.sh; needs wrk and PostgreSQL: scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
OUT=bench/out; mkdir -p "$OUT"
BIN=target/server/sealdrop
[[ -x $BIN ]] || { echo "stores.sh: build first (scripts/build.sh)" >&2; exit 1; }
WORK=$(mktemp -d /tmp/sealdrop-bench.XXXXXX)
# The cluster runs as nobody when this runs as root: its directory is apart from WORK (0700).
PG=$(mktemp -d /tmp/sealdrop-bench-pg.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  scripts/pg.sh stop "$PG" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
REC=$($BIN keygen -o "$WORK/key.txt" 2>/dev/null)
head -c 8000 /dev/urandom | age -r "$REC" > "$WORK/8k.age"
head -c 1000000 /dev/urandom | age -r "$REC" > "$WORK/1m.age"
PG_URL=$(scripts/pg.sh start "$PG")

# serve DATA_DIR PORT [--database URL]: a receiver with the open internet's per-client caps
# lifted (one client address opens all the connections here).
serve() {
  local data=$1 port=$2; shift 2
  $BIN serve --recipient "$REC" --data-dir "$data" --listen "127.0.0.1:$port" --rate-limit 0 \
    --max-uploads-per-client 1000 --max-connections-per-ip 1000 --max-storage 0 \
    --min-free-space 0 "$@" >"$WORK/$port.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return; sleep 0.05; done
  cat "$WORK/$port.log" >&2; exit 1
}
stop_all() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  PIDS=()
}
count() { # store-flags...: rows stored
  $BIN inbox list --json "$@" | grep -c '"receipt"' || true
}

: > "$OUT/stores.txt"
for store in sqlite postgres; do
  for n in 1 2; do
    for body in 8k 1m; do
      run="$store-$n-$body"
      if [[ $store == sqlite ]]; then
        # Two SQLite receivers share one data directory: one file, one writer at a time.
        flags=(); list=(--data-dir "$WORK/$run")
        serve "$WORK/$run" 18081
        [[ $n == 2 ]] && serve "$WORK/$run" 18082
      else
        db="b_${n}_${body}"
        createdb -h "$PG" -U sealdrop "$db"
        url="${PG_URL%/*}/$db"
        flags=(--database "$url"); list=(--database "$url")
        serve "$WORK/$run-a" 18081 "${flags[@]}"
        [[ $n == 2 ]] && serve "$WORK/$run-b" 18082 "${flags[@]}"
      fi
      conns=$(( 64 / n ))
      loads=()
      for i in $(seq "$n"); do
        wrk -t $(( 2 / n )) -c "$conns" -d "${SECONDS_PER_RUN}s" -s bench/post.lua "http://127.0.0.1:1808$i" -- "$WORK/$body.age" "$run-$i" \
          | sed -n 's/^RESULT //p' > "$WORK/$run-$i.json" &
        loads+=($!)
      done
      wait "${loads[@]}"
      stop_all
      stored=$(count "${list[@]}")
      python3 - "$run" "$stored" "$SECONDS_PER_RUN" "$WORK"/"$run"-*.json >> "$OUT/stores.txt" <<'PY'
import json, sys
run, stored, secs, files = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4:]
rs = [json.load(open(f)) for f in files]
created = sum(r["created"] for r in rs)
errors = sum(r["errors"] for r in rs)
p99 = max(r["p99_ms"] for r in rs)
if stored < created:
    sys.exit(f"{run}: {created} answers 201 but only {stored} rows stored")
print(json.dumps({"run": run, "created": created, "stored": stored, "errors": errors,
                  "per_s": round(created / secs, 1), "p99_ms": p99}))
PY
      rm -rf "$WORK/$run" "$WORK/$run-a" "$WORK/$run-b"
    done
  done
done
python3 - "$OUT/stores.txt" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("| store | receivers | body | stored reports/s | p99 | 201s | rows in the store |")
print("|---|---|---|---|---|---|---|")
for r in rows:
    store, n, body = r["run"].split("-")
    print(f"| {'SQLite' if store == 'sqlite' else 'PostgreSQL'} | {n} | {body.upper().replace('K', ' KB').replace('1M', '1 MB')} | {r['per_s']:,} | {r['p99_ms']:.1f} ms | {r['created']} | {r['stored']} |")
PY
