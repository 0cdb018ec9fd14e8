#!/usr/bin/env bash
# Public reads past one process (a benchmark: prints, asserts nothing).
#   bash bench/replicas.sh
# On a PostgreSQL primary with a streaming standby (tests/replicas/cluster.sh) holding the demo
# city: the public feed (kept pages off, so every request reads the database) and the tracking
# page, wrk with 16 connections for 10 s each, through one minhu replica and through two behind
# HAProxy, each with and without the standby. On one 2-core machine the processes share the
# same cores, so more of them need not mean more throughput: the table shows what it does.
source "$(dirname "$0")/../.ci/lib.sh"
source "$ROOT/tests/replicas/cluster.sh"
cd "$ROOT"
apt_install wrk curl
log "building the release server"
cargo build -q --release -p minhu
BIN="$CARGO_TARGET_DIR/release/minhu"
cluster_init
cluster_databases
export MINHU_JWT_SECRET="replicas-bench-secret-of-at-least-32-bytes" MINHU_DEMO_PASSWORD=bench-demo-password
export MINHU_PUBLIC_CACHE_MS=0 MINHU_TRACK_RATE_LIMIT=0 MINHU_JOB_INTERVAL_SECS=0 RUST_LOG=warn
"$BIN" migrate >/dev/null 2>&1
"$BIN" seed-demo >/dev/null 2>&1
no=$(psql -Atq -h 127.0.0.1 -p $PRIMARY -U postgres minhu -c "SELECT tracking_no FROM petitions WHERE publish_consent ORDER BY id DESC LIMIT 1")
rate() { wrk -t2 -c16 -d10s --latency "$1" | awk '/Requests\/sec/ {rps=$2} / 99%/ {p99=$2} END {print rps " (p99 " p99 ")"}'; }
declare -A R
for standby in without with; do
  if [ $standby = with ]; then
    export MINHU_DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:$STANDBY/minhu"
  else
    unset MINHU_DATABASE_REPLICA_URL
  fi
  for n in 1 2; do
    ports=(); for i in $(seq 1 $n); do ports+=($((18310 + i))); cluster_minhu "$BIN" $((18310 + i)); done
    if [ $standby = with ]; then
      for p in "${ports[@]}"; do
        for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$p/readyz" | grep -q '"replica":"ok"' && break; sleep 0.1; done
      done
    fi
    if [ $n = 1 ]; then base="http://127.0.0.1:${ports[0]}"; else cluster_haproxy "${ports[@]}"; base="http://127.0.0.1:$LB"; fi
    log "$n replica(s), $standby the standby"
    R[$standby-$n-feed]=$(rate "$base/api/v1/public/petitions")
    R[$standby-$n-track]=$(rate "$base/api/v1/track/$no")
    cluster_stop_minhu
    if [ $n = 2 ]; then kill "${OTHER_PIDS[-1]}"; wait "${OTHER_PIDS[-1]}" 2>/dev/null || true; OTHER_PIDS=(); fi
  done
done
echo
echo "public reads — $(nproc) cores, 16 connections, 10 s each, req/s (p99); feed pages not kept"
printf '  %-34s %-26s %s\n' setup "public feed page" "tracking page"
for standby in without with; do
  for n in 1 2; do
    label="$n minhu replica(s), $standby standby"; [ $n = 2 ] && label="2 behind HAProxy, $standby standby"
    printf '  %-34s %-26s %s\n' "$label" "${R[$standby-$n-feed]}" "${R[$standby-$n-track]}"
  done
done
