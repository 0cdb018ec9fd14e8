#!/usr/bin/env bash
# The server's own work per request, counted in instructions (a benchmark: prints, asserts
# nothing). Throughput on these shared two-core machines drifts by a third between runs of the
# same binary; callgrind counts instructions, which stay the same from run to run for the same
# binary, database and requests, whatever else the machine does. So a change to the server's
# per-request work shows here even when bench/run.sh cannot tell it from noise.
#   bash bench/instructions.sh [PETITIONS]          (default 100000)
#   BINS="/tmp/minhu.before /tmp/minhu.after" bash bench/instructions.sh   — compare builds
#   REQUESTS=200 MEASURES="own list submit" …        — fewer requests or measures (submit: not by default)
#   KEEP=/tmp/profiles …                             — keep each profile for callgrind_annotate
# Fills a fresh PostgreSQL database with bench/history.sql, starts each binary under
# `valgrind --tool=callgrind`, and for each measure sends requests one at a time (curl) after
# a warm-up (statements prepared, the token admitted), with the counters zeroed before and
# dumped after: instructions of the whole server process (every thread) per request. Not
# counted: PostgreSQL's work (bench/run.sh measures that against pgbench) and the time spent
# waiting. Requests come one after another, so a token's admission, kept for a second, runs
# again about every 10 requests under valgrind: the same for every binary.
source "$(dirname "$0")/../.ci/lib.sh"
cd "$ROOT"
N=${1:-100000}
REQUESTS=${REQUESTS:-300}
read -r -a MEASURES <<<"${MEASURES:-own operator list inbox track feed events}"
apt_install valgrind curl
ensure_postgres
if [ -z "${BINS:-}" ]; then
  log "building the release server"
  cargo build -q --release -p minhu
  BINS="$CARGO_TARGET_DIR/release/minhu"
fi
read -r -a BINS <<<"$BINS"
WORK="$(mktemp -d)"
PORT=18182
DB=minhu_instructions
url="postgres://postgres@127.0.0.1:5432/$DB"
pid=""
stop() {
  [ -n "$pid" ] && { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }
  pid=""
}
cleanup() {
  stop
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

log "filling PostgreSQL with $N petitions of history"
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
export DATABASE_URL="$url" MINHU_DATA_DIR="$WORK/data" MINHU_BIND="127.0.0.1:$PORT" RUST_LOG=warn
export MINHU_TRACK_RATE_LIMIT=0 MINHU_JOB_INTERVAL_SECS=0
"${BINS[0]}" migrate >/dev/null
psql -q -h 127.0.0.1 -U postgres -v n="$N" -f bench/history.sql "$url" >/dev/null
psql -q -h 127.0.0.1 -U postgres -c "VACUUM ANALYZE" "$url" >/dev/null

base="http://127.0.0.1:$PORT"
serve() { # serve BIN [valgrind…] — start (pid: the process, valgrind's when under it) and wait
  local bin=$1; shift
  MINHU_ADMIN_USERNAME=bench_admin MINHU_ADMIN_PASSWORD=bench-admin-password \
    "$@" "$bin" serve >"$WORK/server.log" 2>&1 </dev/null &
  pid=$!
  wait_ready "$PORT" "$pid" "$WORK/server.log" 600
}

# The accounts and the petition read, made once with the first binary.
serve "${BINS[0]}"
admin=$(login_token "$base" bench_admin bench-admin-password)
for u in "demo_operator operator 1" "demo_unit1 handler 2"; do
  read -r name role unit <<<"$u"
  curl -fs "$base/api/v1/users" -H "authorization: Bearer $admin" -H 'content-type: application/json' \
    -d "{\"username\":\"$name\",\"password\":\"bench-demo-password\",\"display_name\":\"$name\",\"role\":\"$role\",\"unit_id\":$unit}" >/dev/null
done
curl -fs "$base/api/v1/auth/register" -H 'content-type: application/json' \
  -d '{"username":"bench","password":"bench-password","display_name":"压测市民","phone":"13800001111"}' >/dev/null
CITIZEN=$(login_token "$base" bench bench-password)
OPERATOR=$(login_token "$base" demo_operator bench-demo-password)
UNIT=$(login_token "$base" demo_unit1 bench-demo-password)
p=$(curl -fs "$base/api/v1/petitions" -H "authorization: Bearer $CITIZEN" -H 'content-type: application/json' \
  -d '{"kind":"help","category_id":1,"urgency":"normal","title":"基准","content":"基准读取用，电话13812345678","address":"修武县郇封镇东常村东街12号","publish_consent":true}')
id=$(echo "$p" | python3 -c "import json,sys; print(json.load(sys.stdin)['id'])")
no=$(echo "$p" | python3 -c "import json,sys; print(json.load(sys.stdin)['tracking_no'])")
stop

declare -A R
nth=0
for bin in "${BINS[@]}"; do
  nth=$((nth + 1))
  log "$bin under callgrind"
  serve "$bin" valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.%p"
  for m in "${MEASURES[@]}"; do
    case $m in
      own) args=(-H "Authorization: Bearer $CITIZEN" "$base/api/v1/petitions/$id") ;;
      operator) args=(-H "Authorization: Bearer $OPERATOR" "$base/api/v1/petitions/$id") ;;
      list) args=(-H "Authorization: Bearer $OPERATOR" "$base/api/v1/petitions") ;;
      inbox) args=(-H "Authorization: Bearer $UNIT" "$base/api/v1/assignments") ;;
      track) args=("$base/api/v1/track/$no") ;;
      feed) args=("$base/api/v1/public/petitions") ;;
      events) args=(-H "Authorization: Bearer $CITIZEN" "$base/api/v1/petitions/$id/events") ;;
      # bench/submit.lua's petition: each request submits a new one.
      submit) args=(-H "Authorization: Bearer $CITIZEN" -H 'content-type: application/json'
        --data-binary @bench/petition.json "$base/api/v1/petitions") ;;
      *) echo "unknown measure $m" >&2; exit 2 ;;
    esac
    for _ in $(seq 1 30); do curl -fs -o /dev/null "${args[@]}"; done
    callgrind_control -z "$pid" >/dev/null 2>&1 || { echo "callgrind_control -z failed" >&2; cat "$WORK/server.log" >&2; exit 1; }
    for _ in $(seq 1 "$REQUESTS"); do curl -fs -o /dev/null "${args[@]}"; done
    rm -f "$WORK"/cg.*.*
    callgrind_control -d "$pid" >/dev/null 2>&1 || { echo "callgrind_control -d failed" >&2; cat "$WORK/server.log" >&2; exit 1; }
    for _ in $(seq 1 100); do ls "$WORK"/cg.*.* >/dev/null 2>&1 && break; sleep 0.1; done
    sleep 0.5
    ir=$(awk '/^(summary|totals):/ {print $2}' "$WORK"/cg.*.* | tail -1)
    [ -n "$ir" ] || { echo "no instruction count in callgrind's dump for $m" >&2; exit 1; }
    R[$bin-$m]=$((ir / REQUESTS))
    # KEEP=DIR keeps each profile, to read with callgrind_annotate.
    [ -n "${KEEP:-}" ] && mkdir -p "$KEEP" && cp "$(ls "$WORK"/cg.*.* | tail -1)" "$KEEP/$nth-$(basename "$bin").$m.callgrind"
  done
  stop
done

declare -A LABEL=(
  [own]="petitioner reads own" [operator]="operator unmasked read (+ audit)"
  [list]="officials' list (20)" [inbox]="a district's inbox (20)" [track]="tracking page (kept)" [feed]="public feed page (kept)" [events]="petitioner reads the timeline" [submit]="submit (jobs off)"
)
echo
echo "minhu server instructions per request — $N petitions of history on PostgreSQL, $REQUESTS requests a measure"
printf '  %-34s' measure; for bin in "${BINS[@]}"; do printf ' %22s' "$(basename "$bin")"; done; echo
for m in "${MEASURES[@]}"; do
  printf '  %-34s' "${LABEL[$m]}"
  for bin in "${BINS[@]}"; do printf ' %22s' "${R[$bin-$m]}"; done; echo
done
