#!/usr/bin/env bash
# Past one machine, on PostgreSQL's own machinery: a primary and a streaming standby
# (pg_basebackup -R), two `minhu` processes sharing them, HAProxy in front with health checks on
# /readyz — and tests/replicas/story.py against it: a submission through one replica read
# through the other, twelve wrong passwords alternating between them throttled after ten, a
# webhook delivered once with both up, a job (orders marked overdue) run once with both up, the standby stopped and started under load (public reads
# keep answering, from the primary meanwhile), and one replica killed under a steady load of
# submissions (nothing acknowledged is lost, nothing is created twice: clients retry with their
# Idempotency-Key). Then the backup is rehearsed: the primary's base backup and archived WAL
# restored to a point in time between two submissions. Needs the debug server (`cargo test`
# builds it).
source "$(dirname "$0")/../../.ci/lib.sh"
source "$(dirname "$0")/cluster.sh"
cd "$ROOT"
BIN="$CARGO_TARGET_DIR/debug/minhu"
A=18301 B=18302 HOOKS=18303 RESTORED=5443
cluster_init

log "a PostgreSQL primary (archiving its WAL) on :$PRIMARY and a streaming standby on :$STANDBY"
cluster_databases
# The base backup the restore rehearsal starts from, taken before anything is written.
as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p $PRIMARY -U postgres -D "$W/pg/base" -X stream -c fast

log "two minhu replicas on :$A and :$B, HAProxy on :$LB"
export MINHU_DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:$STANDBY/minhu"
export MINHU_JWT_SECRET="replicas-test-secret-of-at-least-32-bytes"
export MINHU_DEMO_PASSWORD="replicas-demo-password" MINHU_ADMIN_USERNAME=replica_admin MINHU_ADMIN_PASSWORD=replica-admin-password
export MINHU_WEBHOOK_ALLOW_HTTP=true MINHU_WEBHOOK_ALLOW_PRIVATE=true MINHU_JOB_INTERVAL_SECS=1
export MINHU_PUBLIC_CACHE_MS=0 MINHU_TRACK_RATE_LIMIT=0 RUST_LOG=warn
"$BIN" migrate >"$W/seed.log" 2>&1
"$BIN" seed-demo >>"$W/seed.log" 2>&1 || { cat "$W/seed.log"; exit 1; }
cluster_minhu "$BIN" $A
cluster_minhu "$BIN" $B
cluster_haproxy $A $B

STANDBY_STOP="runuser -u postgres -- $PGBIN/pg_ctl -D $W/pg/standby -m fast -w stop" \
STANDBY_START="runuser -u postgres -- $PGBIN/pg_ctl -D $W/pg/standby -l $W/pg/standby.log -w start" \
PRIMARY_PSQL="psql -Atq -h 127.0.0.1 -p $PRIMARY -U postgres minhu" \
LB_URL="http://127.0.0.1:$LB" A_URL="http://127.0.0.1:$A" B_URL="http://127.0.0.1:$B" \
A_PID="${MINHU_PIDS[0]}" HOOKS_PORT=$HOOKS \
python3 "$ROOT/tests/replicas/story.py" || {
  for f in "$W"/minhu-*.log "$W/haproxy.log"; do echo "== $f"; tail -20 "$f"; done
  exit 1
}

log "point-in-time recovery: the base backup and the archived WAL, up to a moment between two submissions"
on_primary() { psql -Atq -h 127.0.0.1 -p $PRIMARY -U postgres minhu -c "$1"; }
submit() { # submit TITLE → tracking number, through the surviving replica
  local token
  token=$(login_token "http://127.0.0.1:$B" replica_citizen citizen-pass-1)
  curl -fsS "http://127.0.0.1:$B/api/v1/petitions" -H "authorization: Bearer $token" -H 'content-type: application/json' \
    -d "{\"kind\":\"help\",\"category_id\":1,\"urgency\":\"normal\",\"title\":\"$1\",\"content\":\"恢复演练用的诉求内容\"}" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["tracking_no"])'
}
kept=$(submit "恢复演练：应当恢复")
target=$(on_primary "SELECT now()")
lost=$(submit "恢复演练：目标时间之后")
on_primary "SELECT pg_switch_wal()" >/dev/null
# Archived once the segment is complete: wait for the archiver to have taken it.
for _ in $(seq 1 100); do
  [ "$(on_primary "SELECT last_archived_wal >= pg_walfile_name(pg_current_wal_lsn() - 1) FROM pg_stat_archiver")" = t ] && break
  sleep 0.1
done
as_pg cp -a "$W/pg/base" "$W/pg/restored"
cat >>"$W/pg/restored/postgresql.conf" <<CONF
port = $RESTORED
archive_mode = off
restore_command = 'cp $W/pg/archive/%f %p'
recovery_target_time = '$target'
recovery_target_action = 'promote'
CONF
as_pg touch "$W/pg/restored/recovery.signal"
as_pg "$PGBIN/pg_ctl" -D "$W/pg/restored" -l "$W/pg/restored.log" -w -t 120 start >/dev/null
on_restored() { psql -Atq -h 127.0.0.1 -p $RESTORED -U postgres minhu -c "$1"; }
for _ in $(seq 1 200); do [ "$(on_restored "SELECT pg_is_in_recovery()")" = f ] && break; sleep 0.1; done
[ "$(on_restored "SELECT count(*) FROM petitions WHERE tracking_no = '$kept'")" = 1 ] \
  || { echo "the restore lost $kept (written before the target time)" >&2; tail -20 "$W/pg/restored.log"; exit 1; }
[ "$(on_restored "SELECT count(*) FROM petitions WHERE tracking_no = '$lost'")" = 0 ] \
  || { echo "the restore kept $lost (written after the target time)" >&2; exit 1; }
echo "restored to $target: $kept is there, $lost (later) is not; $(on_restored "SELECT count(*) FROM petitions") petitions"
