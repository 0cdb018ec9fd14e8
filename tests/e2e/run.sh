#!/usr/bin/env bash
# End-to-end: the built web app (web/dist) in headless Chromium against a real `minhu` server,
# once on a fresh SQLite database and once on a fresh PostgreSQL database.
# MINHU_E2E_BACKENDS="sqlite" runs on one only; MINHU_E2E_TESTS="caching story" runs only
# tests/e2e/caching.test.mjs and story.test.mjs.
source "$(dirname "$0")/../../.ci/lib.sh"
cd "$ROOT"

apt_install chromium fonts-wqy-microhei curl
E2E="$MINHU_CACHE/e2e"
if [ ! -d "$E2E/node_modules/playwright-core" ]; then
  log "installing playwright-core (drives Debian's chromium; no browser download)"
  mkdir -p "$E2E" && npm install --silent --prefix "$E2E" playwright-core@1.65 >/dev/null
fi
if [ ! -f "$E2E/node_modules/axe-core/axe.min.js" ]; then
  log "installing axe-core (the accessibility checks, run inside the page)"
  mkdir -p "$E2E" && npm install --silent --prefix "$E2E" axe-core@4 >/dev/null
fi
export NODE_PATH="$E2E/node_modules"

cargo build -q -p minhu # a no-op after `cargo test`; never test a stale server
demo_init e2e
export MINHU_DEMO_PASSWORD=e2e-demo-password # the demo accounts' password, also for the tests

tests=()
for name in ${MINHU_E2E_TESTS:-}; do tests+=("$ROOT/tests/e2e/$name.test.mjs"); done
[ ${#tests[@]} -gt 0 ] || tests=("$ROOT/tests/e2e/"*.test.mjs)

port=18080
for backend in ${MINHU_E2E_BACKENDS:-sqlite postgres}; do
  port=$((port + 1))
  log "e2e on $backend (port $port)"
  MINHU_WEB_DIR="$ROOT/web/dist" MINHU_ADMIN_USERNAME=admin MINHU_ADMIN_PASSWORD=e2e-admin-password \
    demo_serve "$backend" "$port"
  MINHU_URL="http://127.0.0.1:$port" MINHU_BACKEND="$backend" MINHU_SHOTS="${MINHU_SHOTS:-$MINHU_CACHE/screenshots}" \
    node --test --test-concurrency=1 --test-reporter=spec "${tests[@]}"
  demo_stop
done
