#!/usr/bin/env bash
# Load benchmark (not a test): N demo staff log in, then wrk has them load "My week" and
# submit their week, on a release build with SQLite. Loopback only; bounded in time.
#
#   bench/load.sh                      # N=100 staff, 64 connections, 20 s per phase
#   N=130 CONNS=64 DURATION=30s bench/load.sh
#
# Prints wrk's throughput and latency percentiles for both phases, the count of unexpected
# answers (anything but 200 for the page, 303 back to /week for the submission) and the
# server's peak memory (VmHWM).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100}; CONNS=${CONNS:-64}; DURATION=${DURATION:-20s}; PORT=${PORT:-18080}; THREADS=${THREADS:-2}
WORKERS=${WORKERS:-2}
[ "$N" -le 135 ] || { echo "N must be at most 135 (working demo persons)" >&2; exit 2; }
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release --quiet
bin=./target/release/canteen
work=$(mktemp -d /tmp/canteen-bench.XXXXXX)
export DATABASE_URL="$work/bench.db" CANTEEN_DEMO_PASSWORD='com trua ngon' CANTEEN_LOG=warn
"$bin" serve --demo --bind "127.0.0.1:$PORT" --workers "$WORKERS" > "$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
for i in $(seq 41 "$N"); do
  n=$(printf %03d "$i")
  printf '%s' "$CANTEEN_DEMO_PASSWORD" | "$bin" create-user --username "nv$n" --role staff --person "NV$n" --password-stdin >/dev/null
done
python3 bench/login.py "http://127.0.0.1:$PORT" "$N" "$CANTEEN_DEMO_PASSWORD" > "$work/sessions.tsv"
mem() { echo "memory $1: $(grep -E 'VmRSS' "/proc/$pid/status" | tr -s ' \t' ' '), peak so far $(grep -E 'VmHWM' "/proc/$pid/status" | tr -s ' \t' ' ' | cut -d' ' -f2-)"; }
echo "logged in: $(wc -l < "$work/sessions.tsv") staff; server pid $pid, $WORKERS workers; wrk $THREADS threads, $CONNS connections, $DURATION"
mem "after demo load and logins"
export SESSIONS="$work/sessions.tsv"
python3 bench/fsync_probe.py 5 "$work"
echo; echo "== GET /week (My week)"
wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s bench/week.lua "http://127.0.0.1:$PORT"
mem "after the My week phase"
echo; echo "== POST /week (submit the whole week; each request changes all open days)"
wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s bench/submit.lua "http://127.0.0.1:$PORT"
mem "after the submit phase"
python3 bench/fsync_probe.py 5 "$work"
ls -l "$work" | grep -E 'bench.db' | awk '{print "file", $NF, $5}'
