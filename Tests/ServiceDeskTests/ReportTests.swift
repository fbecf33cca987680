import Foundation
import GRDB
import Testing

@testable import ServiceDesk

@Suite("Reports on a hand-computed history")
struct ReportTests {
    /// Six inquiries (HD-TTHC, 8 working hours) around December 2026; every figure below is
    /// worked out by hand in the comments.
    static func history() async throws -> Centre2026 {
        let centre = try await Centre2026(at: "2026-11-27 09:00")
        func resolve(_ code: String, at time: String) async throws {
            centre.clock.set(time)
            try await centre.act(.claim, code, by: "hoa.pa")
            try await centre.act(.resolve, code, by: "hoa.pa", ActionRequest(outcome: "answered"))
        }
        // T1: accepted Fri 27/11 09:00, due Mon 30/11 09:00; resolved Tue 1/12 10:00 — carried over, late.
        //     working: Fri 390 + Mon 480 + Tue 150 = 1,020 min; calendar 4 d 1 h = 5,820 min.
        let t1 = try await centre.intake("HD-TTHC").receipt.code
        // T2: accepted Tue 1/12 08:00, due Wed 08:00; resolved Tue 16:00 — early; 390 working, 480 calendar.
        centre.clock.set("2026-12-01 08:00")
        let t2 = try await centre.intake("HD-TTHC").receipt.code
        try await resolve(t1, at: "2026-12-01 10:00")
        try await resolve(t2, at: "2026-12-01 16:00")
        // T3: accepted Wed 2/12 09:00, due Thu 09:00; resolved Thu 10:00 — on time (same day); 540 working, 1,500 calendar.
        centre.clock.set("2026-12-02 09:00")
        let t3 = try await centre.intake("HD-TTHC").receipt.code
        try await resolve(t3, at: "2026-12-03 10:00")
        // T4: accepted Thu 3/12 09:00, never resolved — open and overdue at the end of December.
        centre.clock.set("2026-12-03 09:00")
        _ = try await centre.intake("HD-TTHC").receipt.code
        // T5: accepted Fri 4/12 09:00, withdrawn at 10:00.
        centre.clock.set("2026-12-04 09:00")
        let t5 = try await centre.intake("HD-TTHC").receipt.code
        centre.clock.set("2026-12-04 10:00")
        try await centre.act(.withdraw, t5, by: "lan.mc")
        // T6: accepted Mon 7/12 09:00 (due Tue 09:00), waiting for the citizen since 10:00 — open, waiting, and within time:
        //     its clock stopped before the due moment (the citizen's delay is not the centre's).
        centre.clock.set("2026-12-07 09:00")
        let t6 = try await centre.intake("HD-TTHC").receipt.code
        centre.clock.set("2026-12-07 10:00")
        try await centre.act(.requestSupplement, t6, by: "lan.mc", ActionRequest(missing: ["Ảnh"]))
        centre.clock.set("2027-01-05 09:00")
        return centre
    }

    @Test("progress: received, carried over, early / on time / late, open within time / overdue, waiting, withdrawn, on-time rate")
    func progress() async throws {
        let centre = try await Self.history()
        let table = try await centre.database.report(.progress, ReportRequest(period: ReportPeriod(period: "2026-12")))
        let row = try #require(table.rows.first)
        let expected: [String: ReportValue] = [
            "received": .int(5), "receivedCounter": .int(5), "receivedOnline": .int(0), "carriedOver": .int(1), "resolved": .int(3),
            "early": .int(1), "onTime": .int(1), "late": .int(1), "lateWithApology": .int(0), "openWithinTime": .int(1),
            "openOverdue": .int(1),
            "waitingOnCitizen": .int(1), "withdrawn": .int(1),
        ]
        for (key, value) in expected { #expect(row[key] == value, "\(key)") }
        #expect(row["onTimeRate"] == .number(2.0 / 3.0))
        // November: T1 received, still open at the end (due 30/11 09:00 → overdue), nothing resolved.
        let november = try await centre.database.report(.progress, ReportRequest(period: ReportPeriod(period: "2026-11")))
        #expect(
            november.rows.first?["received"] == .int(1) && november.rows.first?["openOverdue"] == .int(1)
                && november.rows.first?["onTimeRate"] == .null)
    }

    @Test("handling times: nearest-rank percentiles of working and calendar minutes")
    func handlingTimes() async throws {
        let centre = try await Self.history()
        let table = try await centre.database.report(
            .handlingTimes, ReportRequest(period: ReportPeriod(period: "2026-Q4"), groupBy: .department))
        let row = try #require(table.rows.first { $0["group"] == .text("tiep-dan") })
        #expect(row["resolved"] == .int(3))
        // working [390, 540, 1020]; calendar [480, 1500, 5820]
        #expect(row["workingMedian"] == .int(540) && row["workingP90"] == .int(1020) && row["workingMax"] == .int(1020))
        #expect(row["calendarMedian"] == .int(1500) && row["calendarP95"] == .int(5820))
        // Each step waited in the queue until claimed at the moment of resolution (5,820, 480, 1,500 min) and was worked 0 min.
        #expect(row["stepQueueMedian"] == .int(1500) && row["stepWorkMedian"] == .int(0))
        #expect(Percentile.of([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == 9 && Percentile.of([], 50) == nil)
    }

    @Test("percentiles by selection equal the nearest ranks of the sorted values, on random, sorted and repeated data")
    func selection() {
        var generator = SystemRandomNumberGenerator()
        let ranks: [Double] = [1, 50, 90, 95, 99, 100]
        for size in [1, 2, 3, 10, 101, 1000, 20_000] {
            let inputs = [
                (0..<size).map { _ in Int.random(in: 0...10_000, using: &generator) }, Array(0..<size), Array((0..<size).reversed()),
                (0..<size).map { $0 % 3 },
            ]
            for input in inputs {
                var values = input
                let sorted = input.sorted()
                #expect(Percentile.select(&values, ranks) == ranks.map { Percentile.of(sorted, $0) }, "size \(size)")
                #expect(values.sorted() == sorted)  // reordered, nothing lost
            }
        }
        var empty: [Int] = []
        #expect(Percentile.select(&empty, [50, 90]) == [nil, nil])
    }

    @Test("backlog, satisfaction and revenue; CSV keeps Vietnamese text and quotes what needs it")
    func others() async throws {
        let centre = try await Self.history()
        let backlog = try await centre.database.report(.backlog, ReportRequest(period: nil, groupBy: .department))
        let row = try #require(backlog.rows.first)
        #expect(row["group"] == .text("tiep-dan") && row["open"] == .int(2) && row["overdue"] == .int(1) && row["ageOver30"] == .int(1))
        let satisfaction = try await centre.database.report(.satisfaction, ReportRequest(period: ReportPeriod(period: "2026")))
        #expect(satisfaction.rows.isEmpty)  // nothing returned yet
        let revenue = try await centre.database.report(.revenue, ReportRequest(period: ReportPeriod(period: "2026"), groupBy: .service))
        #expect(revenue.rows.isEmpty)  // inquiries carry no charges
        let csv = ReportTable(
            report: "x", period: nil, groupBy: "service", columns: ["group", "n"],
            rows: [["group": .text("Đăng ký, \"khai\" sinh"), "n": .int(3)]]
        ).csv()
        #expect(csv == "\u{FEFF}group,n\r\n\"Đăng ký, \"\"khai\"\" sinh\",3\r\n")
    }

    @Test(
        "periods: a year, a quarter, a month, or from and to",
        arguments: [
            ("2026", "2026-01-01", "2026-12-31"), ("2026-Q1", "2026-01-01", "2026-03-31"), ("2024-02", "2024-02-01", "2024-02-29"),
            ("2026-q4", "2026-10-01", "2026-12-31"),
        ])
    func periods(text: String, from: String, to: String) throws {
        let period = try #require(ReportPeriod(period: text))
        #expect(period.from.description == from && period.to.description == to)
    }

    @Test("bad periods are refused with the field named")
    func badPeriods() throws {
        for text in ["26", "2026-13", "2026-Q5", "2026-1", "x"] { #expect(ReportPeriod(period: text) == nil) }
        #expect(throws: DeskError.self) { try ReportPeriod.parse(period: nil, from: "2026-12-01", to: "2026-11-01") }
        #expect(throws: DeskError.self) { try ReportPeriod.parse(period: "2026", from: "2026-12-01", to: nil) }
        #expect(try ReportPeriod.parse(period: nil, from: "2026-11-01", to: "2026-11-30") == ReportPeriod(period: "2026-11"))
    }
}

@Suite("Reports of the hall and of staffing")
struct HallReportTests {
    /// Three walk-in numbers on Monday 30/11 at counter 1, worked out by hand:
    /// A001 issued 08:00, called 08:10, served 08:10–08:20, led to a ticket resolved 08:45 (30 working min);
    /// A002 issued 08:05, called 08:30, recalled twice, no-show; A003 issued 08:06, called 08:31, served 08:31–08:51.
    static func morning() async throws -> Centre2026 {
        let centre = try await Centre2026(at: "2026-11-30 08:00")
        let database = centre.database
        _ = try await database.createCounter(CounterDraft(number: 1, name: "Quầy 1", services: ["1.001193"]), actor: "admin")
        _ = try await database.updateCounter(1, CounterPatch(open: true, officer: .set("lan.mc")), actor: "lan.mc")
        let officer = try await centre.staff("lan.mc")
        func issue(_ time: String) async throws -> QueueNumber {
            centre.clock.set(time)
            return try await database.issueNumber(IssueRequest(service: "1.001193"), actor: "kiosk-1").number
        }
        func call(_ time: String) async throws -> QueueNumber {
            centre.clock.set(time)
            return try #require(try await database.callNext(counter: 1, actor: officer))
        }
        func act(_ action: QueueAction, _ number: QueueNumber, _ time: String) async throws {
            centre.clock.set(time)
            _ = try await database.act(action, on: number.id, QueueActionRequest(), actor: officer)
        }
        let a1 = try await issue("2026-11-30 08:00")
        _ = try await issue("2026-11-30 08:05")
        _ = try await issue("2026-11-30 08:06")
        _ = try await call("2026-11-30 08:10")
        try await act(.start, a1, "2026-11-30 08:10")
        centre.clock.set("2026-11-30 08:15")
        let intake = try await database.intake(
            IntakeRequest(service: "1.001193", applicant: ApplicantDraft(name: "Trần Bé"), queueNumber: a1.label), actor: officer)
        guard case .created(let result, _) = intake else { throw DeskError.conflict("expected a ticket") }
        try await act(.finish, a1, "2026-11-30 08:20")
        let a2 = try await call("2026-11-30 08:30")
        try await act(.recall, a2, "2026-11-30 08:31")
        try await act(.recall, a2, "2026-11-30 08:31")
        try await act(.noShow, a2, "2026-11-30 08:31")
        let a3 = try await call("2026-11-30 08:31")
        try await act(.start, a3, "2026-11-30 08:31")
        try await act(.finish, a3, "2026-11-30 08:51")
        centre.clock.set("2026-11-30 08:45")
        // The counter passes it on; the registry (tu-phap, its deciding step) decides at once.
        try await centre.act(.claim, result.receipt.code, by: "thu.mc")
        try await centre.act(.transfer, result.receipt.code, by: "thu.mc")
        try await centre.act(.claim, result.receipt.code, by: "hung.tp")
        try await centre.act(.resolve, result.receipt.code, by: "hung.tp", ActionRequest(outcome: "granted"))
        return centre
    }

    @Test("waiting: waits and service times, the share called within the target, no-shows, and the joined journey")
    func waiting() async throws {
        let centre = try await Self.morning()
        let table = try await centre.database.report(.waiting, ReportRequest(period: ReportPeriod(period: "2026-11")))
        let row = try #require(table.rows.first)
        let expected: [String: ReportValue] = [
            "issued": .int(3), "called": .int(3), "waitMedian": .int(25), "waitP90": .int(25), "serviceMedian": .int(10),
            "serviceP90": .int(20),
            "noShows": .int(1), "journeys": .int(1), "journeyWaitMedian": .int(10), "journeyHandlingMedian": .int(30),
        ]
        for (key, value) in expected { #expect(row[key] == value, "\(key)") }
        #expect(row["calledWithinTarget"] == .number(1.0 / 3.0) && row["noShowRate"] == .number(1.0 / 3.0))
        let byCounter = try await centre.database.report(
            .waiting, ReportRequest(period: ReportPeriod(period: "2026-11"), groupBy: .counter))
        #expect(byCounter.rows.map { $0["group"] } == [.text("1")])
    }

    @Test("staffing: counters needed per hour by Erlang C from measured arrivals and service times; tickets per person and category")
    func staffing() async throws {
        let centre = try await Self.morning()
        let hours = try await centre.database.report(.staffing, ReportRequest(period: ReportPeriod(period: "2026-11"), groupBy: .hour))
        let row = try #require(hours.rows.first)
        // 3 arrivals in the 08 hour of one day, mean service 15 min: 0.75 erlang; 1 counter calls 41.6 % within 15 min, 2 call 94.1 %.
        #expect(row["group"] == .text("08") && row["arrivalsPerHour"] == .number(3) && row["meanServiceMinutes"] == .number(15))
        #expect(row["countersNeeded"] == .int(2))
        if case .number(let level) = row["expectedWithinTarget"] { #expect(abs(level - 0.9414) < 0.0001) } else { Issue.record("no level") }
        let people = try await centre.database.report(
            .staffing, ReportRequest(period: ReportPeriod(period: "2026-11"), groupBy: .employment))
        #expect(
            people.rows.first?["group"] == .text("civil-servant")
                && people.rows.first?["category"] == .text("civil servants (biên chế công chức)"))
        #expect(people.rows.first?["resolved"] == .int(1))
        // By person: the category is the person's, not their username again.
        let byStaff = try await centre.database.report(.staffing, ReportRequest(period: ReportPeriod(period: "2026-11"), groupBy: .staff))
        #expect(byStaff.rows.first?["group"] == .text("hung.tp"))
        #expect(byStaff.rows.first?["category"] == .text("civil servants (biên chế công chức)"))
        await #expect(throws: DeskError.self) {
            try await centre.database.report(.staffing, ReportRequest(period: ReportPeriod(period: "2026-11"), groupBy: .service))
        }
    }

    @Test("Erlang C against textbook values", arguments: [(10.0, 11, 0.6821), (10.0, 12, 0.4494), (10.0, 13, 0.2853), (2.0, 3, 0.4444)])
    func erlangC(traffic: Double, counters: Int, expected: Double) {
        #expect(abs(ErlangC.probabilityOfWaiting(traffic: traffic, counters: counters) - expected) < 0.0001)
        #expect(ErlangC.probabilityOfWaiting(traffic: traffic, counters: Int(traffic)) == 1)
    }

    @Test("filters narrow every report: a service filter keeps only that service")
    func filters() async throws {
        let centre = try await Self.morning()
        let all = try await centre.database.report(.progress, ReportRequest(period: ReportPeriod(period: "2026-11")))
        #expect(all.rows.first?["received"] == .int(1))
        let other = try await centre.database.report(
            .progress, ReportRequest(period: ReportPeriod(period: "2026-11"), filter: ReportFilter(service: "1.004227")))
        #expect(other.rows.count == 1 && other.rows.first?["received"] == .int(0))  // a zero total, not nothing
        let byDay = try await centre.database.report(.handlingTimes, ReportRequest(period: ReportPeriod(period: "2026-Q4"), groupBy: .week))
        #expect(byDay.rows.map { $0["group"] } == [.text("2026-11-30")])
    }
}

@Suite("Reports cross-checked on a seeded history")
struct SeededReportTests {
    @Test("the seed is deterministic; reports agree with direct SQL and with each other")
    func crossChecks() async throws {
        let database = try AppDatabase.inMemory()
        _ = try database.bootstrap()
        _ = try await Demo.load(into: database, actor: "admin")
        let seeded = try database.seed(
            tickets: 3_000, from: LocalDate("2026-01-01")!, to: LocalDate("2026-06-30")!, seed: 42, actor: "admin")
        #expect(seeded.tickets == 3_000 && seeded.queueNumbers > 0)
        let period = ReportPeriod(period: "2026-Q2")!
        let progress = try #require(try await database.report(.progress, ReportRequest(period: period)).rows.first)
        let handling = try #require(try await database.report(.handlingTimes, ReportRequest(period: period)).rows.first)
        let (start, end) = period.instants(LocalClock(identifier: "Asia/Ho_Chi_Minh")!)
        let direct = try database.writer.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT count(*) AS n, sum(timeliness IN ('early', 'on-time')) AS timely FROM ticket WHERE resolved_at >= ? AND resolved_at < ?
                    """,
                arguments: [start.storedSeconds, end.storedSeconds])!
        }
        let resolved: Int = direct["n"]
        let timely: Int = direct["timely"]
        #expect(resolved > 500)
        #expect(progress["resolved"] == .int(resolved) && handling["resolved"] == .int(resolved))
        #expect(progress["onTimeRate"] == .number(Double(timely) / Double(resolved)))
        let minutes = try await database.writer.read { db in
            try Int.fetchAll(
                db, sql: "SELECT handling_working_minutes FROM ticket WHERE resolved_at >= ? AND resolved_at < ? ORDER BY 1",
                arguments: [start.storedSeconds, end.storedSeconds])
        }
        #expect(handling["workingMedian"] == .int(minutes[(minutes.count + 1) / 2 - 1]) && handling["workingMax"] == .int(minutes.last!))
        let byService = try await database.report(.progress, ReportRequest(period: period, groupBy: .service)).rows
        #expect(
            byService.map { if case .int(let n) = $0["received"] { n } else { 0 } }.reduce(0, +)
                == { if case .int(let n) = progress["received"] { n } else { -1 } }())
        // Revenue sums the charge columns written at intake; they agree with the charge lines (JSON)
        // opened in SQL, which is also how migration 0006 filled them for older tickets.
        let revenue = try #require(try await database.report(.revenue, ReportRequest(period: period)).rows.first)
        let lines = try await database.writer.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT count(DISTINCT t.code) AS tickets, sum(CASE WHEN c.value ->> 'kind' = 'le-phi' THEN c.value ->> 'amount' END) AS lePhi,
                        sum(CASE WHEN c.value ->> 'kind' = 'phi' THEN c.value ->> 'amount' END) AS phi,
                        sum(CASE WHEN c.value ->> 'remittance' = 'budget' THEN c.value ->> 'amount' END) AS toBudget
                    FROM ticket t, json_each(t.charges) c WHERE t.accepted_at >= ? AND t.accepted_at < ?
                    """,
                arguments: [start.storedSeconds, end.storedSeconds]
            ).map { [$0["tickets"], $0["lePhi"], $0["phi"], $0["toBudget"]] as [Int] }
        }
        #expect(lines?.first ?? 0 > 100)
        let reported: [ReportValue?] = [revenue["tickets"], revenue["lePhi"], revenue["phi"], revenue["toBudget"]]
        let expected: [ReportValue?] = (lines ?? []).map { ReportValue.int($0) }
        #expect(reported == expected)
        let backfill = try #require(Schema.migrations.first { $0.name == "0006_charge_totals" }?.sql)
        let update = String(backfill[backfill.range(of: "UPDATE ticket SET")!.lowerBound..<backfill.range(of: "CREATE INDEX")!.lowerBound])
        let columns =
            "SELECT code, charge_lines, charge_le_phi, charge_phi, charge_service_price, charge_retained FROM ticket ORDER BY code"
        let written = try await database.writer.read { db in try Row.fetchAll(db, sql: columns).map { $0.description } }
        try await database.writer.write { db in try db.execute(sql: "UPDATE ticket SET charge_lines = 0, charge_le_phi = 0, charge_phi = 0")
        }
        try await database.writer.write { db in try db.execute(sql: update) }
        #expect(try await database.writer.read { db in try Row.fetchAll(db, sql: columns).map { $0.description } } == written)

        // The same seed gives the same history.
        let again = try AppDatabase.inMemory()
        _ = try again.bootstrap()
        _ = try await Demo.load(into: again, actor: "admin")
        _ = try again.seed(tickets: 3_000, from: LocalDate("2026-01-01")!, to: LocalDate("2026-06-30")!, seed: 42, actor: "admin")
        #expect(try await again.report(.progress, ReportRequest(period: period)).rows == [progress])

        // On a file (a WAL pool) handling-times reads its two halves at once on two connections;
        // the answer is the one read on a single connection.
        try await withTemporaryFolder { folder in
            let pooled = try AppDatabase.open(path: folder.appendingPathComponent("d.sqlite").path)
            _ = try pooled.bootstrap()
            _ = try await Demo.load(into: pooled, actor: "admin")
            _ = try pooled.seed(tickets: 3_000, from: LocalDate("2026-01-01")!, to: LocalDate("2026-06-30")!, seed: 42, actor: "admin")
            for grouping in [ReportGrouping.none, .department, .service] {
                let request = ReportRequest(period: period, groupBy: grouping)
                #expect(try await pooled.report(.handlingTimes, request) == (try await again.report(.handlingTimes, request)))
            }
        }
    }
}

@Suite("Replaying durations after a calendar correction")
struct ReplayTests {
    @Test("a holiday added after the fact shortens the working handling time once replayed; timeliness stays as promised")
    func replay() async throws {
        let centre = try await Centre2026(at: "2026-11-30 09:00")
        let code = try await centre.intake("PA-HATANG").receipt.code  // feedback: pause rule
        try await centre.act(.claim, code, by: "hoa.pa")
        centre.clock.set("2026-11-30 10:00")
        try await centre.act(.requestSupplement, code, by: "hoa.pa", ActionRequest(missing: ["Ảnh"]))
        centre.clock.set("2026-12-01 10:00")  // waited 480 working minutes
        try await centre.act(.supplementReceived, code, by: "hoa.pa")
        centre.clock.set("2026-12-03 09:00")
        try await centre.act(.resolve, code, by: "hoa.pa", ActionRequest(outcome: "answered"))
        func stored() async throws -> (Int, Int, String) {
            try await centre.database.read { db in
                let row = try Row.fetchOne(
                    db, sql: "SELECT handling_working_minutes, paused_minutes, timeliness FROM ticket WHERE code = ?", arguments: [code])!
                return (row[0], row[1], row[2])
            }
        }
        // Mon 09:00 → Thu 09:00 is 3 × 480 = 1,440 working minutes, 480 of them waited: 960.
        #expect(try await stored() == (960, 480, "early"))
        #expect(try centre.database.replayDurations(actor: "admin") == 0)
        _ = try await centre.database.addCalendarDay(
            CalendarDay(date: LocalDate("2026-12-02")!, kind: .holiday, name: "Late holiday"), actor: "admin")
        #expect(try centre.database.replayDurations(actor: "admin") == 1)
        #expect(try await stored() == (480, 480, "early"))
        #expect(try centre.database.verifyEventChain().intact)
    }
}
