#!/usr/bin/env bash
# Duplicate suggestions at scale (a benchmark: prints, asserts nothing).
#   bash bench/duplicates.sh [N ...]        (default: 100000 1000000)
# For each N: a fresh PostgreSQL database with N open petitions (bench/open_petitions.sql),
# the sketch index built by `minhu reindex`, the release server on it, and the latency of
# GET /api/v1/petitions/{id}/suggestions over 1,000 different petitions (wrk, one connection,
# 10 s: mean and 99th percentile), plus the size of the index.
source "$(dirname "$0")/../.ci/lib.sh"
cd "$ROOT"
SIZES=("$@"); [ ${#SIZES[@]} -eq 0 ] && SIZES=(100000 1000000)
apt_install wrk curl
ensure_postgres
log "building the release server"
cargo build -q --release -p minhu
BIN="$CARGO_TARGET_DIR/release/minhu"
PORT=18283
DB=minhu_dups
WORK="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT
sql() { psql -Atq -h 127.0.0.1 -U postgres -c "$1" "$DATABASE_URL"; }

declare -A OUT
for n in "${SIZES[@]}"; do
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
  psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $DB" >/dev/null
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB" MINHU_DATA_DIR="$WORK/data" \
    MINHU_BIND="127.0.0.1:$PORT" RUST_LOG=warn MINHU_JOB_INTERVAL_SECS=0 \
    MINHU_ADMIN_USERNAME=bench_admin MINHU_ADMIN_PASSWORD=bench-admin-password
  "$BIN" migrate >/dev/null
  log "generating $n open petitions"
  start=$(date +%s)
  psql -q -h 127.0.0.1 -U postgres -v n="$n" -f bench/open_petitions.sql "$DATABASE_URL" >/dev/null
  OUT[$n-gen]="$(( $(date +%s) - start )) s"
  log "$n: building the index"
  start=$(date +%s)
  "$BIN" reindex >/dev/null
  sql "VACUUM ANALYZE petition_terms" >/dev/null
  OUT[$n-index]="$(( $(date +%s) - start )) s, $(sql "select count(*) from petition_terms") postings, $(sql "select pg_size_pretty(pg_total_relation_size('petition_terms'))")"
  # 1,000 petitions spread over the table, asked for in turn.
  sql "select id from petitions order by hashint4(id::int) limit 1000" \
    | awk 'BEGIN {printf "ids = {"} {printf "%s%s", (NR>1?",":""), $1} END {print "}"}' >"$WORK/ids.lua"
  cat "$WORK/ids.lua" - >"$WORK/suggest.lua" <<'LUA'
i = 0
wrk.headers["Authorization"] = "Bearer " .. os.getenv("MINHU_TOKEN")
request = function()
  i = i % #ids + 1
  return wrk.format("GET", "/api/v1/petitions/" .. ids[i] .. "/suggestions")
end
LUA
  "$BIN" serve >"$WORK/server.log" 2>&1 &
  pid=$!
  wait_ready "$PORT" "$pid" "$WORK/server.log"
  MINHU_TOKEN=$(login_token "http://127.0.0.1:$PORT" bench_admin bench-admin-password)
  export MINHU_TOKEN
  first=$(head -c 300 "$WORK/ids.lua" | grep -o '[0-9]\+' | head -1)
  OUT[$n-sample]=$(curl -fs -H "Authorization: Bearer $MINHU_TOKEN" "http://127.0.0.1:$PORT/api/v1/petitions/$first/suggestions" \
    | python3 -c 'import json,sys; d=json.load(sys.stdin)["duplicates"]; print(len(d), "suggested, similarity", [x["similarity"] for x in d])')
  log "$n: measuring"
  OUT[$n-lat]=$(wrk -t1 -c1 -d10s --latency -s "$WORK/suggest.lua" "http://127.0.0.1:$PORT" \
    | awk '/^    Latency/ {mean=$2} / 99%/ {p99=$2} /Requests\/sec/ {rps=$2} END {print "mean " mean ", p99 " p99 ", " rps " req/s"}')
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done
echo
echo "minhu duplicate suggestions benchmark — PostgreSQL, release server, one connection"
for n in "${SIZES[@]}"; do
  echo "$n open petitions (generated in ${OUT[$n-gen]}; index built in ${OUT[$n-index]}):"
  echo "  GET /petitions/{id}/suggestions, 1,000 different petitions: ${OUT[$n-lat]}"
  echo "  one of them, as a sample: ${OUT[$n-sample]}"
done
