#!/usr/bin/env python3
"""Start-up time and idle memory of deskd (SPEC §9).

Measures, over N runs each, the time from exec() to the first 200 of /healthz for a first
start (empty database: migrate, create centre and admin) and for a later start, and the
resident memory (VmRSS) of the idle daemon after start-up and after a few API requests.

    scripts/build-release.sh
    python3 scripts/bench-startup.py [--binary .build-release/release/deskd] [--runs 20]
"""
import argparse, json, os, socket, statistics, subprocess, tempfile, time, urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port, deadline=10.0):
    start = time.monotonic()
    while time.monotonic() - start < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.002)
    raise RuntimeError("deskd did not answer")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])


def start(binary, database, port):
    t0 = time.monotonic()
    p = subprocess.Popen([binary, "--database", database, "--port", str(port)],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                         env={**os.environ, "DESK_LOG_LEVEL": "warning"})
    wait_ready(port)
    return p, time.monotonic() - t0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build-release/release/deskd")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    first, later, rss_idle, rss_used = [], [], [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as folder:
            database = os.path.join(folder, "d.sqlite")
            port = free_port()
            p, seconds = start(args.binary, database, port)
            first.append(seconds)
            token = p.stdout.readline().strip().removeprefix("admin token: ")
            p.terminate(); p.wait(10)
            port = free_port()
            p, seconds = start(args.binary, database, port)
            later.append(seconds)
            time.sleep(0.5)
            rss_idle.append(rss_kib(p.pid))
            for path in ["centre", "departments", "services", "staff", "calendar"] * 20:
                req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/{path}",
                                             headers={"Authorization": f"Bearer {token}"})
                urllib.request.urlopen(req).read()
            time.sleep(0.5)
            rss_used.append(rss_kib(p.pid))
            p.terminate(); p.wait(10)

    def summary(values, scale, unit):
        values = sorted(v * scale for v in values)
        return {"median": round(statistics.median(values), 1), "max": round(values[-1], 1), "unit": unit}

    print(json.dumps({
        "runs": args.runs,
        "first start to first answer": summary(first, 1000, "ms"),
        "later start to first answer": summary(later, 1000, "ms"),
        "idle RSS after start": summary(rss_idle, 1 / 1024, "MiB"),
        "idle RSS after 100 requests": summary(rss_used, 1 / 1024, "MiB"),
    }, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
