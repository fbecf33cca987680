#!/usr/bin/env bash
# Intake throughput of deskd beside the bare ceiling, measured in one run (issue 17;
# docs/benchmarks.md). Builds the release binaries (deskd into .build-release, the bare
# Hummingbird + GRDB group-commit server in its own package), then for ROUNDS rounds, alternately:
# a fresh bare server and a fresh deskd (--demo, a new database each), each driven by wrk with
# CONNECTIONS connections for DURATION. For each run: requests/s, p50/p99 latency, answers other
# than 2xx, the server's CPU per request (its utime+stime from /proc, before and after), and for
# deskd its single writer's CPU and wall time per write (desk_writer_* on /metrics).
# Prints one table and deskd's share of the ceiling. Then the hall, on each binary: start time and
# idle memory, the disk's fdatasync latencies (scripts/bench/fsync-probe.py), call-next open-loop and
# in bursts, each followed by the server's own figures for it (call-next within 5 and 50 ms, and
# the writer's commits over 20 and 100 ms, from /metrics) to tell the machine from the code.
#
#   scripts/bench.sh                      # 3 rounds, 64 connections, 10 s each
#   ROUNDS=5 CONNECTIONS=256 scripts/bench.sh
#   SKIP_BUILD=1 SKIP_HALL=1 COMPARE="/tmp/deskd-old .build-release/release/deskd" scripts/bench.sh
#                                         # several deskd binaries, each round in turn (the order
#                                         # reversed every other round: the first runs faster), no hall
#   SKIP_BUILD=1 SKIP_INTAKE=1 COMPARE="/tmp/deskd-old .build-release/release/deskd" scripts/bench.sh
#                                         # the hall only, each binary in turn
#
# Needs wrk (Debian: apt-get install -y wrk). Use a quiet machine; nothing else heavy at once.
# SKIP_BUILD=1 uses the binaries as built; SKIP_HALL=1 stops after the intake rounds;
# SKIP_INTAKE=1 goes straight to the hall.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
command -v wrk >/dev/null || { echo "bench.sh: wrk is needed (apt-get install -y wrk)" >&2; exit 2; }

if [[ -z "${SKIP_BUILD:-}" ]]; then
  scripts/build-release.sh deskd
  swift build -c release --package-path Benchmarks/BareServer
fi
DESKD=.build-release/release/deskd
BARE=Benchmarks/BareServer/.build/release/BareServer
WORK=$(mktemp -d /tmp/desk-bench-XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
wait_port() { for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }
HZ=$(getconf CLK_TCK)
# From deskd's /metrics, cumulative: call-next answered within 5 ms, within 50 ms, in all; the
# writer's commits within 20 ms, within 100 ms, in all; "none" when the binary does not time them.
server_figures() {
  curl -s "http://127.0.0.1:$1/metrics" 2>/dev/null | awk '
    /^http_server_request_duration_bucket/ && /call-next/ {
      if ($0 ~ /le="0\.005"/) fast += $NF; if ($0 ~ /le="0\.05"/) within50 += $NF; if ($0 ~ /le="\+Inf"/) all += $NF }
    /^desk_writer_commit_seconds_bucket/ {
      timed = 1; if ($0 ~ /le="0\.02"/) c20 = $NF; if ($0 ~ /le="0\.1"/) c100 = $NF; if ($0 ~ /le="\+Inf"/) commits = $NF }
    END { printf "%d %d %d %d %d %d %s", fast, within50, all, c20, c100, commits, (timed ? "timed" : "none") }'
}
# deskd's single writer from /metrics: "cpu-seconds writes run-seconds" (nothing from the bare server).
writer() {
  curl -s "http://127.0.0.1:$1/metrics" 2>/dev/null | awk '
    /^desk_writer_cpu_seconds_total/ { c = $2 } /^desk_writes_total/ { w = $2 }
    /^desk_writer_busy_seconds_total\{phase="run"\}/ { r = $2 }
    END { printf "%s %s %s", c + 0, w + 0, r + 0 }'
}

# run NAME PID PORT SCRIPT -> one table row
run() {
  local name=$1 pid=$2 port=$3 script=$4
  local before after out rps p50 p99 errors requests
  local writer_before writer_after
  writer_before=$(writer "$port")
  before=$(ticks "$pid")
  out=$(wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency -s "$script" "http://127.0.0.1:$port")
  after=$(ticks "$pid")
  # The peak is read before /metrics is scraped: the scrape counts the tickets by an index read
  # through a reader's memory map of the database, and each page it reads maps the 64 KiB around
  # it — tens of MiB of the file's pages after a run (docs/benchmarks.md, 2026-12-04, afternoon),
  # the page cache's, not the load's.
  local rss
  rss=$(awk '/^VmHWM:/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status")
  writer_after=$(writer "$port")
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
  local cpu_us
  cpu_us=$(awk -v t=$((after - before)) -v hz="$HZ" -v n="$requests" 'BEGIN { printf "%.0f", (n > 0 ? t / hz * 1e6 / n : 0) }')
  local writer_us
  writer_us=$(awk -v b="$writer_before" -v a="$writer_after" 'BEGIN {
    split(b, x, " "); split(a, y, " "); n = y[2] - x[2]
    if (n > 0) printf "%.0f / %.0f", (y[1] - x[1]) * 1e6 / n, (y[3] - x[3]) * 1e6 / n; else printf "-" }')
  printf "%-6s %-6s %10s %9s %9s %8s %12s %18s %9s\n" "$name" "$ROUND" "$rps" "$p50" "$p99" "${errors:-0}" "$cpu_us" "$writer_us" "$rss"
  echo "$name $rps" >>"$WORK/rates"
}

# The binaries to measure: the one just built, or those named in COMPARE (each a column of the
# summary, named by its position: deskd1, deskd2, …).
read -r -a BINARIES <<<"${COMPARE:-$DESKD}"

port=18400
if [[ -z "${SKIP_INTAKE:-}" ]]; then
  printf "%-6s %-6s %10s %9s %9s %8s %12s %18s %9s\n" server round "req/s" p50 p99 non-2xx "cpu µs/req" "writer µs cpu/wall" "peak MiB"
  for ROUND in $(seq 1 "$ROUNDS"); do
    port=$((port + 10))
    "$BARE" "$WORK/bare-$ROUND.sqlite" "$port" group >/dev/null 2>&1 &
    bare=$!
    wait_port "$port"
    run bare "$bare" "$port" scripts/bench/bare.lua
    kill "$bare"; wait "$bare" 2>/dev/null || true

    # The binary measured first after the bare server ran faster in both orders of one pair
    # (docs/benchmarks.md, 2026-12-04): every other round takes them in the reverse order.
    order=("${!BINARIES[@]}")
    if ((ROUND % 2 == 0)); then mapfile -t order < <(printf '%s\n' "${!BINARIES[@]}" | sort -rn); fi
    for index in "${order[@]}"; do
      name=deskd; [[ ${#BINARIES[@]} -gt 1 ]] && name=deskd$((index + 1))
      "${BINARIES[$index]}" --database "$WORK/desk-$ROUND-$index.sqlite" --port $((port + 1 + index)) --demo >"$WORK/deskd-$ROUND-$index.out" 2>/dev/null &
      desk=$!
      wait_port $((port + 1 + index))
      DESK_TOKEN=$(awk '/^admin token: / {print $3}' "$WORK/deskd-$ROUND-$index.out")
      export DESK_TOKEN
      run "$name" "$desk" $((port + 1 + index)) scripts/bench/intake.lua
      kill "$desk"; wait "$desk" 2>/dev/null || true
    done
  done
  awk '{ sum[$1] += $2; n[$1]++ } END {
    bare = sum["bare"] / n["bare"]; printf "\nmean: bare %.0f/s", bare
    for (name in sum) if (name != "bare") printf ", %s intake %.0f/s — %.1f %% of the ceiling", name, sum[name] / n[name], 100 * sum[name] / n[name] / bare
    printf "\n" }' "$WORK/rates"
fi
[[ -n "${SKIP_HALL:-}" ]] && exit 0

# The hall (issue 17): 100 counters calling next open-loop at 200 calls/s, then ten bursts of all
# 100 at the same instant — on a fresh deskd (each binary of COMPARE in turn); loadgen.py checks
# that no number is called twice. The idle resident memory and the start time of a restart on the
# same file come first.
for index in "${!BINARIES[@]}"; do
  binary=${BINARIES[$index]}
  port=$((port + 10))
  "$binary" --database "$WORK/hall-$index.sqlite" --port "$port" --demo >"$WORK/hall-$index.out" 2>/dev/null &
  hall=$!
  wait_port "$port"
  kill "$hall"; wait "$hall" 2>/dev/null || true
  started=$(date +%s%N)
  "$binary" --database "$WORK/hall-$index.sqlite" --port "$port" >/dev/null 2>&1 &
  hall=$!
  until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do sleep 0.002; done
  ready=$(date +%s%N)
  sleep 1
  printf "\n%s: start to /readyz 200: %d ms; idle RSS %s MiB\n" "$binary" $(((ready - started) / 1000000)) \
    "$(awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$hall/status")"
  HALL_TOKEN=$(awk '/^admin token: / {print $3}' "$WORK/hall-$index.out")
  # The disk, just before: every call answered waits for one fdatasync of the WAL, so a disk that
  # stalls moves the p99 whatever the code (docs/benchmarks.md).
  python3 scripts/bench/fsync-probe.py "$WORK" --seconds 5
  for scenario in open-call burst; do
    before=$(server_figures "$port")
    python3 scripts/loadgen.py "$scenario" --summary --server "http://127.0.0.1:$port" --token "$HALL_TOKEN" \
      --concurrency 100 --counter-base $([[ $scenario == burst ]] && echo 301 || echo 101) --rate "${CALL_RATE:-200}" --duration 10 --bursts 10
    # The server's own view of the same calls (its request-duration histogram, which starts at the
    # routing) and of the disk (the writer's commits during the scenario, its set-up included: each
    # the WAL written and its fdatasync, and the writer's own checkpoints).
    awk -v b="$before" -v a="$(server_figures "$port")" 'BEGIN {
      split(b, x, " "); split(a, y, " ")
      printf "  server: %d of %d call-next answered within 5 ms, %d within 50 ms; ", y[1] - x[1], y[3] - x[3], y[2] - x[2]
      if (y[7] == "none") print "commits: not timed by this binary"
      else printf "%d commits, %d over 20 ms, %d over 100 ms\n", y[6] - x[6], (y[6] - y[4]) - (x[6] - x[4]), (y[6] - y[5]) - (x[6] - x[5]) }'
  done
  kill "$hall"; wait "$hall" 2>/dev/null || true
done
