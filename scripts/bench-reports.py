#!/usr/bin/env python3
"""Report timings over a seeded history (SPEC §9: any report over 1,000,000 tickets under 1 s).

    swift build -c release --scratch-path .build-release --product deskd
    swift build -c release --scratch-path .build-release --product deskcli
    python3 scripts/bench-reports.py --database /tmp/million.sqlite --tickets 1000000

Seeds the database first when it does not exist (deskcli demo seed, deterministic, seed 1), starts
deskd on it, then asks every report for a month, a quarter and the whole year 2026 (JSON, grouped
as given by --by), --runs times each, and prints the median and maximum wall time of the HTTP
request (the server computes the whole report per request; nothing is cached).
"""
import argparse, json, os, socket, statistics, subprocess, time, urllib.request

REPORTS = ["progress", "handling-times", "backlog", "waiting", "satisfaction", "staffing", "revenue"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--bin", default=".build-release/release")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--by", default="department")
    args = parser.parse_args()
    token_file = args.database + ".token"
    if not os.path.exists(args.database):
        started = time.monotonic()
        out = subprocess.run([f"{args.bin}/deskcli", "demo", "seed", "--database", args.database, "--tickets", str(args.tickets),
                              "--from", "2025-01-01", "--to", "2026-10-31", "--seed", "1"], capture_output=True, text=True, check=True).stdout
        print(json.dumps({"seed_seconds": round(time.monotonic() - started, 1), "output": out.strip().splitlines()[-1]}))
        token = next(line for line in out.splitlines() if line.startswith("admin token: ")).removeprefix("admin token: ")
        with open(token_file, "w") as f:
            f.write(token)
    token = open(token_file).read().strip()
    port = free_port()
    daemon = subprocess.Popen([f"{args.bin}/deskd", "--database", args.database, "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "DESK_LOG_LEVEL": "warning"})
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        results = []
        for period in ["2026-10", "2026-Q3", "2026"]:
            for report in REPORTS:
                by = {"waiting": "service", "staffing": "hour"}.get(report, args.by)
                url = f"http://127.0.0.1:{port}/api/v1/reports/{report}?period={period}&by={by}"
                times, rows = [], 0
                for _ in range(args.runs):
                    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
                    t0 = time.monotonic()
                    body = urllib.request.urlopen(request, timeout=60).read()
                    times.append(time.monotonic() - t0)
                    rows = len(json.loads(body)["rows"])
                results.append({"report": report, "period": period, "by": by, "rows": rows,
                                "median_ms": round(statistics.median(times) * 1000, 1), "max_ms": round(max(times) * 1000, 1)})
                print(json.dumps(results[-1], ensure_ascii=False))
    finally:
        daemon.terminate()
        daemon.wait(10)


if __name__ == "__main__":
    main()
