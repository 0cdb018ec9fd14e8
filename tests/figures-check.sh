#!/usr/bin/env bash
# Every kept figure equals the figure recomputed from the petitions: the demo city, one run of
# the background jobs (which closes what nobody rated), then `minhu rebuild-figures --check`,
# which writes nothing and fails on any differing row — on SQLite and on PostgreSQL.
source "$(dirname "$0")/../.ci/lib.sh"
BIN="$CARGO_TARGET_DIR/debug/minhu"
WORK="$(mktemp -d)"
DB="minhu_figures_$$"
trap 'psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1; rm -rf "$WORK"' EXIT
psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $DB" >/dev/null
for url in "sqlite://$WORK/figures.db" "postgres://postgres@127.0.0.1:5432/$DB"; do
  export DATABASE_URL="$url" MINHU_DATA_DIR="$WORK/data" RUST_LOG=warn
  "$BIN" seed-demo >/dev/null
  "$BIN" run-jobs
  "$BIN" rebuild-figures --check
done
