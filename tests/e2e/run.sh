#!/usr/bin/env bash
# End-to-end: the built web app (web/dist) in headless Chromium against a real `minhu` server,
# once on a fresh SQLite database and once on a fresh PostgreSQL database.
source "$(dirname "$0")/../../.ci/lib.sh"
cd "$ROOT"

apt_install chromium fonts-wqy-microhei curl
E2E="$MINHU_CACHE/e2e"
if [ ! -d "$E2E/node_modules/playwright-core" ]; then
  log "installing playwright-core (drives Debian's chromium; no browser download)"
  mkdir -p "$E2E" && npm install --silent --prefix "$E2E" playwright-core@1.65 >/dev/null
fi
export NODE_PATH="$E2E/node_modules"

cargo build -q -p minhu # a no-op after `cargo test`; never test a stale server
WORK="$(mktemp -d)"
PG_DB="minhu_e2e_$$"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

port=18080
for backend in ${MINHU_E2E_BACKENDS:-sqlite postgres}; do
  if [ "$backend" = sqlite ]; then
    url="sqlite://$WORK/minhu.db"
  else
    psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $PG_DB" >/dev/null
    url="postgres://postgres@127.0.0.1:5432/$PG_DB"
  fi
  port=$((port + 1))
  log "e2e on $backend (port $port)"
  export DATABASE_URL="$url" MINHU_DATA_DIR="$WORK/data" MINHU_DEMO_PASSWORD=e2e-demo-password
  "$CARGO_TARGET_DIR/debug/minhu" migrate >"$WORK/seed-$backend.log" 2>&1
  "$CARGO_TARGET_DIR/debug/minhu" seed-demo >>"$WORK/seed-$backend.log" 2>&1 || { cat "$WORK/seed-$backend.log"; exit 1; }
  MINHU_BIND="127.0.0.1:$port" MINHU_WEB_DIR="$ROOT/web/dist" \
    MINHU_ADMIN_USERNAME=admin MINHU_ADMIN_PASSWORD=e2e-admin-password RUST_LOG=warn \
    "$CARGO_TARGET_DIR/debug/minhu" serve >"$WORK/server-$backend.log" 2>&1 &
  server_pid=$!
  # Wait for readiness by asking, not by sleeping a fixed time.
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$WORK/server-$backend.log"; exit 1; }
    sleep 0.1
  done
  MINHU_URL="http://127.0.0.1:$port" MINHU_BACKEND="$backend" MINHU_SHOTS="${MINHU_SHOTS:-$MINHU_CACHE/screenshots}" \
    node --test --test-concurrency=1 --test-reporter=spec "$ROOT/tests/e2e/"*.test.mjs
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
done
