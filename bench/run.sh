#!/usr/bin/env bash
# The hot path as ratios to PostgreSQL's own limit (a benchmark: prints, asserts nothing).
#   bash bench/run.sh [PETITIONS ...]     (default: 1000 100000)
# For each size and database: a fresh database filled with PETITIONS petitions of history —
# PostgreSQL by bench/history.sql (generated inside the server: 3,000 units, four years, an
# answered order for every closed petition), SQLite by `minhu seed-bulk` (through the API's own
# insert path, so only up to 100,000) — the release server on it, then wrk with 16 connections,
# 10 s a measure: the public feed page, officials' list, a unit's inbox (a district's), a
# community's inbox and petitions (a small share of the history), the hotline office's inbox
# (every live order of the city: 0.8 % of the petitions here), Open311 requests, a
# petitioner reading their own petition, the hotline office's unmasked read (with its audit
# row), the public tracking page (plain and as a cache revalidation: If-None-Match → 304), and
# submissions; then
# the public pages (feed, Open311, tracking) again on a server that keeps nothing
# (MINHU_PUBLIC_CACHE_MS=0), i.e. without a cache hit, and on PostgreSQL every list filter on
# that server (bench/filters.sh), printing the five slowest.
# On PostgreSQL, pgbench runs on the same database in the same run: the built-in select-only
# script (point selects by primary key) and a single-row insert, 16 clients; each measure is
# printed in req/s, p50/p99, and as a ratio to pgbench (reads to point select, submissions to
# single insert): absolute figures drift on shared machines, ratios hold. Every read is measured
# again with 64 connections for its p99. And each read's own statements, and a submission's,
# are run by pgbench alone (bench/pages.sh): the request's limit on PostgreSQL, whatever the
# server. Then, on the
# embedded SQLite default: cold start to ready and idle resident memory.
#   BACKENDS="postgres" MEASURES="feed track" bash bench/run.sh 10000000   — a subset (e.g. the
#   feed at ten million petitions, where SQLite is not filled anyway).
#   REUSE=1 BENCH_DB=name …  — measure PostgreSQL's existing database as it is (filled before,
#   e.g. by `minhu migrate` and bench/history.sql), instead of a fresh one.
source "$(dirname "$0")/../.ci/lib.sh"
cd "$ROOT"
SIZES=("$@"); [ ${#SIZES[@]} -eq 0 ] && SIZES=(1000 100000)
apt_install wrk curl bc
ensure_postgres
log "building the release server"
cargo build -q --release -p minhu
BIN="$CARGO_TARGET_DIR/release/minhu"
WORK="$(mktemp -d)"
PORT=18181
DB=${BENCH_DB:-minhu_bench}
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null
  # A database it was asked to reuse is kept for the next run.
  [ -z "${REUSE:-}" ] && psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

server_ready() {
  for _ in $(seq 1 2000); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && return 0; sleep 0.005; done
  echo "server did not become ready" >&2; cat "$WORK/server.log" >&2; return 1
}
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
# wrk output → "req/s p50 p99"
figures() { awk '/ 50%/ {p50=$2} / 99%/ {p99=$2} /Requests\/sec/ {rps=$2} END {print rps, p50, p99}'; }
bench() { # bench NAME [wrk args…] URL — 16 connections, 10 s; reads again at 64 for the p99
  local name="$1"; shift
  [[ " ${MEASURES[*]} " == *" $name "* ]] || return 0
  mkdir -p "$WORK/args" && printf '%s\n' "$@" >"$WORK/args/$name"  # for bench/pages.sh
  R[$key-$name]="$(wrk -t2 -c16 -d10s --latency "$@" | figures)"
  if [ "$name" != submit ]; then
    R[$key-$name-64]="$(wrk -t2 -c64 -d10s --latency "$@" | figures | awk '{print $3}')"
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "the server stopped during \"$name\"; its log:" >&2; tail -40 "$WORK/server.log" >&2; exit 1
  fi
}
pgbench_tps() { awk '/^tps/ {print int($3); exit}'; }

export MINHU_DEMO_PASSWORD=bench-demo-password MINHU_TRACK_RATE_LIMIT=0 MINHU_JOB_INTERVAL_SECS=0
declare -A R
read -r -a MEASURES <<<"${MEASURES:-feed list inbox inbox_community list_community inbox_office open311 own operator track track304 submit feed0 open3110 track0 filters}"
read -r -a BACKENDS <<<"${BACKENDS:-sqlite postgres}"
for n in "${SIZES[@]}"; do
  for backend in "${BACKENDS[@]}"; do
    key="$backend-$n"
    rm -rf "$WORK/data" "$WORK/bench.db"*
    if [ "$backend" = sqlite ] && [ "$n" -gt 100000 ]; then
      R[$key-seed]="not run"; continue
    fi
    if [ "$backend" = sqlite ]; then
      url="sqlite://$WORK/bench.db"
    else
      if [ -z "${REUSE:-}" ]; then
        psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
        psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $DB" >/dev/null
      fi
      url="postgres://postgres@127.0.0.1:5432/$DB"
    fi
    export DATABASE_URL="$url" MINHU_DATA_DIR="$WORK/data" MINHU_BIND="127.0.0.1:$PORT" RUST_LOG=warn
    log "$key: seeding"
    start=$(date +%s.%N)
    if [ "$backend" = sqlite ]; then
      "$BIN" seed-bulk --petitions "$n" >/dev/null
    elif [ -n "${REUSE:-}" ]; then
      "$BIN" migrate >/dev/null
    else
      "$BIN" migrate >/dev/null
      psql -q -h 127.0.0.1 -U postgres -v n="$n" -f bench/history.sql "$url" >/dev/null
      # Measured as a running database is, not while autovacuum catches up with the load.
      psql -q -h 127.0.0.1 -U postgres -c "VACUUM ANALYZE" "$url" >/dev/null
    fi
    R[$key-seed]=$(printf "%.0f s" "$(echo "$(date +%s.%N) - $start" | bc)")
    MINHU_ADMIN_USERNAME=bench_admin MINHU_ADMIN_PASSWORD=bench-admin-password "$BIN" serve >"$WORK/server.log" 2>&1 &
    pid=$!
    server_ready
    base="http://127.0.0.1:$PORT"
    # The pool the server chose (MINHU_DB_POOL_SIZE or its default): printed with the figures.
    R[$key-pool]=$(curl -fs ${MINHU_METRICS_TOKEN:+-H "Authorization: Bearer $MINHU_METRICS_TOKEN"} "$base/metrics" \
      | awk '/^minhu_db_pool_max_connections/ {print $2}' || true)
    if [ "$backend" = postgres ]; then
      # The generated city has no staff: the hotline office's operator and a district's handler.
      admin=$(login_token "$base" bench_admin bench-admin-password)
      # And a community's (the one with most orders; a community's share of the history is
      # small, so its lists are what reading by the orders' path range made slow).
      community=$(psql -At -h 127.0.0.1 -U postgres -c "SELECT u.id FROM units u JOIN assignments a ON a.unit_id = u.id WHERE u.kind = 'community' GROUP BY u.id ORDER BY count(*) DESC, u.id LIMIT 1" "$url")
      for u in "demo_operator operator 1" "demo_unit1 handler 2" "demo_community handler $community"; do
        read -r name role unit <<<"$u"
        curl -fs "$base/api/v1/users" -H "authorization: Bearer $admin" -H 'content-type: application/json' \
          -d "{\"username\":\"$name\",\"password\":\"$MINHU_DEMO_PASSWORD\",\"display_name\":\"$name\",\"role\":\"$role\",\"unit_id\":$unit}" >/dev/null \
          || [ -n "${REUSE:-}" ]
      done
    fi
    curl -fs "$base/api/v1/auth/register" -H 'content-type: application/json' \
      -d '{"username":"bench","password":"bench-password","display_name":"压测市民","phone":"13800001111"}' >/dev/null \
      || [ -n "${REUSE:-}" ]
    MINHU_TOKEN=$(login_token "$base" bench bench-password)
    OPERATOR=$(login_token "$base" demo_operator "$MINHU_DEMO_PASSWORD")
    UNIT=$(login_token "$base" demo_unit1 "$MINHU_DEMO_PASSWORD")
    # The demo city (SQLite) has its community's staff already.
    COMMUNITY=$(login_token "$base" demo_community "$MINHU_DEMO_PASSWORD" 2>/dev/null || login_token "$base" demo_unit3 "$MINHU_DEMO_PASSWORD")
    export MINHU_TOKEN
    p=$(curl -fs "$base/api/v1/petitions" -H "authorization: Bearer $MINHU_TOKEN" -H 'content-type: application/json' \
      -d '{"kind":"help","category_id":1,"urgency":"normal","title":"基准","content":"基准读取用，电话13812345678","address":"修武县郇封镇东常村东街12号","publish_consent":true}')
    id=$(echo "$p" | json '["id"]'); no=$(echo "$p" | json '["tracking_no"]')
    etag=$(curl -fs -D - -o /dev/null "$base/api/v1/track/$no" | awk 'tolower($1)=="etag:" {print $2}' | tr -d '\r')

    log "$key: measuring"
    bench feed "$base/api/v1/public/petitions"
    bench list -H "Authorization: Bearer $OPERATOR" "$base/api/v1/petitions"
    bench inbox -H "Authorization: Bearer $UNIT" "$base/api/v1/assignments"
    bench inbox_community -H "Authorization: Bearer $COMMUNITY" "$base/api/v1/assignments"
    bench list_community -H "Authorization: Bearer $COMMUNITY" "$base/api/v1/petitions"
    bench inbox_office -H "Authorization: Bearer $OPERATOR" "$base/api/v1/assignments"
    bench open311 "$base/open311/v2/requests.json"
    bench own -H "Authorization: Bearer $MINHU_TOKEN" "$base/api/v1/petitions/$id"
    bench operator -H "Authorization: Bearer $OPERATOR" "$base/api/v1/petitions/$id"
    bench track "$base/api/v1/track/$no"
    bench track304 -H "If-None-Match: $etag" "$base/api/v1/track/$no"
    bench submit -s bench/submit.lua "$base/api/v1/petitions"
    # bench/pages.sh asks with curl: the same petition, as a body instead of wrk's script.
    [ -e "$WORK/args/submit" ] && printf '%s\n' -H "Authorization: Bearer $MINHU_TOKEN" \
      -H 'Content-Type: application/json' --data-binary @bench/petition.json "$base/api/v1/petitions" >"$WORK/args/submit"
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
    if [[ " ${MEASURES[*]} " == *0\ * || " ${MEASURES[*]} " == *" filters "* ]]; then
      # The public pages again with nothing kept (MINHU_PUBLIC_CACHE_MS=0): every request reads
      # the database, as when no other reader asked for the same page in the same moment.
      MINHU_PUBLIC_CACHE_MS=0 MINHU_ADMIN_USERNAME=bench_admin MINHU_ADMIN_PASSWORD=bench-admin-password \
        "$BIN" serve >"$WORK/server.log" 2>&1 &
      pid=$!
      server_ready
      bench feed0 "$base/api/v1/public/petitions"
      bench open3110 "$base/open311/v2/requests.json"
      bench track0 "$base/api/v1/track/$no"
      if [ "$backend" = postgres ] && [[ " ${MEASURES[*]} " == *" filters "* ]]; then
        # Every list filter (bench/filters.sh), nothing kept: the slowest five.
        BASE=$base OPERATOR=$OPERATOR UNIT=$UNIT COMMUNITY=$COMMUNITY DATABASE_URL=$url \
          bash bench/filters.sh >"$WORK/filters-$n.txt"
        R[$key-filters]=$(head -5 "$WORK/filters-$n.txt")
      fi
      if [ "$backend" = postgres ]; then
        # Each read's own statements run by pgbench alone (bench/pages.sh): the page's limit;
        # a submission's last, as its replay adds petitions.
        log "$key: PostgreSQL alone on each page's statements"
        while read -r m count tps; do
          R[$key-$m-page]="$count $tps"
        done < <(DB=$DB ARGS="$WORK/args" bash bench/pages.sh \
          list inbox inbox_community list_community inbox_office own operator feed0 open3110 track0 submit)
      fi
      kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
    fi

    if [ "$backend" = postgres ]; then
      log "$key: pgbench on the same database"
      pgbench -q -i -s 10 -h 127.0.0.1 -U postgres "$DB" >/dev/null 2>&1
      R[$key-pgselect]=$(pgbench -n -S -c16 -j2 -T10 -h 127.0.0.1 -U postgres "$DB" 2>/dev/null | pgbench_tps)
      psql -q -h 127.0.0.1 -U postgres -c "CREATE TABLE IF NOT EXISTS bench_inserts (id BIGSERIAL PRIMARY KEY, v TEXT NOT NULL)" "$DB" >/dev/null
      echo "INSERT INTO bench_inserts (v) VALUES ('路灯坏了一个多月没人修');" >"$WORK/insert.sql"
      R[$key-pginsert]=$(pgbench -n -f "$WORK/insert.sql" -c16 -j2 -T10 -h 127.0.0.1 -U postgres "$DB" 2>/dev/null | pgbench_tps)
    fi
  done
done

log "cold start and idle memory on the SQLite default (existing database, release build)"
cd "$WORK" && rm -rf coldstart && mkdir coldstart && cd coldstart
unset DATABASE_URL MINHU_DATA_DIR
export MINHU_BIND="127.0.0.1:$PORT"
"$BIN" migrate >/dev/null 2>&1
best=999999
for _ in 1 2 3 4 5; do
  t0=$(date +%s%N)
  "$BIN" serve >"$WORK/server.log" 2>&1 &
  pid=$!
  server_ready
  t1=$(date +%s%N)
  ms=$(( (t1 - t0) / 1000000 )); [ "$ms" -lt "$best" ] && best=$ms
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done
"$BIN" serve >"$WORK/server.log" 2>&1 &
pid=$!
server_ready
for _ in $(seq 1 20); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null; done
sleep 2
rss=$(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""

declare -A LABEL=(
  [feed]="public feed page (20)" [list]="officials' list (20)" [inbox]="a unit's inbox (20)"
  [inbox_community]="a community's inbox (20)" [list_community]="a community's petitions (20)"
  [inbox_office]="the office's inbox (20)"
  [open311]="Open311 requests" [own]="petitioner reads own" [operator]="operator unmasked read"
  [track]="tracking page" [track304]="tracking, 304 revalidation" [submit]="submit"
  [feed0]="feed, nothing kept" [open3110]="Open311, nothing kept" [track0]="tracking, nothing kept"
)
echo
echo "minhu benchmark — $(nproc) cores, 16 connections, 10 s a measure; ratio = req/s ÷ pgbench on the same PostgreSQL database"
# The kernel's autogroup weighs each PostgreSQL backend (a session of its own) as much as the
# whole server on a shared host: it sets the p99s (README, "Operations").
echo "kernel.sched_autogroup_enabled = $(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null || echo 'not present')"
for n in "${SIZES[@]}"; do
  sel=${R[postgres-$n-pgselect]:-0}; ins=${R[postgres-$n-pginsert]:-0}
  echo
  echo "$n petitions of history (seeded: SQLite ${R[sqlite-$n-seed]:-not run}, PostgreSQL ${R[postgres-$n-seed]:-not run}); pgbench: point select $sel tps, single insert $ins tps"
  echo "  database pool: SQLite ${R[sqlite-$n-pool]:-—}, PostgreSQL ${R[postgres-$n-pool]:-—} connections"
  printf '  %-28s %-30s %-30s %-10s %s\n' measure "PostgreSQL req/s (p50 / p99)" "SQLite req/s (p50 / p99)" "ratio" "p99 at 64 connections (PostgreSQL / SQLite)"
  for m in "${MEASURES[@]}"; do
    [ "$m" = filters ] && continue
    read -r prps p50 p99 <<<"${R[postgres-$n-$m]:-— - -}"
    read -r srps s50 s99 <<<"${R[sqlite-$n-$m]:-— - -}"
    limit=$sel; [ "$m" = submit ] && limit=$ins
    ratio=$(awk -v a="$prps" -v b="$limit" 'BEGIN { if (b + 0 > 0) printf "%.1f %%", 100 * a / b; else print "—" }')
    printf '  %-28s %-30s %-30s %-10s %s\n' "${LABEL[$m]}" "$prps ($p50 / $p99)" "$srps ($s50 / $s99)" "$ratio" \
      "${R[postgres-$n-$m-64]:-—} / ${R[sqlite-$n-$m-64]:-—}"
  done
done
for n in "${SIZES[@]}"; do
  rows=""
  for m in "${MEASURES[@]}"; do
    read -r count tps <<<"${R[postgres-$n-$m-page]:-}"
    [ -n "${count:-}" ] || continue
    read -r prps _ <<<"${R[postgres-$n-$m]:-— -}"
    limit=${R[postgres-$n-pgselect]:-0}; [ "$m" = submit ] && limit=${R[postgres-$n-pginsert]:-0}
    rows+=$(printf '  %-28s %-11s %-16s %-22s %s' "${LABEL[$m]}" "$count" "$tps" \
      "$(awk -v a="$tps" -v b="$limit" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.1f %%", 100 * a / b; else print "—" }')" \
      "$(awk -v a="$prps" -v b="$tps" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.0f %%", 100 * a / b; else print "—" }')")$'\n'
  done
  [ -n "$rows" ] || continue
  echo
  echo "PostgreSQL alone on each page's own statements at $n petitions (bench/pages.sh: pgbench, prepared, 16 clients):"
  echo "the most any server could serve of that page; its ratio to the point select (a submission's: to the single insert) is the ceiling of the ratio above"
  printf '  %-28s %-11s %-16s %-22s %s\n' measure statements "PostgreSQL tps" "ratio (the ceiling)" "minhu ÷ PostgreSQL alone"
  printf '%s' "$rows"
done
for n in "${SIZES[@]}"; do
  if [ -n "${R[postgres-$n-filters]:-}" ]; then
    echo
    echo "the slowest filtered lists at $n petitions (PostgreSQL, nothing kept, each asked alone, best of 3; bench/filters.sh):"
    echo "${R[postgres-$n-filters]}" | sed 's/^/  /'
  fi
done
echo
echo "cold start to ready (SQLite, best of 5): ${best} ms; idle resident memory (SQLite): $rss"
