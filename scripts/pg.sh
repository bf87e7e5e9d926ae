#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks, from Debian's `postgresql` package.
#
#   scripts/pg.sh start DIR   initdb in DIR, start the server on a Unix socket in DIR (no TCP
#                             port), create the database `sealdrop`, print its URL
#   scripts/pg.sh stop DIR    stop that server and remove DIR
#
# PostgreSQL refuses to run as root: run as root, the cluster belongs to `nobody`.
set -euo pipefail
cmd=${1:?usage: scripts/pg.sh start|stop DIR}
dir=${2:?usage: scripts/pg.sh start|stop DIR}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -x "$bin/initdb" ]] || { echo "pg.sh: PostgreSQL is not installed; run scripts/setup.sh" >&2; exit 1; }
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; else "$@"; fi
}
case "$cmd" in
  start)
    mkdir -p "$dir"
    if [[ $(id -u) -eq 0 ]] && ! setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$(dirname "$dir")"; then
      echo "pg.sh: nobody (who runs the cluster) cannot reach $dir; use a directory under /tmp" >&2; exit 1
    fi
    dir=$(cd "$dir" && pwd)
    [[ $(id -u) -eq 0 ]] && chown nobody:nogroup "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U sealdrop -A trust -E UTF8 --no-instructions >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    # fsync stays on: the durability tests and benchmarks measure real commits.
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-k $dir -c listen_addresses= -c max_connections=200 -c synchronous_commit=on" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    "$bin/createdb" -h "$dir" -U sealdrop sealdrop
    enc=$(printf '%s' "$dir" | sed 's|%|%25|g; s|/|%2F|g')
    echo "postgres://sealdrop@$enc/sealdrop"
    ;;
  stop)
    [[ -d "$dir/data" ]] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *) echo "usage: scripts/pg.sh start|stop DIR" >&2; exit 2 ;;
esac
