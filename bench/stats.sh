#!/usr/bin/env bash
# Statistics benchmark (not a test): PERSONS staff × MONTHS months of meals (every weekday, the
# earlier months closed with their statements and vouchers, waste logged, the union's dues),
# then over HTTP on a release build: the leadership dashboard and every standard report for a
# year; and the signed month's report pack built (and rolled back) by `canteen bench-pack`.
#
#   bench/stats.sh                                   # 10 000 persons × 12 months, SQLite
#   APP_DB_URL=postgres://…/db FEATURES=postgres bench/stats.sh   # an empty PostgreSQL database
#
# Targets (#11) on the 2-core machine: dashboard < 500 ms, any report for a year < 1 s, a
# month's pack < 5 s.
set -euo pipefail
cd "$(dirname "$0")/.."
PERSONS=${PERSONS:-10000}; MONTHS=${MONTHS:-12}; MONTH=${MONTH:-2026-10}; PORT=${PORT:-18091}; ROUNDS=${ROUNDS:-3}
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet ${FEATURES:+--features "$FEATURES"}
  BIN=./target/release/canteen
fi
work=$(mktemp -d /tmp/canteen-stats.XXXXXX)
export DATABASE_URL="${APP_DB_URL:-$work/stats.db}" CANTEEN_LOG=warn CANTEEN_BENCH_PASSWORD='mat khau thu tai'
start=$(date +%s.%N)
"$BIN" bench-data --persons "$PERSONS" --month "$MONTH" --months "$MONTHS"
echo "generated in $(echo "$(date +%s.%N) - $start" | bc) s"
"$BIN" bench-pack --month "${PACK_MONTH:-2026-09}"
"$BIN" serve --bind "127.0.0.1:$PORT" > "$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
python3 bench/stats.py "http://127.0.0.1:$PORT" "$CANTEEN_BENCH_PASSWORD" "$ROUNDS"
echo "server peak memory: $(grep VmHWM "/proc/$pid/status" | tr -s ' \t' ' ' | cut -d' ' -f2-)"
