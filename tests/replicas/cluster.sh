# A PostgreSQL primary with WAL archiving and a streaming standby, `minhu` replicas and HAProxy,
# all on this machine from Debian's packages; sourced by tests/replicas/run.sh and
# bench/replicas.sh after .ci/lib.sh.
#   cluster_init            scratch directory, ports, cleanup on exit
#   cluster_databases       primary (archiving WAL) and standby (pg_basebackup -R), database minhu
#   cluster_minhu BIN PORT  a minhu process on the primary (and the standby when
#                           MINHU_DATABASE_REPLICA_URL is set), waited for
#   cluster_haproxy PORT…   HAProxy on $LB in front of these minhu ports, checking /readyz
#   cluster_stop_minhu      stop every minhu process started so far
apt_install haproxy
PGBIN=/usr/lib/postgresql/15/bin
as_pg() { runuser -u postgres -- "$@"; }

cluster_init() {
  W="$(mktemp -d /tmp/minhu-cluster.XXXXXX)"
  chmod 755 "$W"
  mkdir -p "$W/pg" && chown postgres "$W/pg"
  PRIMARY=5441 STANDBY=5442 LB=18300
  MINHU_PIDS=() OTHER_PIDS=()
  trap cluster_cleanup EXIT
}

cluster_cleanup() {
  for p in "${MINHU_PIDS[@]}" "${OTHER_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for d in standby primary restored; do
    [ -d "$W/pg/$d" ] && as_pg "$PGBIN/pg_ctl" -D "$W/pg/$d" -m immediate stop >/dev/null 2>&1
  done
  rm -rf "$W"
}

cluster_databases() {
  as_pg "$PGBIN/initdb" -D "$W/pg/primary" -A trust -U postgres >/dev/null
  as_pg mkdir "$W/pg/archive"
  cat >>"$W/pg/primary/postgresql.conf" <<CONF
port = $PRIMARY
listen_addresses = '127.0.0.1'
unix_socket_directories = '$W/pg'
wal_level = replica
max_wal_senders = 4
hot_standby_feedback = on
archive_mode = on
archive_command = 'test ! -f $W/pg/archive/%f && cp %p $W/pg/archive/%f'
CONF
  echo "host replication postgres 127.0.0.1/32 trust" >>"$W/pg/primary/pg_hba.conf"
  as_pg "$PGBIN/pg_ctl" -D "$W/pg/primary" -l "$W/pg/primary.log" -w start >/dev/null
  psql -q -h 127.0.0.1 -p $PRIMARY -U postgres -c "CREATE DATABASE minhu" >/dev/null
  as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p $PRIMARY -U postgres -D "$W/pg/standby" -R -X stream -c fast
  echo "port = $STANDBY" >>"$W/pg/standby/postgresql.conf"
  as_pg "$PGBIN/pg_ctl" -D "$W/pg/standby" -l "$W/pg/standby.log" -w start >/dev/null
  psql -Atq -h 127.0.0.1 -p $STANDBY -U postgres -c "SELECT pg_is_in_recovery()" | grep -qx t
  export DATABASE_URL="postgres://postgres@127.0.0.1:$PRIMARY/minhu"
}

cluster_minhu() { # cluster_minhu BIN PORT
  MINHU_BIND="127.0.0.1:$2" MINHU_DATA_DIR="$W/data-$2" "$1" serve >"$W/minhu-$2.log" 2>&1 &
  MINHU_PIDS+=($!)
  disown $!
  wait_ready "$2" "${MINHU_PIDS[-1]}" "$W/minhu-$2.log"
}

cluster_stop_minhu() {
  for p in "${MINHU_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${MINHU_PIDS[@]}"; do while kill -0 "$p" 2>/dev/null; do sleep 0.05; done; done
  MINHU_PIDS=()
}

cluster_haproxy() { # cluster_haproxy PORT…
  {
    cat <<CONF
global
  maxconn 1024
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
CONF
    for port in "$@"; do echo "  server m$port 127.0.0.1:$port check"; done
  } >"$W/haproxy.cfg"
  haproxy -c -q -f "$W/haproxy.cfg"
  haproxy -db -f "$W/haproxy.cfg" >"$W/haproxy.log" 2>&1 &
  OTHER_PIDS+=($!)
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$LB/readyz" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "HAProxy did not come up" >&2; cat "$W/haproxy.log" >&2; return 1
}
