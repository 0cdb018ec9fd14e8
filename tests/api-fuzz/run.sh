#!/usr/bin/env bash
# Schemathesis (PyPI) against a live `minhu` server with the demo city, once on a fresh SQLite
# and once on a fresh PostgreSQL database, with every check: examples, coverage, fuzzing and
# stateful sequences, as an administrator and as the hotline operator. Fails on any finding.
# MINHU_FUZZ_BACKENDS narrows the databases; MINHU_FUZZ_EXAMPLES sets cases per operation.
source "$(dirname "$0")/../../.ci/lib.sh"
cd "$ROOT"

apt_install curl python3-venv
VENV="$MINHU_CACHE/venv"
if [ ! -x "$VENV/bin/schemathesis" ] || ! "$VENV/bin/schemathesis" --version | grep -q " 4\.32\."; then
  log "installing schemathesis 4.32 (PyPI)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "schemathesis==4.32.*"
fi

cargo build -q -p minhu
WORK="$(mktemp -d)"
PG_DB="minhu_fuzz_$$"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

login() { # login URL USER PASSWORD -> token
  curl -fsS -X POST -H 'content-type: application/json' \
    -d "{\"username\":\"$2\",\"password\":\"$3\"}" "$1/api/v1/auth/login" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

port=18180
for backend in ${MINHU_FUZZ_BACKENDS:-sqlite postgres}; do
  if [ "$backend" = sqlite ]; then
    url="sqlite://$WORK/minhu.db"
  else
    psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $PG_DB" >/dev/null
    url="postgres://postgres@127.0.0.1:5432/$PG_DB"
  fi
  port=$((port + 1))
  base="http://127.0.0.1:$port"
  log "schemathesis on $backend ($base)"
  export DATABASE_URL="$url" MINHU_DATA_DIR="$WORK/data" MINHU_DEMO_PASSWORD=fuzz-demo-password
  "$CARGO_TARGET_DIR/debug/minhu" migrate >"$WORK/seed-$backend.log" 2>&1
  "$CARGO_TARGET_DIR/debug/minhu" seed-demo >>"$WORK/seed-$backend.log" 2>&1 || { cat "$WORK/seed-$backend.log"; exit 1; }
  # No partner rate limit: the fuzzer is not a partner, but it may make itself one.
  MINHU_BIND="127.0.0.1:$port" MINHU_ADMIN_USERNAME=admin MINHU_ADMIN_PASSWORD=fuzz-admin-password \
    MINHU_PARTNER_RATE_LIMIT=0 MINHU_JOB_INTERVAL_SECS=0 RUST_LOG=warn \
    "$CARGO_TARGET_DIR/debug/minhu" serve >"$WORK/server-$backend.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    curl -fs "$base/readyz" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$WORK/server-$backend.log"; exit 1; }
    sleep 0.1
  done
  for who in "admin fuzz-admin-password" "demo_operator fuzz-demo-password"; do
    set -- $who
    token="$(login "$base" "$1" "$2")"
    log "as $1"
    ("$VENV/bin/schemathesis" --config-file "$ROOT/tests/api-fuzz/schemathesis.toml" run --checks all \
      --max-examples "${MINHU_FUZZ_EXAMPLES:-30}" --seed 20261123 --no-color \
      -H "Authorization: Bearer $token" --url "$base" "$base/api-docs/openapi.json") \
      || { echo "server log:"; tail -50 "$WORK/server-$backend.log"; exit 1; }
  done
  if grep -q "panicked" "$WORK/server-$backend.log"; then
    grep -B2 -A10 "panicked" "$WORK/server-$backend.log"; exit 1
  fi
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
done
