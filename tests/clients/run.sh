#!/usr/bin/env bash
# What a county portal's developer does with openapi/openapi.json, kept working by CI:
# validate it (openapi-spec-validator from PyPI, `redocly lint` from npm), generate a Python
# client (openapi-python-client) and TypeScript types (openapi-typescript), type-check a portal's
# TypeScript against them, and run a portal's story with the generated Python client against a
# live server on SQLite and on PostgreSQL. MINHU_CLIENT_BACKENDS narrows the databases.
source "$(dirname "$0")/../../.ci/lib.sh"
cd "$ROOT"

apt_install curl python3-venv
VENV="$MINHU_CACHE/clients-venv"
PY_TOOLS=("openapi-spec-validator==0.9.*" "openapi-python-client==0.29.*")
if ! "$VENV/bin/pip" show -q openapi-python-client 2>/dev/null \
  || ! "$VENV/bin/openapi-python-client" --version | grep -q " 0\.29\."; then
  log "installing ${PY_TOOLS[*]} (PyPI)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "${PY_TOOLS[@]}"
fi
NPM="$MINHU_CACHE/clients-npm"
if [ ! -x "$NPM/node_modules/.bin/redocly" ] || [ ! -x "$NPM/node_modules/.bin/openapi-typescript" ]; then
  log "installing @redocly/cli 2, openapi-typescript 7 and typescript 5 (npm)"
  mkdir -p "$NPM"
  npm install --silent --no-fund --no-audit --prefix "$NPM" \
    "@redocly/cli@2" "openapi-typescript@7" "typescript@5" >/dev/null
fi

DOC="$ROOT/openapi/openapi.json"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

log "validating the OpenAPI document (openapi-spec-validator)"
"$VENV/bin/openapi-spec-validator" "$DOC"

log "linting it (redocly, tests/clients/redocly.yaml)"
NO_UPDATE_NOTIFIER=1 REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
  "$NPM/node_modules/.bin/redocly" lint --config "$ROOT/tests/clients/redocly.yaml" \
  --format=stylish "$DOC" 2>&1 | grep -v '[║╔╚]'
test "${PIPESTATUS[0]}" -eq 0

log "generating the TypeScript types (openapi-typescript) and type-checking a portal's code"
"$NPM/node_modules/.bin/openapi-typescript" "$DOC" -o "$WORK/minhu.d.ts" >/dev/null
cp "$ROOT/tests/clients/portal.ts" "$WORK/portal.ts"
"$NPM/node_modules/.bin/tsc" --strict --noEmit --target es2022 --module es2022 \
  --moduleResolution bundler --lib es2022,dom "$WORK/portal.ts"

log "generating the Python client (openapi-python-client) and installing it"
"$VENV/bin/openapi-python-client" generate --path "$DOC" --output-path "$WORK/python" \
  --config "$ROOT/tests/clients/python-client.yaml" >"$WORK/generate.log" 2>&1 \
  || { cat "$WORK/generate.log"; exit 1; }
if grep -qi "warning" "$WORK/generate.log"; then
  echo "openapi-python-client left something out:" >&2; cat "$WORK/generate.log" >&2; exit 1
fi
"$VENV/bin/pip" install -q --force-reinstall --no-deps "$WORK/python"

cargo build -q -p minhu
demo_init clients
export MINHU_DEMO_PASSWORD=clients-demo-password
port=18280
for backend in ${MINHU_CLIENT_BACKENDS:-sqlite postgres}; do
  port=$((port + 1))
  log "a county portal's story with the generated Python client on $backend"
  MINHU_ADMIN_USERNAME=admin MINHU_ADMIN_PASSWORD=clients-admin-password \
    MINHU_JOB_INTERVAL_SECS=0 demo_serve "$backend" "$port"
  "$VENV/bin/python" "$ROOT/tests/clients/story.py" "http://127.0.0.1:$port" \
    admin clients-admin-password \
    || { echo "server log:"; tail -30 "$DEMO_LOG"; exit 1; }
  demo_stop
done
