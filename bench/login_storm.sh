#!/usr/bin/env bash
# Unauthenticated work must not starve the server (a benchmark: prints, asserts nothing).
#   bash bench/login_storm.sh [STORM_CONNECTIONS]      (default 64)
# The release server on a fresh PostgreSQL database; a plain public read (GET /categories) is
# measured alone, then again while STORM_CONNECTIONS clients log in with made-up usernames
# and passwords as fast as they can (each attempt costs an argon2 verification). Printed: the
# read's p50 and p99 alone and during the storm, and the logins answered per second. Target:
# p99 of the read during the storm under 500 ms on 2 cores.
source "$(dirname "$0")/../.ci/lib.sh"
cd "$ROOT"
STORM="${1:-64}"
apt_install wrk curl
ensure_postgres
log "building the release server"
cargo build -q --release -p minhu
BIN="$CARGO_TARGET_DIR/release/minhu"
PORT=18284
DB=minhu_login_storm
WORK="$(mktemp -d)"
pid=""
storm=""
cleanup() {
  [ -n "$storm" ] && kill "$storm" 2>/dev/null
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  wait 2>/dev/null
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $DB" >/dev/null
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB" MINHU_DATA_DIR="$WORK/data" \
  MINHU_BIND="127.0.0.1:$PORT" RUST_LOG=error MINHU_JOB_INTERVAL_SECS=0
"$BIN" serve >"$WORK/server.log" 2>&1 &
pid=$!
wait_ready "$PORT" "$pid" "$WORK/server.log"

# Two storms, each request a new username. Logins: all from 127.0.0.1, so after 30 failures
# a minute the per-address limit answers 429 without hashing — what a real storm from one
# address meets. Registrations: every one hashes a password with argon2, unthrottled — the
# worst case for the CPU, bounded by the server's CPU slots (one per core).
cat >"$WORK/login.lua" <<'LUA'
counter = 0
request = function()
  counter = counter + 1
  local name = string.format("u%d_%d", math.random(1, 1000000000), counter)
  local body = '{"username":"' .. name .. '","password":"wrong-password-1"}'
  return wrk.format("POST", "/api/v1/auth/login", {["Content-Type"] = "application/json"}, body)
end
LUA
cat >"$WORK/storm.lua" <<'LUA'
counter = 0
request = function()
  counter = counter + 1
  local name = string.format("s%d_%d", math.random(1, 1000000000), counter)
  local body = '{"username":"' .. name .. '","password":"storm-password-1","display_name":"压测"}'
  return wrk.format("POST", "/api/v1/auth/register", {["Content-Type"] = "application/json"}, body)
end
LUA

measure() { # measure SECONDS → "p50 p99 req/s" of GET /api/v1/categories, one connection
  wrk -t1 -c1 -d"$1"s --latency "http://127.0.0.1:$PORT/api/v1/categories" \
    | awk '/ 50%/ {p50=$2} / 99%/ {p99=$2} /Requests\/sec/ {rps=$2} END {print p50, p99, rps}'
}

log "the read alone"
read -r alone50 alone99 alone_rps <<<"$(measure 10)"
declare -A R
for kind in login storm; do
  log "the read during a storm of $STORM clients ($kind)"
  wrk -t2 -c"$STORM" -d25s -s "$WORK/$kind.lua" "http://127.0.0.1:$PORT" >"$WORK/$kind.out" 2>&1 &
  storm=$!
  sleep 3 # let the storm reach full load before measuring
  R[$kind]="$(measure 15)"
  wait "$storm"; storm=""
  R[$kind-rps]=$(awk '/Requests\/sec/ {print $2}' "$WORK/$kind.out")
done
read -r l50 l99 lrps <<<"${R[login]}"
read -r s50 s99 srps <<<"${R[storm]}"

echo
echo "minhu login storm — PostgreSQL, release server, $(nproc) cores, read = GET /api/v1/categories (1 connection)"
echo "  read alone:                                       p50 $alone50, p99 $alone99 ($alone_rps req/s)"
echo "  read during $STORM clients logging in, random names:  p50 $l50, p99 $l99 ($lrps req/s); logins answered ${R[login-rps]}/s"
echo "  read during $STORM clients registering (argon2 each): p50 $s50, p99 $s99 ($srps req/s); registrations answered ${R[storm-rps]}/s"
echo "  target: p99 of the read during a storm < 500 ms"
