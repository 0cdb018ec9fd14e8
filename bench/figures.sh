#!/usr/bin/env bash
# Figures at scale (a benchmark: prints, asserts nothing).
#   bash bench/figures.sh [N ...]        (default: 1000000 10000000)
# For each N: a fresh PostgreSQL database with N petitions over four years and 3,000 units
# (bench/history.sql), the release server on it, and the latency of a monthly ranking, a weekly
# briefing and a year's overview (wrk, one connection, 10 s each: mean and 99th percentile).
source "$(dirname "$0")/../.ci/lib.sh"
cd "$ROOT"
SIZES=("$@"); [ ${#SIZES[@]} -eq 0 ] && SIZES=(1000000 10000000)
apt_install wrk curl
ensure_postgres
log "building the release server"
cargo build -q --release -p minhu
BIN="$CARGO_TARGET_DIR/release/minhu"
PORT=18282
WORK="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS minhu_figures WITH (FORCE)" >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT
lat() { wrk -t1 -c1 -d10s --latency "$@" | awk '/^    Latency/ {mean=$2} / 99%/ {p99=$2} END {print "mean " mean ", p99 " p99}'; }

declare -A OUT
for n in "${SIZES[@]}"; do
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS minhu_figures WITH (FORCE)" >/dev/null
  psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE minhu_figures" >/dev/null
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/minhu_figures" MINHU_DATA_DIR="$WORK/data" \
    MINHU_BIND="127.0.0.1:$PORT" RUST_LOG=warn MINHU_JOB_INTERVAL_SECS=0 \
    MINHU_ADMIN_USERNAME=bench_admin MINHU_ADMIN_PASSWORD=bench-admin-password
  "$BIN" migrate >/dev/null
  log "generating $n petitions"
  start=$(date +%s)
  psql -q -h 127.0.0.1 -U postgres -v n="$n" -f bench/history.sql "$DATABASE_URL" >/dev/null
  OUT[$n-gen]="$(( $(date +%s) - start )) s"
  OUT[$n-rows]="$(psql -Atq -h 127.0.0.1 -U postgres -c "select count(*) from unit_day_figures" "$DATABASE_URL") unit-day rows"
  "$BIN" serve >"$WORK/server.log" 2>&1 &
  pid=$!
  wait_ready "$PORT" "$pid" "$WORK/server.log"
  token=$(login_token "http://127.0.0.1:$PORT" bench_admin bench-admin-password)
  log "$n: measuring"
  OUT[$n-rank]=$(lat "http://127.0.0.1:$PORT/api/v1/rankings?period=2026-10&unit_kind=street")
  OUT[$n-rankall]=$(lat "http://127.0.0.1:$PORT/api/v1/rankings?period=2026-10&unit_kind=district&include_children=true")
  OUT[$n-brief]=$(lat -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/api/v1/briefings?from=2026-11-09&to=2026-11-15")
  OUT[$n-year]=$(lat -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/api/v1/stats/overview?from=2025-11-23&to=2026-11-22")
  # Trends are for leaders, the press and the hotline office: a reporter's token.
  curl -s -o /dev/null -X POST -H "Authorization: Bearer $token" -H 'content-type: application/json' \
    -d '{"username": "bench_reporter", "password": "bench-reporter-password", "display_name": "bench", "role": "reporter"}' \
    "http://127.0.0.1:$PORT/api/v1/users"
  press=$(login_token "http://127.0.0.1:$PORT" bench_reporter bench-reporter-password)
  OUT[$n-trend]=$(lat -H "Authorization: Bearer $press" "http://127.0.0.1:$PORT/api/v1/stats/trends?period=2026-10")
  OUT[$n-trendarea]=$(lat -H "Authorization: Bearer $press" "http://127.0.0.1:$PORT/api/v1/stats/trends?period=2026-10&by=area")
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done
echo
echo "minhu figures benchmark — PostgreSQL, 3,000 units, four years of history, one connection"
for n in "${SIZES[@]}"; do
  echo "$n petitions (generated in ${OUT[$n-gen]}, ${OUT[$n-rows]}):"
  echo "  monthly ranking of streets:              ${OUT[$n-rank]}"
  echo "  monthly ranking of districts + subtrees: ${OUT[$n-rankall]}"
  echo "  weekly briefing:                         ${OUT[$n-brief]}"
  echo "  overview for a year:                     ${OUT[$n-year]}"
  echo "  trends by category (month, 环比, 同比):    ${OUT[$n-trend]}"
  echo "  trends by area (month, 环比, 同比):        ${OUT[$n-trendarea]}"
done
