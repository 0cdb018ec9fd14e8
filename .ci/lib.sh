# Shared by .ci/run (tests) and .ci/start (run the product): install what is missing,
# build the SPA. Everything downloaded or built lives outside the clone, under $MINHU_CACHE.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export MINHU_CACHE="${MINHU_CACHE:-/var/cache/minhu}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$MINHU_CACHE/target}"
TOOLS="$MINHU_CACHE/tools"
export PATH="$TOOLS/bin:$HOME/.cargo/bin:$PATH"
mkdir -p "$MINHU_CACHE" "$TOOLS"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

apt_updated=0
apt_install() { # apt_install PKG... (only the missing ones)
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  if [ $apt_updated -eq 0 ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_build_deps() {
  apt_install libpq-dev libsqlite3-dev pkg-config
  rustup target list --installed | grep -qx wasm32-unknown-unknown \
    || rustup target add wasm32-unknown-unknown
  # The wasm-bindgen CLI must be exactly the version in Cargo.lock.
  local want have=""
  want="$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print}' "$ROOT/Cargo.lock")"
  command -v wasm-bindgen >/dev/null && have="$(wasm-bindgen --version | awk '{print $2}')"
  if [ "$have" != "$want" ]; then
    log "installing wasm-bindgen-cli $want"
    # Not --locked: its lockfile pins a webpki-roots the registry no longer has.
    cargo install -q --root "$TOOLS" wasm-bindgen-cli --version "$want"
  fi
}

# binaryen's wasm-opt from npm (Debian's binaryen 108 produces wasm Chromium refuses).
WASM_OPT="$MINHU_CACHE/binaryen/node_modules/.bin/wasm-opt"
ensure_wasm_opt() {
  [ -x "$WASM_OPT" ] && return 0
  log "installing wasm-opt (npm binaryen@132)"
  mkdir -p "$MINHU_CACHE/binaryen"
  npm install --silent --prefix "$MINHU_CACHE/binaryen" binaryen@132 >/dev/null
}

file_sizes() { # file_sizes FILE...: each one's name and size, plain, gzip and brotli
  local f sep=""
  for f in "$@"; do
    printf '%s%s %s B (gzip %s, br %s)' "$sep" "$(basename "$f")" "$(stat -c %s "$f")" \
      "$(stat -c %s "$f.gz")" "$(stat -c %s "$f.br")"
    sep=", "
  done
}

# Two builds of the web crate, both in web/dist: the residents' app (`minhu.js`, without the
# `work` feature: the public site, submitting, one's own petitions, messages, account, rating)
# and the work app (`minhu-work.js`, every page). index.html loads the work app for the
# officials' pages only, so a resident's first visit downloads the smaller one.
build_web() { # build_web PROFILE(dev|release)
  local profile="${1:-release}" cargo_profile dir
  cargo_profile=$([ "$profile" = dev ] && echo dev || echo wasm-release)
  dir=$([ "$profile" = dev ] && echo debug || echo wasm-release)
  local out="$ROOT/web/dist"
  rm -rf "$out.tmp" && mkdir -p "$out.tmp"
  local name features
  for name in minhu minhu-work; do
    # Both share the target directory: only minhu-web itself is rebuilt for the other features,
    # and its wasm (one file name for both) is taken right after each build.
    features=""
    [ "$name" = minhu ] && features=--no-default-features
    log "building the web app: $name ($profile)"
    (cd "$ROOT" && cargo build -q -p minhu-web --lib --target wasm32-unknown-unknown \
      --profile "$cargo_profile" $features)
    wasm-bindgen --target web --no-typescript --out-dir "$out.tmp" --out-name "$name" \
      "$CARGO_TARGET_DIR/wasm32-unknown-unknown/$dir/minhu_web.wasm"
    if [ "$profile" != dev ]; then
      ensure_wasm_opt
      log "shrinking $name's wasm (wasm-opt -Oz)"
      "$WASM_OPT" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
        --enable-reference-types --enable-multivalue --enable-mutable-globals \
        -o "$out.tmp/${name}_bg.opt.wasm" "$out.tmp/${name}_bg.wasm"
      mv "$out.tmp/${name}_bg.opt.wasm" "$out.tmp/${name}_bg.wasm"
    fi
  done
  cp "$ROOT"/web/static/* "$out.tmp"/
  # Named by their content, so browsers keep them a year without asking again; index.html,
  # which names them, is revalidated on every visit (api/src/http/spa.rs). Each name is
  # replaced only where it stands whole, between quotes ('/minhu.js' is not '/minhu-work.js').
  local f hash stem ext
  for f in minhu.js minhu_bg.wasm minhu-work.js minhu-work_bg.wasm style.css; do
    hash=$(sha256sum "$out.tmp/$f" | cut -c1-10)
    stem="${f%.*}" ext="${f##*.}"
    mv "$out.tmp/$f" "$out.tmp/$stem-$hash.$ext"
    grep -q "[\"']/$stem\.$ext[\"']" "$out.tmp/index.html" \
      || { echo "index.html does not name /$f" >&2; return 1; }
    sed -i "s|\([\"']\)/${stem}\.${ext}\([\"']\)|\1/$stem-$hash.$ext\2|g" "$out.tmp/index.html"
  done
  if [ "$profile" != dev ]; then
    # Kept precompressed beside each file: the server sends the variant the browser takes.
    apt_install brotli
    for f in "$out.tmp"/*.js "$out.tmp"/*.wasm "$out.tmp"/*.css "$out.tmp"/*.html; do
      gzip -9 -k -n "$f"
      brotli -q 11 -k "$f"
    done
    local h='??????????' # a content hash
    log "the web app: residents $(file_sizes "$out.tmp"/minhu_bg-$h.wasm "$out.tmp"/minhu-$h.js);" \
      "work app $(file_sizes "$out.tmp"/minhu-work_bg-$h.wasm "$out.tmp"/minhu-work-$h.js);" \
      "both $(file_sizes "$out.tmp"/style-$h.css "$out.tmp"/index.html)"
  fi
  rm -rf "$out" && mv "$out.tmp" "$out"
}

# An S3-compatible stand-in (moto, from PyPI) for the photo-store tests on 127.0.0.1:9000,
# with the bucket they use; exports the AWS_* variables the store (object_store) reads.
ensure_s3() {
  local venv="$MINHU_CACHE/moto"
  if [ ! -x "$venv/bin/moto_server" ]; then
    log "installing moto 5.2 (an S3 stand-in for the photo-store tests)"
    apt_install python3-venv curl
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "moto[s3]==5.2.*" flask flask-cors
  fi
  export AWS_ENDPOINT=http://127.0.0.1:9000 AWS_ALLOW_HTTP=true AWS_REGION=us-east-1 \
    AWS_ACCESS_KEY_ID=minhu-test AWS_SECRET_ACCESS_KEY=minhu-test
  if ! curl -s -o /dev/null "$AWS_ENDPOINT/"; then
    log "starting the S3 stand-in on $AWS_ENDPOINT"
    nohup "$venv/bin/moto_server" -H 127.0.0.1 -p 9000 >"$MINHU_CACHE/moto.log" 2>&1 &
    for _ in $(seq 1 100); do curl -s -o /dev/null "$AWS_ENDPOINT/" && break; sleep 0.2; done
  fi
  curl -s -o /dev/null -X PUT "$AWS_ENDPOINT/minhu-test"
  curl -sf -o /dev/null "$AWS_ENDPOINT/minhu-test" || {
    echo "the S3 stand-in on $AWS_ENDPOINT does not answer (see $MINHU_CACHE/moto.log)" >&2
    return 1
  }
}

# A real SMTP server for the e-mail tests (aiosmtpd from PyPI, tests/smtp/server.py): what it
# receives is written as JSON under $MINHU_TEST_MAILDIR/<recipient>/.
ensure_smtp() {
  local venv="$MINHU_CACHE/smtp"
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import aiosmtpd' 2>/dev/null; then
    log "installing aiosmtpd 1.4 (an SMTP server for the e-mail tests)"
    apt_install python3-venv
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "aiosmtpd==1.4.*"
  fi
  export MINHU_TEST_SMTP_URL=smtp://127.0.0.1:2525 MINHU_TEST_MAILDIR="$MINHU_CACHE/mail"
  if ! (exec 3<>/dev/tcp/127.0.0.1/2525) 2>/dev/null; then
    log "starting the SMTP server on 127.0.0.1:2525"
    nohup "$venv/bin/python" "$ROOT/tests/smtp/server.py" 127.0.0.1 2525 "$MINHU_TEST_MAILDIR" \
      >"$MINHU_CACHE/smtp.log" 2>&1 &
    for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/2525) 2>/dev/null && return 0; sleep 0.2; done
    echo "the SMTP server did not start on 127.0.0.1:2525 (see $MINHU_CACHE/smtp.log)" >&2
    return 1
  fi
}

ensure_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then return 0; fi
  apt_install postgresql
  log "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && return 0; sleep 1; done
  echo "PostgreSQL did not become ready on 127.0.0.1:5432" >&2; return 1
}

# Waits until the server on PORT answers /readyz, by asking rather than sleeping a fixed time;
# fails with its log if process PID exits first or it is not ready within 10 s.
wait_ready() { # wait_ready PORT PID LOG [TENTHS OF A SECOND, default 100]
  for _ in $(seq 1 "${4:-100}"); do
    if curl -fs "http://127.0.0.1:$1/readyz" >/dev/null 2>&1; then
      # Answered by this server, not by one left on the port (a bench's, a crashed run's),
      # whose answers would pass for its own while it failed to listen.
      # (Only where `ss` names the listener: an older ss, a sandbox or another user's process
      # may leave it unnamed, and then this check is skipped rather than failed.)
      local held
      held=$(ss -tlnp "sport = :$1" 2>/dev/null || true)
      if [[ $held == *pid=* && $held != *"pid=$2,"* ]]; then
        echo "port $1 is held by another process: $held" >&2; cat "$3"; exit 1
      fi
      return 0
    fi
    kill -0 "$2" 2>/dev/null || { cat "$3"; exit 1; }
    sleep 0.1
  done
  echo "the server on port $1 did not become ready" >&2; cat "$3"; exit 1
}

# Prints an access token for USER from the server at URL.
login_token() { # login_token URL USER PASSWORD
  curl -fsS -X POST -H 'content-type: application/json' \
    -d "{\"username\":\"$2\",\"password\":\"$3\"}" "$1/api/v1/auth/login" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

# A `minhu` server with the demo city on a fresh database, for the e2e and fuzz runs.
#   demo_init NAME            once per script: scratch dir, PostgreSQL name, cleanup on exit
#   demo_serve BACKEND PORT   migrate, seed (MINHU_DEMO_PASSWORD), serve, wait until ready;
#                             extra server settings come from the caller's environment
#   demo_stop                 stop the server
demo_init() {
  DEMO_WORK="$(mktemp -d)"
  DEMO_PG_DB="minhu_$1_$$"
  DEMO_PID=""
  trap demo_cleanup EXIT
}

demo_cleanup() {
  demo_stop
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DEMO_PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$DEMO_WORK"
}

demo_stop() {
  if [ -n "${DEMO_PID:-}" ]; then
    kill "$DEMO_PID" 2>/dev/null || true
    wait "$DEMO_PID" 2>/dev/null || true
  fi
  DEMO_PID=""
}

demo_serve() { # demo_serve BACKEND PORT
  local backend="$1" port="$2" url bin="$CARGO_TARGET_DIR/debug/minhu"
  if [ "$backend" = sqlite ]; then
    url="sqlite://$DEMO_WORK/minhu.db"
  else
    psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $DEMO_PG_DB" >/dev/null
    url="postgres://postgres@127.0.0.1:5432/$DEMO_PG_DB"
  fi
  export DATABASE_URL="$url" MINHU_DATA_DIR="$DEMO_WORK/data"
  "$bin" migrate >"$DEMO_WORK/seed-$backend.log" 2>&1
  "$bin" seed-demo >>"$DEMO_WORK/seed-$backend.log" 2>&1 || { cat "$DEMO_WORK/seed-$backend.log"; exit 1; }
  DEMO_LOG="$DEMO_WORK/server-$backend.log"
  MINHU_BIND="127.0.0.1:$port" RUST_LOG=warn "$bin" serve >"$DEMO_LOG" 2>&1 &
  DEMO_PID=$!
  wait_ready "$port" "$DEMO_PID" "$DEMO_LOG"
}
