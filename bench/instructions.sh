#!/usr/bin/env bash
# Instructions per request (not a test): the server's instructions counted by valgrind's
# callgrind for a fixed number of My week pages and week submissions, every thread included
# (the SQLite writer too). Unlike req/s these do not move with a noisy machine (the same
# build gives the same figure within 0.2 %), so a change of a few per cent shows; the
# profiles (callgrind_annotate) say which functions spent them. Instructions are not time:
# a byte copied or compared counts about as much as a multiplication.
#
#   bench/instructions.sh               # release build, SQLite, N=300 requests of each kind
#   BIN=/path/to/canteen N=500 bench/instructions.sh
#
# Seeds natively (demo data, 100 logged-in staff), restarts the server under callgrind with
# collection off, warms up with 200 requests of each kind, then collects N. Profiles are
# kept in $OUT (default /tmp/canteen-instructions).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-300}; PORT=${PORT:-18090}; OUT=${OUT:-/tmp/canteen-instructions}
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind; }
if [ -z "${BIN:-}" ]; then cargo build --release --quiet; BIN=./target/release/canteen; fi
rm -rf "$OUT"; mkdir -p "$OUT"
export DATABASE_URL="$OUT/bench.db" CANTEEN_DEMO_PASSWORD='com trua ngon' CANTEEN_LOG=warn
"$BIN" serve --demo --bind "127.0.0.1:$PORT" --workers 1 > "$OUT/seed.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
for i in $(seq 41 100); do
  printf '%s' "$CANTEEN_DEMO_PASSWORD" | "$BIN" create-user --username "nv$(printf %03d "$i")" --role staff --person "NV$(printf %03d "$i")" --password-stdin >/dev/null
done
python3 bench/login.py "http://127.0.0.1:$PORT" 100 "$CANTEEN_DEMO_PASSWORD" > "$OUT/sessions.tsv"
kill $pid; while kill -0 $pid 2>/dev/null; do sleep 0.2; done
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$OUT/callgrind.%p" \
  "$BIN" serve --bind "127.0.0.1:$PORT" --workers 1 > "$OUT/server.log" 2>&1 &
pid=$!
for _ in $(seq 600); do kill -0 $pid; curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
for kind in week submit; do
  python3 bench/drive.py "$OUT/sessions.tsv" "$PORT" "$kind" 200 >/dev/null
  callgrind_control -z $pid >/dev/null 2>&1; callgrind_control -i on $pid >/dev/null 2>&1
  python3 bench/drive.py "$OUT/sessions.tsv" "$PORT" "$kind" "$N"
  callgrind_control -i off $pid >/dev/null 2>&1; callgrind_control -d "$kind" $pid >/dev/null 2>&1
  f=$(ls -t "$OUT"/callgrind.$pid* | head -1); mv "$f" "$OUT/$kind.callgrind"
  ir=$(callgrind_annotate "$OUT/$kind.callgrind" | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
  echo "$kind: $((ir / N)) instructions per request (profile: $OUT/$kind.callgrind)"
done
