#!/usr/bin/env python3
"""Load generator for deskd: drives intake and actions over HTTP at a chosen concurrency and
prints throughput and latency percentiles (SPEC §9). Standard library only.

    loadgen.py intake --server http://127.0.0.1:8080 --token sd_… --concurrency 64 --duration 10
    loadgen.py next   --server … --token sd_admin… --concurrency 100 --tickets 5000
    loadgen.py journey --server … --token sd_admin… --concurrency 16 --duration 10

intake   POST /api/v1/tickets with a fresh body each time (service HD-TTHC by default).
next     fills a department queue with --tickets tickets, then --concurrency callers POST
         /api/v1/departments/{dept}/queue/next until it is empty (latency of each call).
journey  each worker: intake, queue next, resolve, return (4 requests per ticket).
call     creates and opens --concurrency counters serving --walkin-service, issues --tickets walk-in
         numbers, then every counter calls next at once until nobody waits (latency of each call).
open-call  opens --concurrency counters (100) and issues enough walk-in numbers, then calls next
         open-loop at --rate calls/s (200) spread evenly over the counters for --duration seconds:
         each call is sent at its scheduled moment and timed from that moment (a late generator
         counts against the server), and every number called must be distinct.
burst    the same counters, then --bursts times all of them call next at the same instant (1 s
         apart): the slowest answer of each burst, and again no number twice.
bare     POST --path with a small JSON body (to measure a bare reference server).

Each worker keeps one HTTP/1.1 keep-alive connection; latencies are from sending the request to
reading the whole answer. Percentiles are nearest-rank.
"""
import argparse, asyncio, json, math, time, urllib.parse


class Connection:
    def __init__(self, host, port):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def request(self, method, path, token=None, body=None):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Connection: keep-alive",
                f"Content-Length: {len(data)}"]
        if token:
            head.append(f"Authorization: Bearer {token}")
        if body is not None:
            head.append("Content-Type: application/json")
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("closed")
        status = int(status_line.split()[1])
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value.strip())
        payload = await self.reader.readexactly(length) if length else b""
        return status, payload


async def open_counters(args):
    """Creates and opens --concurrency counters from --counter-base, serving --walkin-service."""
    setup = Connection(args.host, args.port)
    me = json.loads((await setup.request("GET", "/api/v1/me", args.token))[1])
    counters = list(range(args.counter_base, args.counter_base + args.concurrency))
    for number in counters:
        await setup.request("POST", "/api/v1/counters", args.token, {"number": number, "name": f"Bench {number}", "services": [args.walkin_service]})
        status, _ = await setup.request("PATCH", f"/api/v1/counters/{number}", args.token, {"open": True, "officer": me["username"]})
        assert status == 200, status
    return counters


async def issue_numbers(args, count):
    setup = Connection(args.host, args.port)
    for _ in range(count):
        status, _ = await setup.request("POST", "/api/v1/queue-numbers", args.token, {"service": args.walkin_service})
        assert status == 201, status


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


SUMMARY = False  # --summary: one line instead of JSON


def report(name, latencies, statuses, elapsed, per_item=1):
    latencies.sort()
    ms = lambda v: round(v * 1000, 2)
    ok = sum(1 for s in statuses if 200 <= s < 300)
    if SUMMARY:
        print(f"{name}: {len(statuses)} requests, {len(statuses) / elapsed:.1f}/s, p50 {ms(percentile(latencies, 50))} ms, "
              f"p99 {ms(percentile(latencies, 99))} ms, max {ms(latencies[-1]) if latencies else '-'} ms, errors {len(statuses) - ok}")
        return
    print(json.dumps({
        "scenario": name, "requests": len(statuses), "ok": ok, "errors": len(statuses) - ok,
        "seconds": round(elapsed, 2), "requests_per_second": round(len(statuses) / elapsed, 1),
        "items_per_second": round(len(statuses) / per_item / elapsed, 1),
        "latency_ms": {"p50": ms(percentile(latencies, 50)), "p90": ms(percentile(latencies, 90)),
                       "p99": ms(percentile(latencies, 99)), "max": ms(latencies[-1]) if latencies else None},
        "statuses": {str(s): statuses.count(s) for s in sorted(set(statuses))},
    }, indent=2))


def intake_body(service, n):
    return {"service": service, "channel": "web",
            "applicant": {"name": f"Nguyễn Văn Thử {n}", "phone": "0912345678", "idNumber": "079190001234"},
            "description": f"Phản ánh số {n}: đèn đường hỏng", "location": {"address": "12 Lê Lợi, Hải Châu"}}


async def run_timed(args, work):
    host, port = args.host, args.port
    latencies, statuses = [], []
    deadline = time.monotonic() + args.duration
    counter = {"n": 0}

    async def worker():
        conn = Connection(host, port)
        while time.monotonic() < deadline:
            counter["n"] += 1
            await work(conn, counter["n"], latencies, statuses)

    start = time.monotonic()
    await asyncio.gather(*[worker() for _ in range(args.concurrency)])
    return latencies, statuses, time.monotonic() - start


async def timed_request(conn, latencies, statuses, method, path, token, body=None):
    t0 = time.monotonic()
    status, payload = await conn.request(method, path, token, body)
    latencies.append(time.monotonic() - t0)
    statuses.append(status)
    return status, payload


async def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", choices=["intake", "next", "journey", "bare", "call", "open-call", "burst"])
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--bursts", type=int, default=10)
    parser.add_argument("--walkin-service", default="1.001193")
    parser.add_argument("--counter-base", type=int, default=101)
    parser.add_argument("--server", default="http://127.0.0.1:8080")
    parser.add_argument("--token")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--service", default="HD-TTHC")
    parser.add_argument("--department", default="tiep-dan")
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--path", default="/items")
    parser.add_argument("--summary", action="store_true", help="one line per scenario instead of JSON")
    args = parser.parse_args()
    global SUMMARY
    SUMMARY = args.summary
    url = urllib.parse.urlparse(args.server)
    args.host, args.port = url.hostname, url.port or 80

    if args.scenario == "intake":
        async def work(conn, n, lat, st):
            await timed_request(conn, lat, st, "POST", "/api/v1/tickets", args.token, intake_body(args.service, n))
        lat, st, elapsed = await run_timed(args, work)
        report(f"intake x{args.concurrency}", lat, st, elapsed)
    elif args.scenario == "bare":
        async def work(conn, n, lat, st):
            await timed_request(conn, lat, st, "POST", args.path, None, {"name": f"item {n}", "note": "x" * 100})
        lat, st, elapsed = await run_timed(args, work)
        report(f"bare x{args.concurrency}", lat, st, elapsed)
    elif args.scenario == "journey":
        async def work(conn, n, lat, st):
            status, payload = await timed_request(conn, lat, st, "POST", "/api/v1/tickets", args.token, intake_body(args.service, n))
            if status != 201:
                return
            status, payload = await timed_request(conn, lat, st, "POST", f"/api/v1/departments/{args.department}/queue/next", args.token)
            if status != 200:
                return
            code = json.loads(payload)["code"]
            await timed_request(conn, lat, st, "POST", f"/api/v1/tickets/{code}/actions/resolve", args.token, {"outcome": "answered"})
            await timed_request(conn, lat, st, "POST", f"/api/v1/tickets/{code}/actions/return", args.token)
        lat, st, elapsed = await run_timed(args, work)
        report(f"journey x{args.concurrency}", lat, st, elapsed, per_item=4)
    elif args.scenario in ("open-call", "burst"):
        counters = await open_counters(args)
        calls = int(args.rate * args.duration) if args.scenario == "open-call" else args.bursts * len(counters)
        await issue_numbers(args, calls + len(counters))
        conns = {n: Connection(args.host, args.port) for n in counters}
        for n in counters:  # connect before the clock starts
            await conns[n].request("GET", "/readyz")
        latencies, statuses, called = [], [], []

        async def call(number, scheduled):
            await asyncio.sleep(max(0, scheduled - time.monotonic()))
            status, payload = await conns[number].request("POST", f"/api/v1/counters/{number}/call-next", args.token)
            latencies.append(time.monotonic() - scheduled)
            statuses.append(status)
            if status == 200:
                called.append(json.loads(payload)["id"])

        start = time.monotonic() + 0.2
        if args.scenario == "open-call":
            interval = 1 / args.rate
            # Each counter's calls are `len(counters) * interval` apart, far above any answer time;
            # a counter whose previous call has not come back still waits for it (one connection).
            per_counter = {n: [] for n in counters}
            for k in range(calls):
                per_counter[counters[k % len(counters)]].append(start + k * interval)

            async def counter(number):
                for moment in per_counter[number]:
                    await call(number, moment)

            await asyncio.gather(*[counter(n) for n in counters])
            report(f"open-loop call next, {args.rate:.0f}/s over {len(counters)} counters", latencies, statuses,
                   time.monotonic() - start)
        else:
            slowest = []
            for b in range(args.bursts):
                before = len(latencies)
                await asyncio.gather(*[call(n, start + b) for n in counters])
                slowest.append(max(latencies[before:]) * 1000)
            report(f"bursts of {len(counters)} simultaneous call next", latencies, statuses, args.bursts)
            print("  slowest answer of each burst (ms): " + ", ".join(f"{x:.1f}" for x in slowest))
        print(f"  numbers called: {len(called)}, distinct: {len(set(called))}")
        if len(called) != len(set(called)):
            raise SystemExit("a number was called twice")
    elif args.scenario == "call":
        setup = Connection(args.host, args.port)
        counters = list(range(args.counter_base, args.counter_base + args.concurrency))
        for number in counters:
            await setup.request("POST", "/api/v1/counters", args.token, {"number": number, "name": f"Bench {number}", "services": [args.walkin_service]})
            me = json.loads((await setup.request("GET", "/api/v1/me", args.token))[1])
            status, _ = await setup.request("PATCH", f"/api/v1/counters/{number}", args.token, {"open": True, "officer": me["username"]})
            assert status == 200, status
        for n in range(args.tickets):
            status, _ = await setup.request("POST", "/api/v1/queue-numbers", args.token, {"service": args.walkin_service})
            assert status == 201, status
        latencies, statuses = [], []

        async def counter_worker(number):
            conn = Connection(args.host, args.port)
            while True:
                status, _ = await timed_request(conn, latencies, statuses, "POST", f"/api/v1/counters/{number}/call-next", args.token)
                if status != 200:
                    return

        start = time.monotonic()
        await asyncio.gather(*[counter_worker(n) for n in counters])
        report(f"call next x{args.concurrency} counters over {args.tickets} numbers", latencies, statuses, time.monotonic() - start)
    else:
        fill = Connection(args.host, args.port)
        for n in range(args.tickets):
            status, _ = await fill.request("POST", "/api/v1/tickets", args.token, intake_body(args.service, n))
            assert status == 201, status
        latencies, statuses = [], []

        async def caller():
            conn = Connection(args.host, args.port)
            while True:
                status, _ = await timed_request(conn, latencies, statuses, "POST", f"/api/v1/departments/{args.department}/queue/next", args.token)
                if status != 200:
                    return

        start = time.monotonic()
        await asyncio.gather(*[caller() for _ in range(args.concurrency)])
        report(f"queue next x{args.concurrency} over {args.tickets} tickets", latencies, statuses, time.monotonic() - start)


if __name__ == "__main__":
    asyncio.run(main())
