#!/usr/bin/env bash
# Welfare benchmark (not a test): the generated month of bench/month.sh with every person a
# union member (salary bases, three months of dues, one in seven owing), over HTTP on a
# release build: generating a month's dues, the dues page and XLSX, arrears, a Tết list for
# every member and a Trung thu list of children.
#
#   bench/welfare.sh                                   # 10 000 members, SQLite
#   APP_DB_URL=postgres://…/db FEATURES=postgres bench/welfare.sh   # an empty PostgreSQL database
#
# Target on the 2-core machine: each step < 1 s.
set -euo pipefail
cd "$(dirname "$0")/.."
PERSONS=${PERSONS:-10000}; MONTH=${MONTH:-2026-10}; DAY=${DAY:-20/10/2026}; PORT=${PORT:-18091}; ROUNDS=${ROUNDS:-3}
cargo build --release --quiet ${FEATURES:+--features "$FEATURES"}
bin=./target/release/canteen
work=$(mktemp -d /tmp/canteen-welfare.XXXXXX)
export DATABASE_URL="${APP_DB_URL:-$work/welfare.db}" CANTEEN_LOG=warn CANTEEN_BENCH_PASSWORD='mat khau thu tai'
start=$(date +%s.%N)
"$bin" bench-data --persons "$PERSONS" --month "$MONTH"
echo "generated in $(echo "$(date +%s.%N) - $start" | bc) s"
"$bin" serve --bind "127.0.0.1:$PORT" > "$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
python3 bench/welfare.py "http://127.0.0.1:$PORT" "$MONTH" "$DAY" "$CANTEEN_BENCH_PASSWORD" "$ROUNDS"
echo "server peak memory: $(grep VmHWM "/proc/$pid/status" | tr -s ' \t' ' ' | cut -d' ' -f2-)"
