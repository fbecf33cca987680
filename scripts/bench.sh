#!/usr/bin/env bash
# Intake throughput of deskd beside the bare ceiling, measured in one run (issue 17;
# docs/benchmarks.md). Builds the release binaries (deskd into .build-release, the bare
# Hummingbird + GRDB group-commit server in its own package), then for ROUNDS rounds, alternately:
# a fresh bare server and a fresh deskd (--demo, a new database each), each driven by wrk with
# CONNECTIONS connections for DURATION. For each run: requests/s, p50/p99 latency, answers other
# than 2xx, and the server's CPU per request (its utime+stime from /proc, before and after).
# Prints one table and deskd's share of the ceiling.
#
#   scripts/bench.sh                      # 3 rounds, 64 connections, 10 s each
#   ROUNDS=5 CONNECTIONS=256 scripts/bench.sh
#
# Needs wrk (Debian: apt-get install -y wrk). Use a quiet machine; nothing else heavy at once.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
command -v wrk >/dev/null || { echo "bench.sh: wrk is needed (apt-get install -y wrk)" >&2; exit 2; }

if [[ -z "${SKIP_BUILD:-}" ]]; then
  swift build -c release --scratch-path .build-release --product deskd
  swift build -c release --package-path Benchmarks/BareServer
fi
DESKD=.build-release/release/deskd
BARE=Benchmarks/BareServer/.build/release/BareServer
WORK=$(mktemp -d /tmp/desk-bench-XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
wait_port() { for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }
HZ=$(getconf CLK_TCK)

# run NAME PID PORT SCRIPT -> one table row
run() {
  local name=$1 pid=$2 port=$3 script=$4
  local before after out rps p50 p99 errors requests
  before=$(ticks "$pid")
  out=$(wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency -s "$script" "http://127.0.0.1:$port")
  after=$(ticks "$pid")
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
  local cpu_us
  cpu_us=$(awk -v t=$((after - before)) -v hz="$HZ" -v n="$requests" 'BEGIN { printf "%.0f", (n > 0 ? t / hz * 1e6 / n : 0) }')
  printf "%-6s %-6s %10s %9s %9s %8s %12s\n" "$name" "$ROUND" "$rps" "$p50" "$p99" "${errors:-0}" "$cpu_us"
  echo "$name $rps" >>"$WORK/rates"
}

printf "%-6s %-6s %10s %9s %9s %8s %12s\n" server round "req/s" p50 p99 non-2xx "cpu µs/req"
port=18400
for ROUND in $(seq 1 "$ROUNDS"); do
  port=$((port + 2))
  "$BARE" "$WORK/bare-$ROUND.sqlite" "$port" group >/dev/null 2>&1 &
  bare=$!
  wait_port "$port"
  run bare "$bare" "$port" scripts/bench/bare.lua
  kill "$bare"; wait "$bare" 2>/dev/null || true

  "$DESKD" --database "$WORK/desk-$ROUND.sqlite" --port $((port + 1)) --demo >"$WORK/deskd-$ROUND.out" 2>/dev/null &
  desk=$!
  wait_port $((port + 1))
  DESK_TOKEN=$(awk '/^admin token: / {print $3}' "$WORK/deskd-$ROUND.out")
  export DESK_TOKEN
  run deskd "$desk" $((port + 1)) scripts/bench/intake.lua
  kill "$desk"; wait "$desk" 2>/dev/null || true
done
awk '{ sum[$1] += $2; n[$1]++ } END {
  bare = sum["bare"] / n["bare"]; desk = sum["deskd"] / n["deskd"]
  printf "\nmean: bare %.0f/s, deskd intake %.0f/s — %.1f %% of the ceiling\n", bare, desk, 100 * desk / bare }' "$WORK/rates"
