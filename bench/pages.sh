#!/usr/bin/env bash
# PostgreSQL alone on each page's own statements (a benchmark: prints, asserts nothing; called
# by bench/run.sh). For each measured read it asks the running server for the page once with
# PostgreSQL logging every statement, takes the statements that request ran (those of the
# account's admission left out: under load it is kept), and runs exactly them with pgbench —
# prepared, with the same values as parameters, 16 clients, 10 s — on the same database. That
# is the most any server could serve of that page on these statements: the issue's ratio
# (req/s ÷ point select) cannot pass this one's, and minhu ÷ it is the share the server keeps.
# A submission (a request that posts a body, `--data-binary`, and is answered with the new
# petition's `id` and `tracking_no`) runs the same way, its own values made new on every run:
# the number from a random, the id from the petition's insert (`\gset`); its ratio is to
# pgbench's single insert.
#   DB=name ARGS=dir bash bench/pages.sh MEASURE …
# ARGS/MEASURE holds the measure's curl arguments, one a line (bench/run.sh writes them).
# Prints "MEASURE STATEMENTS TPS" a line; nothing where PostgreSQL's log cannot be read.
set -euo pipefail
log_file=$(ls -t /var/log/postgresql/postgresql-*-main.log 2>/dev/null | head -1 || true)
[ -r "$log_file" ] || { echo "PostgreSQL's log not found under /var/log/postgresql: page limits not measured" >&2; exit 0; }
: "${DB:?the database}" "${ARGS:?the directory of the curl arguments of each measure}"
work=$(mktemp -d)
# (The reset clears any log_statement the database had of its own.)
trap 'psql -q -h 127.0.0.1 -U postgres -c "ALTER DATABASE $DB RESET log_statement" >/dev/null 2>&1; rm -rf "$work"' EXIT
psql -q -h 127.0.0.1 -U postgres -c "ALTER DATABASE $DB SET log_statement = 'all'" >/dev/null
# The setting holds for sessions begun after it: the server's pooled connections began before,
# so the server is asked to drop them (a connection refused by the pool is made anew).
psql -q -h 127.0.0.1 -U postgres -c \
  "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$DB' AND pid <> pg_backend_pid() AND backend_type = 'client backend'" "$DB" >/dev/null
# capture DIR: asks for the page once and writes the statements it ran to DIR/script, their
# values to DIR/defines.
capture() {
  mkdir -p "$1"
  from=$(wc -l <"$log_file")
  curl -fs -o "$1/body" "${args[@]}" || return 1
  # PostgreSQL may write the log after answering: wait for the request's first line, then a
  # moment for the rest.
  for _ in $(seq 1 50); do
    grep -q "@$DB " < <(tail -n +"$((from + 1))" "$log_file") && break
    sleep 0.1
  done
  sleep 0.3
  tail -n +"$((from + 1))" "$log_file" >"$1/log"
  local posted=""
  [[ " ${args[*]} " == *" --data-binary "* ]] && posted=1
  python3 - "$DB" "$1/log" "$1/script" "$1/defines" "$1/body" "$posted" <<'EOF'
import json, re, sys
db, log, script, defines, body, posted = sys.argv[1:]
# A submission's answer names the petition it made: its number and id are made new on each run.
made = None
if posted:
    try:
        made = json.load(open(body, encoding='utf-8'))
    except ValueError:
        pass
    made = made if isinstance(made, dict) and 'tracking_no' in made and 'id' in made else None
head = re.compile(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d')
entries = []
for line in open(log, encoding='utf-8', errors='replace'):
    line = line.rstrip('\n')
    if head.match(line):
        entries.append(line)
    elif entries:  # a value or statement that went on over lines
        entries[-1] += '\n' + line
# The request's own connection: the one that ran most of the statements kept below (another,
# a job's poll or a connection being made in the same moment, is left out); all of them where
# the log's lines name no process.
def kept(e):
    m = re.search(r'LOG:  (?:execute [^:]+|statement): (.*)$', e, re.S)
    return m and not m.group(1).startswith('SET ') and '"revoked_tokens"' not in m.group(1)
pids = [m.group(1) for e in entries
        if f'@{db} ' in e and kept(e) and (m := re.search(r' \[(\d+)\] ', e))]
own = max(set(pids), key=pids.count) if pids else None
statements = []
for e in entries:
    if f'@{db} ' not in e or (own and f' [{own}] ' not in e):
        continue
    m = re.search(r'LOG:  (?:execute [^:]+|statement): (.*)$', e, re.S)
    if m:
        statements.append([m.group(1), {}])
        continue
    m = re.search(r'DETAIL:  parameters: (.*)$', e, re.S)
    if m and statements:
        for k, v in re.findall(r"\$(\d+) = (NULL|'(?:[^']|'')*')", m.group(1)):
            statements[-1][1][int(k)] = None if v == 'NULL' else v[1:-1].replace("''", "'")
out, defs = [], []
if made:
    out.append('\\set made random(1, 1000000000000)')
for i, (sql, params) in enumerate(statements):
    if '"revoked_tokens"' in sql:  # the admission: kept under load
        continue
    if sql.startswith('SET '):  # a connection being made meanwhile (time zone, encoding)
        continue
    end = ';'
    # The new petition's id, for the statements after it (PostgreSQL's insert writes the
    # search text and repeat index in the same statement: WITH p AS (INSERT …) … SELECT * FROM p).
    if made and sql.startswith('WITH p AS (INSERT INTO "petitions"'):
        sql = re.sub(r' SELECT \* FROM p$', ' SELECT p.id FROM p', sql)
        end = ' \\gset made_'
    elif made and sql.startswith('INSERT INTO "petitions"'):
        sql = re.sub(r' RETURNING .*$', ' RETURNING "petitions"."id"', sql, flags=re.S)
        end = ' \\gset made_'
    # The kept counts' slot (api/src/db/figures.rs) is the writing worker's own: each pgbench
    # client takes its own, as each of the server's workers does.
    slot = re.search(r'\$(\d+) FROM unnest\(', sql) if made and ', slot)' in sql else None
    if slot:
        sql = re.sub(rf'\${slot.group(1)}(?!\d)', '(:client_id % 16)', sql)
        params.pop(int(slot.group(1)), None)
    for k in sorted(params, reverse=True):
        v = params[k]
        if v is None:
            sql = sql.replace(f'${k}', 'NULL')
            continue
        if made and v == made['tracking_no']:
            sql = sql.replace(f'${k}', "('bench-' || :made)")
            continue
        if made and v == str(made['id']) and end == ';' and any('gset made_' in o for o in out):
            sql = sql.replace(f'${k}', ':made_id')
            continue
        # The log does not say the values' types: PostgreSQL infers a scalar's from where it
        # stands, but not an array's (unnest, ANY), so arrays say theirs.
        cast = ''
        if v.startswith('{'):
            items = [x.strip('"') for x in v[1:-1].split(',')] if v != '{}' else []
            if all(re.fullmatch(r'-?\d+', x) for x in items):
                cast = '::int8[]'
            elif all(re.fullmatch(r'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?', x) for x in items):
                cast = '::timestamp[]'
            else:
                cast = '::text[]'
        sql = sql.replace(f'${k}', f':s{i}p{k}{cast}')
        defs.append(f's{i}p{k}={v}')
    out.append(' '.join(sql.split('\n')) + end)
open(script, 'w').write('\n'.join(out) + '\n')
# NUL-separated: a value may hold a line break (a petition's search text does).
open(defines, 'w').write(''.join(d + '\0' for d in defs))
EOF
}

for m in "$@"; do
  [ -r "$ARGS/$m" ] || continue
  mapfile -t args <"$ARGS/$m"
  # Until it answers three times in a row: each connection ended above fails the one request
  # that meets it (503) and is replaced; then statements are prepared and the admission kept.
  ok=0
  for _ in $(seq 1 60); do
    if curl -fs -o /dev/null "${args[@]}"; then ok=$((ok + 1)); else ok=0; fi
    [ "$ok" -ge 3 ] && break
  done
  # Twice, keeping the shorter: a statement of something else in the same moment (a
  # connection being made) would make one longer.
  capture "$work/a" || { echo "$m: the page failed" >&2; continue; }
  capture "$work/b" || { echo "$m: the page failed" >&2; continue; }
  # (Never one with no statement at all.)
  best="$work/a"
  [ "$(grep -c . "$work/b/script")" -lt "$(grep -c . "$work/a/script")" ] && [ "$(grep -c ';$\|gset made_$' "$work/b/script")" -gt 0 ] \
    && best="$work/b"
  count=$(grep -c ';$\|gset made_$' "$best/script" || true)
  [ "$count" -gt 0 ] || { echo "$m 0 —"; continue; }
  mapfile -d '' -t defs <"$best/defines"
  dargs=(); for d in "${defs[@]}"; do dargs+=(-D "$d"); done
  # pgbench's own statements are not logged (they would slow it, and fill the log).
  tps=$(PGOPTIONS='-c log_statement=none' pgbench -n -M prepared -c16 -j2 -T10 "${dargs[@]}" -f "$best/script" -h 127.0.0.1 -U postgres "$DB" 2>"$work/err" \
    | awk '/^tps/ {print int($3); exit}' || true)
  [ -n "$tps" ] || { echo "$m: pgbench failed: $(head -3 "$work/err")" >&2; tps="—"; }
  echo "$m $count $tps"
done
