#!/usr/bin/env python3
"""Report timings over a seeded history (SPEC §9: any report over 1,000,000 tickets under 1 s).

    scripts/build-release.sh deskd deskcli
    python3 scripts/bench-reports.py --database /tmp/million.sqlite --tickets 1000000

Seeds the database first when it does not exist (deskcli demo seed, deterministic, seed 1), starts
deskd on it, then asks every report for a month, a quarter, the year 2026 and the whole history
(JSON, grouped as given by --by), --runs times each, and prints the median and maximum wall time
of the HTTP request (the server computes the whole report per request; nothing is cached).

With --live, each timed report follows a write (a walk-in number issued through the API), as in
a centre that writes all day: each report's read then starts on a snapshot other connections
changed, which costs SQLite more than rereading an idle file (docs/benchmarks.md, "Reports after
a write").

It also times the Open311 reads (requests in JSON and XML, a filtered list, the service list).
Then it cross-checks the reports over the whole history against the database file itself (SQL
through Python's sqlite3, sorting in Python): counts agree across reports and with direct counts,
the on-time rate equals a direct count, the percentiles equal the nearest ranks of the sorted raw
durations, revenue equals the charge lines opened with json_each, the online and feedback figures
equal one lookup per ticket of the facts beside it (payments, results, receptions, forwards,
posts). Any disagreement exits 1.
"""
import argparse, json, math, os, socket, sqlite3, statistics, subprocess, sys, time, urllib.error, urllib.request
from datetime import datetime, timedelta, timezone

WHOLE = "from=2025-01-01&to=2026-12-31"

REPORTS = ["progress", "handling-times", "backlog", "waiting", "satisfaction", "staffing", "revenue", "online", "feedback"]


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
    parser.add_argument("--live", action="store_true", help="issue a walk-in number before each timed report")
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
        # The first start on an older file runs its migrations (0006 totals a million tickets' charges).
        for _ in range(2400):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        write = walk_in(port, token) if args.live else (lambda: None)
        results = []
        for period in ["period=2026-10", "period=2026-Q3", "period=2026", WHOLE]:
            for report in REPORTS:
                by = {"waiting": "service", "staffing": "hour"}.get(report, args.by)
                url = f"http://127.0.0.1:{port}/api/v1/reports/{report}?{period}&by={by}"
                times, rows = [], 0
                for _ in range(args.runs):
                    write()
                    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
                    t0 = time.monotonic()
                    body = urllib.request.urlopen(request, timeout=60).read()
                    times.append(time.monotonic() - t0)
                    rows = len(json.loads(body)["rows"])
                results.append({"report": report, "period": period, "by": by, "rows": rows,
                                "median_ms": round(statistics.median(times) * 1000, 1), "max_ms": round(max(times) * 1000, 1)})
                print(json.dumps(results[-1], ensure_ascii=False))
        # Open311 reads over the same file (public, no token).
        for path in ["requests.json", "requests.xml", "requests.json?status=open&service_code=PA-HATANG", "services.xml"]:
            times, size = [], 0
            for _ in range(5):
                t0 = time.monotonic()
                size = len(urllib.request.urlopen(f"http://127.0.0.1:{port}/open311/v2/{path}", timeout=60).read())
                times.append(time.monotonic() - t0)
            print(json.dumps({"open311": path, "bytes": size, "median_ms": round(statistics.median(times) * 1000, 1),
                              "max_ms": round(max(times) * 1000, 1)}))
        cross_check(args.database, lambda report, query: json.loads(urllib.request.urlopen(urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/reports/{report}?{WHOLE}&{query}", headers={"Authorization": f"Bearer {token}"}),
            timeout=60).read())["rows"])
    finally:
        daemon.terminate()
        daemon.wait(10)


def walk_in(port, token):
    """A function issuing one walk-in number (a write that commits) for the first service that takes one."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    services = json.loads(urllib.request.urlopen(urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/services", headers=headers), timeout=10).read())["items"]
    for service in services:
        body = json.dumps({"service": service["code"]}).encode()
        issue = lambda: urllib.request.urlopen(urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/queue-numbers", data=body, headers=headers, method="POST"), timeout=10).read()
        try:
            issue()
        except urllib.error.HTTPError as error:
            if error.code in (401, 403) or error.code >= 500:
                raise
            continue  # this service takes no walk-in numbers
        print(json.dumps({"live": f"a walk-in number for {service['code']} before each report"}))
        return issue
    raise SystemExit("--live: no service takes a walk-in number")


def nearest_rank(values, p):
    """The nearest-rank percentile of sorted values (docs/reports.md)."""
    return values[min(len(values), max(1, math.ceil(p / 100 * len(values)))) - 1] if values else None


def cross_check(database, report):
    zone = timezone(timedelta(hours=7))
    start = int(datetime(2025, 1, 1, tzinfo=zone).timestamp())
    end = int(datetime(2027, 1, 1, tzinfo=zone).timestamp())
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    one = lambda sql: db.execute(sql, (start, end)).fetchone()
    named = lambda sql: db.execute(sql, {"start": start, "end": end}).fetchone()
    failures = []

    def agree(name, reported, direct):
        ok = reported == direct
        print(json.dumps({"check": name, "report": reported, "direct": direct, "ok": ok}, ensure_ascii=False))
        if not ok:
            failures.append(name)

    progress = report("progress", "by=none")[0]
    by_department = report("progress", "by=department")
    handling = report("handling-times", "by=none")[0]
    received, = one("SELECT count(*) FROM ticket WHERE accepted_at >= ? AND accepted_at < ?")
    agree("received = direct count", progress["received"], received)
    agree("received = sum over departments", sum(row["received"] for row in by_department), received)
    resolved, timely = one("SELECT count(*), sum(timeliness IN ('early', 'on-time')) FROM ticket WHERE resolved_at >= ? AND resolved_at < ?")
    agree("resolved (progress) = direct count", progress["resolved"], resolved)
    agree("resolved (handling-times) = resolved (progress)", handling["resolved"], progress["resolved"])
    agree("on-time rate = direct (early + on time) / resolved, to 4 places", progress["onTimeRate"], math.floor(timely / resolved * 10_000 + 0.5) / 10_000)
    for column, prefix in (("handling_working_minutes", "working"), ("handling_calendar_minutes", "calendar")):
        values = sorted(v for (v,) in db.execute(
            f"SELECT {column} FROM ticket WHERE resolved_at >= ? AND resolved_at < ? AND handling_working_minutes IS NOT NULL", (start, end)))
        for p, key in ((50, "Median"), (90, "P90"), (95, "P95"), (100, "Max")):
            agree(f"{prefix} {key} = nearest rank of the sorted durations", handling[prefix + key], nearest_rank(values, p))
    revenue = report("revenue", "by=none")[0]
    tickets, le_phi, phi, budget = one("""
        SELECT count(DISTINCT t.code), sum(CASE WHEN c.value ->> 'kind' = 'le-phi' THEN c.value ->> 'amount' ELSE 0 END),
            sum(CASE WHEN c.value ->> 'kind' = 'phi' THEN c.value ->> 'amount' ELSE 0 END),
            sum(CASE WHEN c.value ->> 'remittance' = 'budget' THEN c.value ->> 'amount' ELSE 0 END)
        FROM ticket t, json_each(t.charges) c WHERE t.accepted_at >= ? AND t.accepted_at < ?""")
    agree("revenue tickets = tickets with charge lines", revenue["tickets"], tickets)
    agree("revenue lệ phí = charge lines", revenue["lePhi"], le_phi)
    agree("revenue phí = charge lines", revenue["phi"], phi)
    agree("revenue to the budget = charge lines", revenue["toBudget"], budget)
    satisfaction = report("satisfaction", "by=none")[0]
    returned, rated, very = one("""SELECT count(*), count(rating), sum(rating = 'very-satisfied') FROM ticket
        WHERE returned_at >= ? AND returned_at < ?""")
    agree("returned, rated, very satisfied = direct counts", [satisfaction[k] for k in ("returned", "rated", "verySatisfied")],
          [returned, rated, very])
    waiting = report("waiting", "by=none")[0]
    issued, = one("SELECT count(*) FROM queue_number WHERE issued_at >= ? AND issued_at < ? AND state <> 'transferred'")
    agree("walk-in numbers issued = direct count", waiting["issued"], issued)
    online = report("online", "by=none")[0]
    direct = named("""
        SELECT count(*), sum(t.channel IN ('web', 'mobile', 'email')),
            sum(t.charge_lines > 0 AND EXISTS (SELECT 1 FROM payment p WHERE p.ticket = t.code AND p.kind = 'paid'
                AND p.method = 'online' AND p.at < :end)),
            sum(t.resolved_at < :end AND EXISTS (SELECT 1 FROM stored_file f WHERE f.id = t.result_file AND f.uploaded_at < :end)),
            sum(EXISTS (SELECT 1 FROM event e WHERE e.entity = 'ticket' AND e.entity_id = t.code AND e.action = 'ticket.receive'
                AND e.at < :end AND json_extract(e.detail, '$.receptionGrade') = 'on-time'))
        FROM ticket t JOIN service s ON s.code = t.service
        WHERE s.kind = 'procedure' AND t.received_at >= :start AND t.received_at < :end""")
    agree("online received, online, paid online, electronic results, received on time = direct counts",
          [online[k] for k in ("received", "receivedOnline", "paidOnline", "electronicResults", "receptionOnTime")],
          [v or 0 for v in direct])
    feedback = report("feedback", "by=none")[0]
    direct = named("""
        SELECT sum(t.nature IS NULL AND s.kind = 'feedback'),
            sum(t.nature IS NULL AND s.kind = 'feedback' AND EXISTS (SELECT 1 FROM forward f WHERE f.ticket = t.code AND f.sent_at < :end)),
            sum(t.nature IS NULL AND s.kind = 'feedback' AND EXISTS (SELECT 1 FROM progress_post p WHERE p.ticket = t.code AND p.at < :end))
        FROM ticket t JOIN service s ON s.code = t.service
        WHERE s.kind IN ('feedback', 'inquiry') AND t.received_at >= :start AND t.received_at < :end AND t.state != 'rejected'""")
    agree("feedback received, forwarded, with progress = direct counts",
          [feedback[k] for k in ("received", "forwarded", "withProgress")], [v or 0 for v in direct])
    if failures:
        print(f"cross-checks FAILED: {', '.join(failures)}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps({"cross_checks": "all agree"}))


if __name__ == "__main__":
    main()
