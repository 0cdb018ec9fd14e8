#!/usr/bin/env bash
# Benchmarks (not tests): figures printed, nothing asserted.
#   bash bench/run.sh [PETITIONS]     (default 100000)
# For each database: a fresh one filled with PETITIONS petitions of history (`minhu seed-bulk`),
# the release server on it, then wrk with 16 connections for 15 s each:
#   - submissions per second (POST /api/v1/petitions as a citizen)
#   - single-petition reads per second: the petitioner reading their own petition, and the
#     public tracking page (what newspaper readers open)
# Then, on the embedded SQLite default: cold start to ready, and idle resident memory.
source "$(dirname "$0")/../.ci/lib.sh"
cd "$ROOT"
N="${1:-100000}"
apt_install wrk curl bc
ensure_postgres
log "building the release server"
cargo build -q --release -p minhu
BIN="$CARGO_TARGET_DIR/release/minhu"
WORK="$(mktemp -d)"
PORT=18181
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS minhu_bench WITH (FORCE)" >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT

wait_ready() {
  for _ in $(seq 1 2000); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && return 0; sleep 0.005; done
  echo "server did not become ready" >&2; return 1
}
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
rate() { awk '/Requests\/sec/ {print $2}'; }
p99() { awk '/ 99%/ {print $2}'; }

declare -A RESULTS
for backend in sqlite postgres; do
  if [ "$backend" = sqlite ]; then
    url="sqlite://$WORK/bench.db"
  else
    psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS minhu_bench WITH (FORCE)" >/dev/null
    psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE minhu_bench" >/dev/null
    url="postgres://postgres@127.0.0.1:5432/minhu_bench"
  fi
  export DATABASE_URL="$url" MINHU_DATA_DIR="$WORK/data" MINHU_BIND="127.0.0.1:$PORT" RUST_LOG=warn
  log "$backend: seeding $N petitions"
  start=$(date +%s.%N)
  "$BIN" seed-bulk --petitions "$N" >/dev/null
  seeded=$(printf "%.1f" "$(echo "$(date +%s.%N) - $start" | bc)")
  "$BIN" serve >"$WORK/server.log" 2>&1 &
  pid=$!
  wait_ready
  curl -fs "http://127.0.0.1:$PORT/api/v1/auth/register" -H 'content-type: application/json' \
    -d '{"username":"bench","password":"bench-password","display_name":"压测市民","phone":"13800001111"}' >/dev/null
  MINHU_TOKEN=$(curl -fs "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
    -d '{"username":"bench","password":"bench-password"}' | json '["access_token"]')
  export MINHU_TOKEN
  p=$(curl -fs "http://127.0.0.1:$PORT/api/v1/petitions" -H "authorization: Bearer $MINHU_TOKEN" -H 'content-type: application/json' \
    -d '{"kind":"help","category_id":1,"urgency":"normal","title":"基准","content":"基准读取用"}')
  id=$(echo "$p" | json '["id"]'); no=$(echo "$p" | json '["tracking_no"]')

  log "$backend: submissions (16 connections, 15 s)"
  out=$(wrk -t2 -c16 -d15s --latency -s bench/submit.lua "http://127.0.0.1:$PORT/api/v1/petitions")
  RESULTS[$backend-submit]="$(echo "$out" | rate) req/s (p99 $(echo "$out" | p99))"
  log "$backend: reading one's own petition (16 connections, 15 s)"
  out=$(wrk -t2 -c16 -d15s --latency -H "Authorization: Bearer $MINHU_TOKEN" "http://127.0.0.1:$PORT/api/v1/petitions/$id")
  RESULTS[$backend-read]="$(echo "$out" | rate) req/s (p99 $(echo "$out" | p99))"
  log "$backend: public tracking page (16 connections, 15 s)"
  out=$(wrk -t2 -c16 -d15s --latency "http://127.0.0.1:$PORT/api/v1/track/$no")
  RESULTS[$backend-track]="$(echo "$out" | rate) req/s (p99 $(echo "$out" | p99))"
  RESULTS[$backend-seed]="$seeded s"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done

log "cold start and idle memory on the SQLite default (existing database, release build)"
cd "$WORK" && rm -rf coldstart && mkdir coldstart && cd coldstart
unset DATABASE_URL MINHU_DATA_DIR
export MINHU_BIND="127.0.0.1:$PORT"
"$BIN" migrate >/dev/null 2>&1
best=999999
for _ in 1 2 3 4 5; do
  t0=$(date +%s%N)
  "$BIN" serve >/dev/null 2>&1 &
  pid=$!
  wait_ready
  t1=$(date +%s%N)
  ms=$(( (t1 - t0) / 1000000 )); [ "$ms" -lt "$best" ] && best=$ms
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done
"$BIN" serve >/dev/null 2>&1 &
pid=$!
wait_ready
for _ in $(seq 1 20); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null; done
sleep 2
rss=$(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""

echo
echo "minhu benchmark — $(nproc) cores, $N petitions of history per database, 16 connections"
printf '%-10s %-12s %-30s %-30s %-30s\n' database "seed time" "submissions" "own-petition reads" "public tracking reads"
for backend in sqlite postgres; do
  printf '%-10s %-12s %-30s %-30s %-30s\n' "$backend" "${RESULTS[$backend-seed]}" "${RESULTS[$backend-submit]}" "${RESULTS[$backend-read]}" "${RESULTS[$backend-track]}"
done
echo "cold start to ready (SQLite, best of 5): ${best} ms"
echo "idle resident memory (SQLite): $rss"
