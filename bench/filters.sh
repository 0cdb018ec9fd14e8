#!/usr/bin/env bash
# Every list filter, at the size of the database it runs on (a benchmark: prints, asserts
# nothing). A filtered list that reads history it does not show (a value the history seldom
# holds, found by walking every petition newest first) is slow only at scale and only for that
# filter: this finds it. Each variant is asked three times (the best time is printed, in ms, with
# the HTTP status, who asked and what), slowest first. Public pages are kept for a moment by a
# server that keeps them: run it against one started with MINHU_PUBLIC_CACHE_MS=0 (as
# bench/run.sh does) to time their reads.
#   BASE=http://127.0.0.1:18181 OPERATOR=… UNIT=… COMMUNITY=… DATABASE_URL=postgres://… \
#     bash bench/filters.sh
# (bench/run.sh runs it on PostgreSQL after its measures, with the tokens it made.)
set -u
now=$(date -u +%s)
iso() { date -u -d "@$((now + $1))" +%Y-%m-%dT%H:%M:%SZ; }
day=86400
D1=$(iso -$day); D7=$(iso -$((7 * day))); D30=$(iso -$((30 * day))); SOON=$(iso 60)
Y3=$(iso -$((1095 * day))); Y3M=$(iso -$((1064 * day)))
community=$(psql -At -h 127.0.0.1 -U postgres -c "SELECT unit_id FROM users WHERE username = 'demo_community'" "$DATABASE_URL")
last_category=$(psql -At -h 127.0.0.1 -U postgres -c "SELECT max(id) FROM categories" "$DATABASE_URL")
ask() { # ask WHO TOKEN PATH
  local best=999999 code ms
  for _ in 1 2 3; do
    read -r code ms < <(curl -s -o /dev/null -w "%{http_code} %{time_total}\n" \
      ${2:+-H "Authorization: Bearer $2"} "$BASE$3")
    ms=$(awk -v s="$ms" 'BEGIN { printf "%d", s * 10000 }')
    [ "$ms" -lt "$best" ] && best=$ms
  done
  if [ "$code" = 000 ]; then # no answer at all
    printf '  failed     %-9s %s\n' "$1" "$3"
  else
    awk -v b="$best" -v c="$code" -v w="$1" -v p="$3" 'BEGIN { printf "%8.1f ms  %s %-9s %s\n", b / 10, c, w, p }'
  fi
}
{
  for who in "office:$OPERATOR" "district:$UNIT" "community:$COMMUNITY"; do
    n=${who%%:*}; t=${who#*:}
    P=/api/v1/petitions
    ask "$n" "$t" "$P"; ask "$n" "$t" "$P?page=50"
    for s in submitted needs_info accepted dispatched handling replied closed rejected merged withdrawn; do
      ask "$n" "$t" "$P?status=$s"
    done
    for k in consultation help complaint report suggestion civility; do ask "$n" "$t" "$P?kind=$k"; done
    for u in emergency urgent normal; do ask "$n" "$t" "$P?urgency=$u"; done
    ask "$n" "$t" "$P?category_id=1"; ask "$n" "$t" "$P?category_id=$last_category"
    ask "$n" "$t" "$P?unit_id=2"
    [ -n "$community" ] && ask "$n" "$t" "$P?unit_id=$community"
    ask "$n" "$t" "$P?q=%E8%B7%AF%E7%81%AF"; ask "$n" "$t" "$P?q=zzzqqq"; ask "$n" "$t" "$P?q=1381234"
    ask "$n" "$t" "$P?from=$D1"; ask "$n" "$t" "$P?from=$D7"; ask "$n" "$t" "$P?from=$D30&to=$SOON"
    ask "$n" "$t" "$P?to=$Y3"; ask "$n" "$t" "$P?from=$Y3&to=$Y3M"
    for l in red yellow green; do ask "$n" "$t" "$P?light=$l"; done
    ask "$n" "$t" "$P?overdue=true"
    ask "$n" "$t" "$P?status=closed&unit_id=2"; ask "$n" "$t" "$P?status=submitted&from=$D7"
    ask "$n" "$t" "$P?kind=complaint&from=$D30"; ask "$n" "$t" "$P?status=withdrawn&to=$Y3"
    ask "$n" "$t" "$P?urgency=emergency&status=handling"
    A=/api/v1/assignments
    ask "$n" "$t" "$A"; ask "$n" "$t" "$A?page=50"
    for s in pending handling replied returned; do ask "$n" "$t" "$A?state=$s"; done
    ask "$n" "$t" "$A?overdue=true"
    for l in red yellow green; do ask "$n" "$t" "$A?light=$l"; done
    for r in extension return; do ask "$n" "$t" "$A?open_request=$r"; done
  done
  ask public "" "/api/v1/public/petitions?page=50"; ask public "" "/api/v1/public/petitions?sort=supporters"
  ask public "" "/api/v1/public/petitions?category_id=$last_category"
  ask public "" "/open311/v2/requests.json?status=open"; ask public "" "/open311/v2/requests.json?service_code=1"
  ask public "" "/open311/v2/requests.json?service_code=$last_category"
  ask public "" "/open311/v2/requests.json?start_date=$Y3&end_date=$Y3M"
} | sort -rn
