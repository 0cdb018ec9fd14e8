#!/usr/bin/env bash
# Past one machine, on PostgreSQL's own machinery: a primary and a streaming standby
# (pg_basebackup -R), two `minhu` processes sharing them, HAProxy in front with health checks on
# /readyz — and tests/replicas/story.py against it: a submission through one replica read
# through the other, twelve wrong passwords alternating between them throttled after ten, a
# webhook delivered once with both up, the standby stopped and started under load (public reads
# keep answering, from the primary meanwhile), and one replica killed under a steady load of
# submissions (nothing acknowledged is lost, nothing is created twice: clients retry with their
# Idempotency-Key). Needs the debug server built (`cargo test` builds it).
source "$(dirname "$0")/../../.ci/lib.sh"
cd "$ROOT"
apt_install haproxy
PGBIN=/usr/lib/postgresql/15/bin
BIN="$CARGO_TARGET_DIR/debug/minhu"
W="$(mktemp -d /tmp/minhu-replicas.XXXXXX)"
chmod 755 "$W"
mkdir -p "$W/logs" && chown postgres "$W/logs"
PRIMARY=5441 STANDBY=5442 LB=18300 A=18301 B=18302 HOOKS=18303
pids=()
as_pg() { runuser -u postgres -- "$@"; }
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  as_pg "$PGBIN/pg_ctl" -D "$W/standby" -m immediate stop >/dev/null 2>&1 || true
  as_pg "$PGBIN/pg_ctl" -D "$W/primary" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$W"
}
trap cleanup EXIT

log "a PostgreSQL primary on :$PRIMARY and a streaming standby on :$STANDBY"
mkdir -p "$W/primary" && chown postgres "$W/primary"
as_pg "$PGBIN/initdb" -D "$W/primary" -A trust -U postgres >/dev/null
cat >>"$W/primary/postgresql.conf" <<CONF
port = $PRIMARY
listen_addresses = '127.0.0.1'
unix_socket_directories = '$W/logs'
wal_level = replica
max_wal_senders = 4
hot_standby_feedback = on
CONF
echo "host replication postgres 127.0.0.1/32 trust" >>"$W/primary/pg_hba.conf"
as_pg "$PGBIN/pg_ctl" -D "$W/primary" -l "$W/logs/primary.log" -w start >/dev/null
psql -q -h 127.0.0.1 -p $PRIMARY -U postgres -c "CREATE DATABASE minhu" >/dev/null
mkdir -p "$W/standby" && chown postgres "$W/standby" && chmod 700 "$W/standby"
as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p $PRIMARY -U postgres -D "$W/standby" -R -X stream -c fast
echo "port = $STANDBY" >>"$W/standby/postgresql.conf"
as_pg "$PGBIN/pg_ctl" -D "$W/standby" -l "$W/logs/standby.log" -w start >/dev/null
psql -Atq -h 127.0.0.1 -p $STANDBY -U postgres -c "SELECT pg_is_in_recovery()" | grep -qx t

log "two minhu replicas on :$A and :$B, HAProxy on :$LB"
export DATABASE_URL="postgres://postgres@127.0.0.1:$PRIMARY/minhu"
export MINHU_DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:$STANDBY/minhu"
export MINHU_JWT_SECRET="replicas-test-secret-of-at-least-32-bytes"
export MINHU_DEMO_PASSWORD="replicas-demo-password" MINHU_ADMIN_USERNAME=replica_admin MINHU_ADMIN_PASSWORD=replica-admin-password
export MINHU_WEBHOOK_ALLOW_HTTP=true MINHU_WEBHOOK_ALLOW_PRIVATE=true MINHU_JOB_INTERVAL_SECS=1
export MINHU_PUBLIC_CACHE_MS=0 MINHU_TRACK_RATE_LIMIT=0 RUST_LOG=warn
"$BIN" migrate >"$W/seed.log" 2>&1
"$BIN" seed-demo >>"$W/seed.log" 2>&1 || { cat "$W/seed.log"; exit 1; }
for port in $A $B; do
  MINHU_BIND="127.0.0.1:$port" MINHU_DATA_DIR="$W/data-$port" "$BIN" serve >"$W/minhu-$port.log" 2>&1 &
  pids+=($!)
  disown $!
  wait_ready "$port" "${pids[-1]}" "$W/minhu-$port.log"
done
A_PID=${pids[0]}
cat >"$W/haproxy.cfg" <<CONF
global
  maxconn 512
defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 30s
  retries 3
  option redispatch
frontend minhu
  bind 127.0.0.1:$LB
  default_backend replicas
backend replicas
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter 300ms fall 2 rise 2
  server a 127.0.0.1:$A check
  server b 127.0.0.1:$B check
CONF
haproxy -c -q -f "$W/haproxy.cfg"
haproxy -db -f "$W/haproxy.cfg" >"$W/haproxy.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$LB/readyz" >/dev/null 2>&1 && break; sleep 0.1; done

STANDBY_STOP="runuser -u postgres -- $PGBIN/pg_ctl -D $W/standby -m fast -w stop" \
STANDBY_START="runuser -u postgres -- $PGBIN/pg_ctl -D $W/standby -l $W/logs/standby.log -w start" \
PRIMARY_PSQL="psql -Atq -h 127.0.0.1 -p $PRIMARY -U postgres minhu" \
LB_URL="http://127.0.0.1:$LB" A_URL="http://127.0.0.1:$A" B_URL="http://127.0.0.1:$B" \
A_PID="$A_PID" HOOKS_PORT=$HOOKS \
python3 "$ROOT/tests/replicas/story.py" || {
  for f in "$W"/minhu-*.log "$W/haproxy.log"; do echo "== $f"; tail -20 "$f"; done
  exit 1
}
