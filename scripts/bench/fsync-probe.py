#!/usr/bin/env python3
"""How long this machine's disk takes to make a write durable (scripts/bench.sh, docs/benchmarks.md).

Appends 8 KiB and calls fdatasync every 3 ms for --seconds in a temporary file beside the
databases (the folder given), as SQLite's WAL does at each commit, and prints the latencies. Every
acknowledged write of deskd waits for one such fdatasync: when the disk stalls for 100 ms, every
call answered in that window waits too, whatever the code — this line tells the machine from the
code when a p99 moves.
"""
import argparse, os, tempfile, time

parser = argparse.ArgumentParser()
parser.add_argument("folder", nargs="?", default=None)
parser.add_argument("--seconds", type=float, default=5)
args = parser.parse_args()
fd, path = tempfile.mkstemp(prefix="fsync-probe-", dir=args.folder)
try:
    latencies, offset, end = [], 0, time.monotonic() + args.seconds
    while time.monotonic() < end:
        os.pwrite(fd, b"x" * 8192, offset)
        offset = (offset + 8192) % (32 << 20)
        started = time.perf_counter()
        os.fdatasync(fd)
        latencies.append((time.perf_counter() - started) * 1000)
        time.sleep(0.003)
    latencies.sort()
    pick = lambda p: latencies[min(len(latencies) - 1, int(len(latencies) * p))]
    print(f"disk: {len(latencies)} fdatasync of 8 KiB in {args.seconds:.0f} s: p50 {pick(0.5):.2f} ms, p99 {pick(0.99):.2f} ms, "
          f"max {latencies[-1]:.1f} ms, {sum(1 for x in latencies if x > 20)} over 20 ms")
finally:
    os.close(fd)
    os.remove(path)
