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
demo_init fuzz
export MINHU_DEMO_PASSWORD=fuzz-demo-password

port=18180
for backend in ${MINHU_FUZZ_BACKENDS:-sqlite postgres}; do
  port=$((port + 1))
  base="http://127.0.0.1:$port"
  log "schemathesis on $backend ($base)"
  # No partner rate limit: the fuzzer is not a partner, but it may make itself one.
  MINHU_ADMIN_USERNAME=admin \
    MINHU_ADMIN_PASSWORD=fuzz-admin-password MINHU_PARTNER_RATE_LIMIT=0 \
    MINHU_JOB_INTERVAL_SECS=0 demo_serve "$backend" "$port"
  for who in "admin fuzz-admin-password" "demo_operator fuzz-demo-password"; do
    set -- $who
    token="$(login_token "$base" "$1" "$2")"
    log "as $1"
    # Not `logout`: the fuzzer would sign its own token out and test nothing after that
    # (signing out is tested in tests/integration/authority.rs).
    ("$VENV/bin/schemathesis" --config-file "$ROOT/tests/api-fuzz/schemathesis.toml" run --checks all \
      --exclude-operation-id logout \
      --max-examples "${MINHU_FUZZ_EXAMPLES:-30}" --seed 20261123 --no-color \
      -H "Authorization: Bearer $token" --url "$base" "$base/api-docs/openapi.json") \
      || { echo "server log:"; tail -50 "$DEMO_LOG"; exit 1; }
  done
  if grep -q "panicked" "$DEMO_LOG"; then
    grep -B2 -A10 "panicked" "$DEMO_LOG"; exit 1
  fi
  demo_stop
done
