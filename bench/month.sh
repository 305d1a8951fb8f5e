#!/usr/bin/env bash
# Accounting benchmark (not a test): a generated month of PERSONS staff × every weekday (two
# policies, one in ten eligible, a contract and its invoice), then over HTTP on a release
# build: the reconciliation page, the payroll XLSX, and closing the month.
#
#   bench/month.sh                                   # 10 000 persons, SQLite
#   APP_DB_URL=postgres://…/db FEATURES=postgres bench/month.sh   # an empty PostgreSQL database
#
# Targets on the 2-core machine: close < 3 s, reconciliation page < 1 s, payroll XLSX < 2 s.
set -euo pipefail
cd "$(dirname "$0")/.."
PERSONS=${PERSONS:-10000}; MONTH=${MONTH:-2026-10}; PORT=${PORT:-18090}; ROUNDS=${ROUNDS:-3}
cargo build --release --quiet ${FEATURES:+--features "$FEATURES"}
bin=./target/release/canteen
work=$(mktemp -d /tmp/canteen-month.XXXXXX)
export DATABASE_URL="${APP_DB_URL:-$work/month.db}" CANTEEN_LOG=warn CANTEEN_BENCH_PASSWORD='mat khau thu tai'
start=$(date +%s.%N)
"$bin" bench-data --persons "$PERSONS" --month "$MONTH"
echo "generated in $(echo "$(date +%s.%N) - $start" | bc) s"
"$bin" serve --bind "127.0.0.1:$PORT" > "$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
python3 bench/month.py "http://127.0.0.1:$PORT" "$MONTH" "$CANTEEN_BENCH_PASSWORD" "$ROUNDS"
echo "server peak memory: $(grep VmHWM "/proc/$pid/status" | tr -s ' \t' ' ' | cut -d' ' -f2-)"
