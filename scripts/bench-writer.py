#!/usr/bin/env python3
"""What one write holds the single writer, by kind of write (issue 17; docs/benchmarks.md).

For each binary named, in turn and `--runs` times: starts `deskd --demo` on a fresh temporary
database, opens one counter for a walk-in service, issues `--calls` numbers, calls them all at the
counter one after the other, then sends `--calls` intakes one after the other, and reads from
`/metrics` the writer's CPU and wall time per write of each phase
(`desk_writer_cpu_seconds_total`, `desk_writer_busy_seconds_total{phase="run"}`, divided by
`desk_writes_total`). One request at a time: each write is a batch of its own, so the figures are
what one write costs the writer, without the noise of a load generator competing for the cores.

    scripts/build-release.sh
    python3 scripts/bench-writer.py --binary /tmp/deskd-before --binary .build-release/release/deskd --runs 3
"""
import argparse, json, os, re, shutil, sys, tempfile, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deskd_process import Deskd  # noqa: E402


class Client:
    def __init__(self, base, token):
        self.base, self.token = base, token

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()

    def writer(self):
        """(writer CPU seconds, writer run seconds, writes) from /metrics."""
        with urllib.request.urlopen(self.base + "/metrics", timeout=10) as response:
            text = response.read().decode()

        def value(pattern):
            match = re.search(r"^" + pattern + r" ([0-9.e+-]+)$", text, re.M)
            return float(match.group(1)) if match else 0.0

        return (value("desk_writer_cpu_seconds_total"), value(r'desk_writer_busy_seconds_total\{phase="run"\}'),
                value("desk_writes_total"))


def per_write(before, after):
    writes = after[2] - before[2]
    if writes <= 0:
        raise SystemExit("bench-writer: no write counted on /metrics (a deskd without the writer's figures?)")
    return ((after[0] - before[0]) * 1e6 / writes, (after[1] - before[1]) * 1e6 / writes, int(writes))


def run(binary, calls, service):
    folder = tempfile.mkdtemp(prefix="desk-writer-")
    deskd = Deskd(binary, os.path.join(folder, "desk.sqlite"), os.path.join(folder, "deskd.log"))
    try:
        token = deskd.admin_token()
        if token is None:
            raise SystemExit(f"bench-writer: {binary} printed no admin token (see {deskd.log_path})")
        client = Client(deskd.base, token)
        me = json.loads(client.call("GET", "/api/v1/me")[1])
        client.call("POST", "/api/v1/counters", {"number": 901, "name": "Bench 901", "services": [service]})
        client.call("PATCH", "/api/v1/counters/901", {"open": True, "officer": me["username"]})
        figures = {}
        before = client.writer()
        for _ in range(calls):
            client.call("POST", "/api/v1/queue-numbers", {"service": service})
        figures["issue a number"] = per_write(before, client.writer())
        before = client.writer()
        for _ in range(calls):
            status, _ = client.call("POST", "/api/v1/counters/901/call-next")
            assert status == 200, status
        figures["call-next"] = per_write(before, client.writer())
        before = client.writer()
        for n in range(calls):
            client.call("POST", "/api/v1/tickets", {
                "service": "HD-TTHC", "channel": "web",
                "applicant": {"name": f"Nguyễn Văn Thử {n}", "phone": "0912345678", "idNumber": "079190001234"},
                "description": f"Phản ánh số {n}: đèn đường hỏng", "location": {"address": "12 Lê Lợi, Hải Châu"}})
        figures["intake"] = per_write(before, client.writer())
        return figures
    finally:
        deskd.stop()
        shutil.rmtree(folder, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", action="append", required=True, help="a deskd binary (repeat to compare)")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--walkin-service", default="1.001193")
    args = parser.parse_args()
    print(f"{'binary':<40} {'run':>3}  {'write':<15} {'writes':>6} {'writer CPU µs':>14} {'writer wall µs':>15}")
    for round in range(1, args.runs + 1):
        for binary in args.binary:
            for kind, (cpu, wall, writes) in run(binary, args.calls, args.walkin_service).items():
                print(f"{binary:<40} {round:>3}  {kind:<15} {writes:>6} {cpu:>14.0f} {wall:>15.0f}", flush=True)


if __name__ == "__main__":
    main()
