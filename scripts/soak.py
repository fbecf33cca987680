#!/usr/bin/env python3
"""Soak: mixed load for a long while, memory sampled; nothing may fail and memory must stay flat.

Starts the given deskd (a release build for the figures in docs/benchmarks.md) on a free
loopback port over a temporary database with the demo catalogue and history, then for
`--minutes` runs at once:
  - intake: a citizen's inquiry taken, claimed, answered and returned (four writes each);
  - the hall: a number issued, called at an open counter, started and finished;
  - reads: every report over the year, the ticket list, a ticket's trail and explain-due, the
    Open311 feeds;
  - hall screens: display streams held open for 5–30 s each, then reconnected with
    `Last-Event-ID`, as a TV on a flaky network does.
Every `--sample` seconds it records the daemon's resident memory (VmRSS, and RssAnon: the heap
and stacks, where a leak shows), its open file descriptors and threads, and the requests done.
It fails (exit 1) on any error — a 5xx, a refused connection, an unexpected status, a call
missed or repeated by a stream — or when the heap grows: RssAnon in the last fifth of the run
may not exceed its highest value in the first quarter after the first minute's warm-up by more
than `--max-growth-mb` (default 16 MiB). (VmRSS also grows in the first minutes as the binary's
pages are first touched; that is file-backed, shared and not a leak.) Standard library only; loopback only.

    python3 scripts/soak.py --deskd .build-release/release/deskd --minutes 10
"""

import argparse
import http.client
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time

from deskd_process import Deskd


class Daemon(Deskd):
    """The daemon under test, with its memory, descriptors and threads read from /proc."""

    def __init__(self, deskd, workdir):
        super().__init__(
            deskd, os.path.join(workdir, "desk.sqlite"), os.path.join(workdir, "deskd.log"), env={"DESK_DISPLAY_HEARTBEAT": "2"})
        self.token = self.admin_token()
        if not self.token:
            self.stop()
            raise SystemExit("no admin token printed")

    def sample(self):
        """(VmRSS, RssAnon, open descriptors, threads). RssAnon is the heap and stacks: where a
        leak shows. VmRSS also counts the binary's and libraries' pages as code paths are first
        run (RssFile), which grows in the first minutes and is not a leak."""
        pid = self.process.pid
        values = {}
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "RssAnon", "Threads"):
                    values[key] = int(rest.split()[0])
        fds = len(os.listdir(f"/proc/{pid}/fd"))
        return values.get("VmRSS", 0), values.get("RssAnon", 0), fds, values.get("Threads", 0)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.errors = []

    def ok(self, count=1):
        with self.lock:
            self.requests += count

    def error(self, what):
        with self.lock:
            self.errors.append(what)


class Client:
    def __init__(self, port, token, stats):
        self.port, self.token, self.stats = port, token, stats
        self.connection = None

    def call(self, method, path, body=None, expect=(200, 201, 204)):
        headers = {"Authorization": f"Bearer {self.token}"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in range(2):
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                self.connection.request(method, path, body=data, headers=headers)
                response = self.connection.getresponse()
                answer = response.read()
                break
            except (OSError, http.client.HTTPException) as error:
                self.connection = None
                if attempt == 1:
                    self.stats.error(f"{method} {path}: {error!r}")
                    return None
        if response.status not in expect:
            self.stats.error(f"{method} {path}: {response.status} {answer[:200]!r}")
            return None
        self.stats.ok()
        return json.loads(answer) if answer and response.getheader("Content-Type", "").startswith("application/json") else answer


def intake_loop(port, token, stats, stop):
    client = Client(port, token, stats)
    while not stop.is_set():
        answer = client.call("POST", "/api/v1/tickets", {
            "service": "HD-TTHC", "channel": "hotline",
            "applicant": {"name": "Nguyễn Văn An", "phone": "0912345678"},
            "description": "Hỏi thủ tục đăng ký khai sinh",
        })
        if not answer:
            continue
        code = answer["ticket"]["code"]
        for action, body in (("claim", None), ("resolve", {"outcome": "answered", "note": "đã hướng dẫn"}), ("return", None)):
            if stop.is_set() or client.call("POST", f"/api/v1/tickets/{code}/actions/{action}", body) is None:
                break


def hall_loop(port, token, stats, stop, counter):
    client = Client(port, token, stats)
    while not stop.is_set():
        if client.call("POST", "/api/v1/queue-numbers", {"service": "HD-TTHC"}) is None:
            continue
        called = client.call("POST", f"/api/v1/counters/{counter}/call-next", expect=(200, 204))
        if isinstance(called, dict):
            for action in ("start", "finish"):
                if client.call("POST", f"/api/v1/queue-numbers/{called['id']}/actions/{action}") is None:
                    break
        time.sleep(0.05)


def read_loop(port, token, stats, stop):
    client = Client(port, token, stats)
    reports = {
        "handling-times": ["department", "service", "channel"], "progress": ["department", "service", "month"],
        "backlog": ["department", "service"], "waiting": ["service", "counter", "hour"],
        "satisfaction": ["department", "service"], "staffing": ["staff", "employment", "hour"],
        "revenue": ["service", "month"],
    }
    rng = random.Random(7)
    code = None
    while not stop.is_set():
        report = rng.choice(sorted(reports))
        client.call("GET", f"/api/v1/reports/{report}?period=2026&by={rng.choice(reports[report])}")
        page = client.call("GET", "/api/v1/tickets?limit=20")
        if isinstance(page, dict) and page.get("items"):
            code = rng.choice(page["items"])["code"]
        if code:
            client.call("GET", f"/api/v1/tickets/{code}/events")
            client.call("GET", f"/api/v1/tickets/{code}/due")
        client.call("GET", "/open311/v2/services.json")
        client.call("GET", "/open311/v2/requests.json")
        client.call("GET", "/api/v1/queue/status")


def screen_loop(port, token, stats, stop, seed):
    """A hall screen: holds the stream 5–30 s, reconnects with Last-Event-ID, never misses a call."""
    rng = random.Random(seed)
    last_id = None
    while not stop.is_set():
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            headers = {"Authorization": f"Bearer {token}"}
            if last_id is not None:
                headers["Last-Event-ID"] = str(last_id)
            connection.request("GET", "/api/v1/queue/display", headers=headers)
            response = connection.getresponse()
            if response.status != 200:
                stats.error(f"display stream: {response.status}")
                time.sleep(1)
                continue
            stats.ok()
            until = time.time() + rng.uniform(5, 30)
            buffer = b""
            while time.time() < until and not stop.is_set():
                chunk = response.read1(4096)  # heartbeats every 2 s keep this under the 10 s timeout
                if not chunk:
                    stats.error("display stream: closed by the server")
                    break
                buffer += chunk
                while b"\n\n" in buffer:
                    block, buffer = buffer.split(b"\n\n", 1)
                    for line in block.decode().splitlines():
                        if line.startswith("id: "):
                            event_id = int(line[4:])
                            if last_id is not None and event_id <= last_id:
                                stats.error(f"display stream: call {event_id} again after {last_id}")
                            last_id = event_id
            connection.close()
        except (OSError, http.client.HTTPException) as error:
            stats.error(f"display stream: {error!r}")
            time.sleep(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deskd", required=True)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--sample", type=float, default=10, help="seconds between memory samples")
    parser.add_argument("--screens", type=int, default=4)
    parser.add_argument("--max-growth-mb", type=float, default=16)
    arguments = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="deskd-soak-")
    daemon = Daemon(arguments.deskd, workdir)
    stats, stop = Stats(), threading.Event()
    setup = Client(daemon.port, daemon.token, stats)
    for counter in (1, 2):
        setup.call("POST", "/api/v1/counters", {"number": counter, "name": f"Quầy {counter}", "services": ["HD-TTHC"], "open": True})
    workers = [threading.Thread(target=intake_loop, args=(daemon.port, daemon.token, stats, stop)) for _ in range(2)]
    workers += [threading.Thread(target=hall_loop, args=(daemon.port, daemon.token, stats, stop, counter)) for counter in (1, 2)]
    workers += [threading.Thread(target=read_loop, args=(daemon.port, daemon.token, stats, stop))]
    workers += [
        threading.Thread(target=screen_loop, args=(daemon.port, daemon.token, stats, stop, seed)) for seed in range(arguments.screens)
    ]
    for worker in workers:
        worker.start()
    samples = []
    started = time.time()
    end = started + arguments.minutes * 60
    print(f"{'minute':>7} {'RSS MiB':>8} {'anon MiB':>9} {'fds':>5} {'threads':>8} {'requests':>9} {'errors':>7}", flush=True)
    try:
        while time.time() < end:
            time.sleep(min(arguments.sample, max(0, end - time.time())))
            if daemon.process.poll() is not None:
                stats.error(f"deskd exited with {daemon.process.returncode}")
                break
            rss, anon, fds, threads = daemon.sample()
            elapsed = time.time() - started
            samples.append((elapsed, anon, fds, threads, stats.requests, rss))
            print(
                f"{elapsed / 60:7.1f} {rss / 1024:8.1f} {anon / 1024:9.1f} {fds:5d} {threads:8d} {stats.requests:9d} {len(stats.errors):7d}",
                flush=True)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=40)
        daemon.stop()
    total = time.time() - started
    warm = [s for s in samples if s[0] >= 60] or samples
    tail = [s for s in samples if s[0] >= total * 0.8] or samples[-1:]
    baseline = max(s[1] for s in warm[: max(1, len(warm) // 4)]) if warm else 0
    peak_tail = max(s[1] for s in tail) if tail else 0
    growth_mb = (peak_tail - baseline) / 1024
    summary = {
        "minutes": round(total / 60, 1), "requests": stats.requests, "requests_per_second": round(stats.requests / total),
        "errors": len(stats.errors), "anon_mib_after_warmup": round(baseline / 1024, 1), "anon_mib_last_fifth": round(peak_tail / 1024, 1),
        "growth_mib": round(growth_mb, 1), "rss_mib_first": round(samples[0][5] / 1024, 1) if samples else None,
        "rss_mib_last": round(samples[-1][5] / 1024, 1) if samples else None,
        "fds_first": warm[0][2] if warm else None, "fds_last": samples[-1][2] if samples else None,
    }
    print(json.dumps(summary))
    for error in stats.errors[:20]:
        print("error:", error, file=sys.stderr)
    if stats.errors:
        raise SystemExit(f"soak: {len(stats.errors)} errors (log in {workdir})")
    if growth_mb > arguments.max_growth_mb:
        raise SystemExit(f"soak: memory grew {growth_mb:.1f} MiB after the warm-up (limit {arguments.max_growth_mb} MiB)")
    print(f"soak: {stats.requests} requests in {total / 60:.1f} min, 0 errors; heap (RssAnon) {baseline / 1024:.1f} → {peak_tail / 1024:.1f} MiB")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
