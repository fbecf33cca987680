#!/usr/bin/env python3
"""How long this machine's disk takes to make a write durable (scripts/bench.sh, docs/benchmarks.md).

Writes 8 KiB and calls fdatasync every 3 ms for --seconds, over a 32 MiB file made beforehand in
the folder given (where the databases are), as SQLite does with a WAL that starts again from its
beginning, and prints the latencies and the folder's file system (on tmpfs a sync does nothing).
Every acknowledged write of deskd waits for one such fdatasync: when the disk stalls for 100 ms,
every call answered in that window waits too, whatever the code — this line tells the machine from
the code when a p99 moves.
"""
import argparse, os, tempfile, time

SIZE = 32 << 20


def file_system(folder):
    """The type of the mount holding `folder`, from /proc/mounts (the longest matching mount point)."""
    path, best = os.path.realpath(folder), ("?", "")
    try:
        with open("/proc/mounts") as mounts:
            for line in mounts:
                fields = line.split()
                point = fields[1]
                if (path == point or path.startswith(point.rstrip("/") + "/")) and len(point) >= len(best[1]):
                    best = (fields[2], point)
    except OSError:
        pass
    return best[0]


parser = argparse.ArgumentParser()
parser.add_argument("folder", nargs="?", default=tempfile.gettempdir())
parser.add_argument("--seconds", type=float, default=5)
args = parser.parse_args()
if args.seconds <= 0:
    parser.error("--seconds must be positive")
fd, path = tempfile.mkstemp(prefix="fsync-probe-", dir=args.folder)
try:
    os.pwrite(fd, b"\0" * SIZE, 0)
    os.fsync(fd)
    latencies, offset, end = [], 0, time.monotonic() + args.seconds
    while time.monotonic() < end:
        os.pwrite(fd, b"x" * 8192, offset)
        offset = (offset + 8192) % SIZE
        started = time.perf_counter()
        os.fdatasync(fd)
        latencies.append((time.perf_counter() - started) * 1000)
        time.sleep(0.003)
    latencies.sort()

    def pick(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))]

    print(f"disk ({file_system(args.folder)}): {len(latencies)} fdatasync of 8 KiB in {args.seconds:g} s: "
          f"p50 {pick(0.5):.2f} ms, p99 {pick(0.99):.2f} ms, max {latencies[-1]:.1f} ms, "
          f"{sum(1 for x in latencies if x > 20)} over 20 ms")
finally:
    os.close(fd)
    os.remove(path)
