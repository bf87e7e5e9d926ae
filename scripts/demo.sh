#!/usr/bin/env bash
# The main job: installs what is missing, builds the widget and the sealdrop binary, makes a
# demo identity once, and runs the receiver (widget origin) plus a demo vendor site on another
# origin. Ctrl-C stops everything. DEMO_ALLOW_ORIGINS (space-separated origins, e.g.
# "http://localhost:3000") lets your own pages embed the demo form too.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
scripts/build.sh

WIDGET_PORT=${WIDGET_PORT:-8080}
VENDOR_PORT=${VENDOR_PORT:-8081}
DATA=${DEMO_DATA:-demo-data}
BIN=target/server/sealdrop
mkdir -p "$DATA"
if [[ ! -f "$DATA/key.txt" ]]; then
  "$BIN" keygen -o "$DATA/key.txt" >/dev/null
fi
RECIPIENT=$(sed -n 's/^# public key: //p' "$DATA/key.txt")

pids=()
# Once, on the way out: Ctrl-C and SIGTERM exit, and the exit runs this.
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; echo; echo "demo stopped"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

extra=()
for origin in ${DEMO_ALLOW_ORIGINS:-}; do extra+=(--allow-origin "$origin"); done

"$BIN" serve --recipient "$RECIPIENT" --data-dir "$DATA" --listen "127.0.0.1:$WIDGET_PORT" \
  --allow-origin "http://127.0.0.1:$VENDOR_PORT" --allow-origin "http://localhost:$VENDOR_PORT" "${extra[@]}" \
  --org "Example Corp" --policy-url "http://127.0.0.1:$VENDOR_PORT/policy.html" \
  --contact-email security@example.com --subject-tag "[SECURITY] Example" --response-days 7 &
pids+=($!)
node scripts/vendor-server.mjs www/demo "$VENDOR_PORT" "$RECIPIENT" "http://127.0.0.1:$WIDGET_PORT" &
pids+=($!)
sleep 1
cat <<MSG

  sealdrop demo is running.
    Vendor page, iframe mode:  http://127.0.0.1:$VENDOR_PORT/
    Vendor page, inline mode:  http://127.0.0.1:$VENDOR_PORT/inline.html
    Widget origin (receiver):  http://127.0.0.1:$WIDGET_PORT/

  Embed it on your own page (its origin allowed with DEMO_ALLOW_ORIGINS="http://localhost:3000"):
    <script src="http://127.0.0.1:$WIDGET_PORT/sealdrop.js" async></script>

  Open received reports:
    $BIN inbox list --data-dir $DATA -i $DATA/key.txt
    $BIN inbox open --latest --data-dir $DATA -i $DATA/key.txt

  Answer one (the researcher reads it with their follow-up key, in the form):
    $BIN inbox reply RECEIPT --data-dir $DATA -i $DATA/key.txt -m "Thanks, we reproduced it." --status triaged
    $BIN inbox thread RECEIPT --data-dir $DATA -i $DATA/key.txt

  Ctrl-C stops the demo.
MSG
wait
