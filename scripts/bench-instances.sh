#!/usr/bin/env bash
# One and two deskd on one PostgreSQL database, on this machine (issue 18; docs/deployment.md,
# "Several machines"). Starts a PostgreSQL cluster of its own in a temporary folder on a free
# loopback port, migrates a database with deskcli, starts two deskd on it (the first with --demo),
# then for ROUNDS rounds, in turn: intake (scripts/bench/intake.lua), issuing a walk-in number and
# call-next, each with wrk for DURATION against the first deskd alone (CONNECTIONS connections) and
# against both at once (half the connections each; each its own counter for call-next). Prints one
# table: requests/s summed over the wrk runs, the worst p50 and p99, answers other than 2xx; for
# call-next the numbers actually called per second (from the database: an empty queue answers 204).
#
#   scripts/bench-instances.sh                 # release build first; 2 rounds, 64 connections, 10 s
#   SKIP_BUILD=1 ROUNDS=3 scripts/bench-instances.sh
#
# Needs wrk and PostgreSQL's binaries (Debian: apt-get install -y wrk postgresql; DESK_PG_BIN to
# name a bin folder). Writes go one at a time across instances (the writers' lock): the second
# instance adds HTTP and JSON work in parallel, not writes. Use a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-2}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10s}
command -v wrk >/dev/null || { echo "bench-instances.sh: wrk is needed (apt-get install -y wrk)" >&2; exit 2; }
PGBIN=${DESK_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[[ -x "$PGBIN/pg_ctl" ]] || { echo "bench-instances.sh: PostgreSQL's binaries not found (apt-get install -y postgresql, or DESK_PG_BIN)" >&2; exit 2; }

if [[ -z "${SKIP_BUILD:-}" ]]; then
  scripts/build-release.sh deskd deskcli
fi
DESKD=.build-release/release/deskd
DESKCLI=.build-release/release/deskcli
WORK=$(mktemp -d /tmp/desk-instances-XXXXXX)
as_pg() { if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi }
[[ $EUID -eq 0 ]] && chown postgres "$WORK"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PGPORT=$(free_port)
PIDS=()
cleanup() {
  # The daemons first, by their ids, then the server; what has not stopped in 5 s is killed (daemons
  # left long without their server were once seen not to stop on SIGTERM: issue 18, noted).
  kill "${PIDS[@]}" $(jobs -p) 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "${PIDS[@]}" 2>/dev/null || break; sleep 0.1; done
  kill -9 "${PIDS[@]}" 2>/dev/null || true
  as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
as_pg "$PGBIN/initdb" -D "$WORK/data" -A trust -U desk --encoding=UTF8 --locale=C >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/pg.log" -w \
  -o "-p $PGPORT -k $WORK -c listen_addresses=127.0.0.1 -c max_connections=100" start >/dev/null
psql() { "$PGBIN/psql" -X -q -A -t -h 127.0.0.1 -p "$PGPORT" -U desk "$@"; }
psql -d postgres -c "CREATE DATABASE desk ENCODING 'UTF8' LOCALE 'C' TEMPLATE template0"
URL="postgres://desk@127.0.0.1:$PGPORT/desk?sslmode=disable"
"$DESKCLI" db migrate --database "$URL" >/dev/null

wait_ready() { for _ in $(seq 1 1200); do curl -sf "http://127.0.0.1:$1/readyz" >/dev/null && return 0; sleep 0.1; done; return 1; }
P1=$(free_port); P2=$(free_port)
started=$(date +%s.%N)
DESK_LOG_LEVEL=warning "$DESKD" --database "$URL" --port "$P1" --demo >"$WORK/d1.out" 2>"$WORK/d1.err" &
PIDS+=($!)
wait_ready "$P1" || { echo "the first deskd did not start:" >&2; cat "$WORK/d1.err" >&2; exit 1; }
echo "first deskd ready with --demo (3,000 seeded tickets) in $(echo "$(date +%s.%N) - $started" | bc) s"
DESK_LOG_LEVEL=warning "$DESKD" --database "$URL" --port "$P2" >"$WORK/d2.out" 2>"$WORK/d2.err" &
PIDS+=($!)
wait_ready "$P2" || { echo "the second deskd did not start:" >&2; cat "$WORK/d2.err" >&2; exit 1; }
export DESK_TOKEN; DESK_TOKEN=$(sed -n 's/^admin token: //p' "$WORK/d1.out")
for counter in 1 2; do
  curl -sf -o /dev/null -H "Authorization: Bearer $DESK_TOKEN" -H 'Content-Type: application/json' \
    -d "{\"number\":$counter,\"name\":\"Quầy $counter\",\"services\":[\"1.001193\"]}" "http://127.0.0.1:$P1/api/v1/counters"
  curl -sf -o /dev/null -X PATCH -H "Authorization: Bearer $DESK_TOKEN" -H 'Content-Type: application/json' \
    -d '{"open":true,"officer":"lan.mc"}' "http://127.0.0.1:$P1/api/v1/counters/$counter"
done

# wrk against each "port path" given, at once, CONNECTIONS shared among them; prints
# "requests/s p50 p99 non2xx" (summed, worst, worst, summed).
drive() {
  local script=$1; shift
  local n=$# each=$((CONNECTIONS / $#)) i=0
  for target in "$@"; do
    i=$((i + 1))
    wrk -t 1 -c "$each" -d "$DURATION" --latency -s "$script" "http://127.0.0.1:$target" >"$WORK/wrk.$i" &
  done
  wait $(jobs -p | tail -n "$n")
  for i in $(seq 1 "$n"); do
    awk '/Requests\/sec/ {r = $2} /^ +50%/ {p50 = $2} /^ +99%/ {p99 = $2} /Non-2xx/ {bad = $NF}
         END { printf "%s %s %s %d\n", r, p50, p99, bad }' "$WORK/wrk.$i"
  done | awk 'function ms(t) { if (t ~ /us$/) return t / 1000; if (t ~ /ms$/) return t + 0; if (t ~ /s$/) return t * 1000; return t }
    { r += $1; if (ms($2) > p50) p50 = ms($2); if (ms($3) > p99) p99 = ms($3); bad += $4 }
    END { printf "%8.0f %8.2f %8.2f %6d", r, p50, p99, bad }'
}
called() { psql -d desk -c "SELECT count(*) FROM queue_number WHERE state <> 'waiting'"; }
waiting() { psql -d desk -c "SELECT count(*) FROM queue_number WHERE state = 'waiting'"; }
seconds=${DURATION%s}

printf '%-10s %-9s %8s %8s %8s %6s %s\n' scenario instances "req/s" "p50 ms" "p99 ms" non2xx note
for round in $(seq 1 "$ROUNDS"); do
  for targets in "$P1" "$P1 $P2"; do
    set -- $targets
    printf '%-10s %-9s %s\n' intake "$#" "$(drive scripts/bench/intake.lua "${@/%//api/v1/tickets}")"
  done
  for targets in "$P1" "$P1 $P2"; do
    set -- $targets
    printf '%-10s %-9s %s\n' issue "$#" \
      "$(DESK_BODY='{"service":"1.001193"}' drive scripts/bench/post.lua "${@/%//api/v1/queue-numbers}")"
  done
  for targets in "$P1" "$P1 $P2"; do
    set -- $targets
    paths=("$P1/api/v1/counters/1/call-next")
    [[ $# -eq 2 ]] && paths+=("$P2/api/v1/counters/2/call-next")
    before=$(called)
    figures=$(DESK_BODY= drive scripts/bench/post.lua "${paths[@]}")
    after=$(called)
    left=$(waiting)
    printf '%-10s %-9s %s %s\n' call-next "$#" "$figures" \
      "numbers called: $(( (after - before) / seconds ))/s$( [[ $left -eq 0 ]] && echo ' (the queue ran out)')"
  done
done
echo "tickets: $(psql -d desk -c 'SELECT count(*) FROM ticket'), numbers: $(psql -d desk -c 'SELECT count(*) FROM queue_number')"
