import Foundation
import GRDB
import Testing

@testable import ServiceDesk

/// The long reports' fast path (two halves of the period at once, calendar groups labelled in
/// Swift; issue 17) gives the tables of the straight path (one scan, labels by SQLite).
@Suite("Reports: the fast path agrees with the straight one")
struct ReportScanTests {
    @Test("the calendar labels made in Swift are SQLite's strftime labels, for every hour, day, week, month and quarter")
    func labels() throws {
        let database = try DatabaseQueue()
        var random = SeededGenerator(state: 766)
        // 2024-01-01 to 2027-12-31 in Vietnam's time, and the edges of days, weeks and years.
        var instants = (0..<3_000).map { _ in Int64.random(in: 1_704_042_000..<1_830_272_400, using: &random) }
        // Local midnights at +7 (2026-01-01 00:00 is 1_767_200_400) and the second before each.
        for day in [0, 1, 4, 5, 31, 59, 90, 181, 364, 365] {
            instants += [1_767_200_400 + 86_400 * Int64(day) - 1, 1_767_200_400 + 86_400 * Int64(day)]
        }
        try database.write { db in
            try db.execute(sql: "CREATE TABLE t (at INTEGER NOT NULL)")
            for instant in instants { try db.execute(sql: "INSERT INTO t (at) VALUES (?)", arguments: [instant]) }
        }
        for grouping in [ReportGrouping.hour, .day, .week, .month, .quarter] {
            for offset in [7 * 3600, -5 * 3600] {
                let context = AppDatabase.ReportContext(
                    request: ReportRequest(period: nil, groupBy: grouping), start: 0, end: 0, offset: offset, mode: .administrativeBody)
                let rows = try database.read { db in
                    try Row.fetchAll(db, sql: "SELECT \(context.groupKey("at")), \(context.group("at")) FROM t")
                }
                var labels = GroupLabels(context)
                for row in rows {
                    let expected: String = row[1]
                    #expect(labels.label(row) == expected, "\(grouping) at \(offset) of \(row)")
                }
            }
        }
    }

    @Test("facts kept by ticket code are found by the code's bytes in a row, short codes inline and long ones by string, no other")
    func ticketCodes() throws {
        let database = try DatabaseQueue()
        // Inline up to 48 bytes, by string beyond (the last kept one: 52 bytes, Vietnamese letters of 2 and 3 bytes).
        let kept = [
            "A", "000.00.31.H29-260501-0001", String(repeating: "x", count: 48), String(repeating: "y", count: 49),
            "Đà-Nẵng-" + String(repeating: "9", count: 40),
        ]
        let others = [
            "", "B", "000.00.31.H29-260501-0002", "000.00.31.H29-260501-000", String(repeating: "x", count: 47),
            String(repeating: "y", count: 50), "Đà-Nẵng-",
        ]
        try database.write { db in
            try db.execute(sql: "CREATE TABLE kept (code TEXT); CREATE TABLE asked (code TEXT)")
            for code in kept { try db.execute(sql: "INSERT INTO kept VALUES (?)", arguments: [code]) }
            for code in kept + others { try db.execute(sql: "INSERT INTO asked VALUES (?)", arguments: [code]) }
            try db.execute(sql: "INSERT INTO asked VALUES (42)")  // a number is no code
        }
        var codes = TicketCodes<Bool>()
        #expect(codes.isEmpty)
        var found: [String] = []
        try database.read { grdb in
            let db = SQLiteSession(grdb)
            try codes.insert(db, sql: "SELECT code FROM kept")
            try forEachRow(db, sql: "SELECT code FROM asked", arguments: []) { row in
                if codes.contains(RawColumn(row, 0)) { found.append(RawColumn(row, 0).text ?? "?") }
            }
        }
        #expect(!codes.isEmpty)
        #expect(found == kept)
    }

    /// Each half's query as the fast path runs it: a range scan (SEARCH, not SCAN) of the covering
    /// index. (With a filter SQLite may rather take the filter's own index to that department or
    /// service.)
    @Test(
        "handling-times, satisfaction, revenue (and its payments), waiting, progress, online and feedback read each half by a range of their covering indexes, whatever the grouping"
    )
    func coveringPlans() async throws {
        let database = try AppDatabase.inMemory()
        _ = try database.bootstrap()
        for grouping in [ReportGrouping.none, .department, .service, .channel, .staff, .week, .hour] {
            let context = AppDatabase.ReportContext(
                request: ReportRequest(period: nil, groupBy: grouping), start: 0, end: 1, offset: 7 * 3600, mode: .administrativeBody)
            let arguments = context.arguments + ["split": 0]
            for half in [AppDatabase.Half.first, .second] {
                for (sql, index) in [
                    (AppDatabase.onlineColumnsSQL(context, bound: half.bound("t.received_at"), lookingUpFacts: false), "ticket_intake"),
                    (AppDatabase.onlineColumnsSQL(context, bound: half.bound("t.received_at"), lookingUpFacts: true), "ticket_intake"),
                    (AppDatabase.feedbackColumnsSQL(context, bound: half.bound("t.received_at")), "ticket_intake"),
                    (AppDatabase.resolvedDurationsSQL(context, bound: half.bound("resolved_at")), "ticket_handling"),
                    (AppDatabase.returnedRatingsSQL(context, bound: half.bound("t.returned_at")), "ticket_returned"),
                    (AppDatabase.revenueJoinSQL(context, bound: half.bound("t.accepted_at")), "ticket_revenue"),
                    (AppDatabase.revenueJoinSQL(context, bound: half.bound("t.accepted_at"), payments: false), "ticket_revenue"),
                    (
                        AppDatabase.waitingSQL(context, key: context.groupKey("issued_at", alias: "q"), bound: half.bound("q.issued_at")),
                        "queue_number_report"
                    ),
                    (AppDatabase.progressColumnsSQL(context, bound: half.bound("t.accepted_at")), "ticket_progress"),
                ]
                // Online and feedback have no grouping by staff; waiting none by department, channel or staff.
                where (index != "ticket_intake" || grouping != .staff)
                    && (index != "queue_number_report" || [.none, .service, .week].contains(grouping))
                {
                    let plan = try await database.read { db in
                        try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
                    }
                    let alias = index.hasPrefix("queue_number") ? "q" : "t"
                    #expect(plan.contains { $0.hasPrefix("SEARCH \(alias) USING COVERING INDEX \(index) (") }, "\(grouping) \(plan)")
                    if sql.contains("JOIN payment") {
                        // Each ticket's payments — paid, paid online, exempted — in one seek of an index alone (migration 0029).
                        let payments = plan.filter { $0.hasPrefix("SEARCH p USING COVERING INDEX payment_ticket (ticket=?)") }
                        #expect(payments.count == 1 && plan.count == 2, "\(grouping) \(plan)")
                    }
                    if index == "queue_number_report" {
                        // The ticket a number led to, by its key.
                        #expect(
                            plan.contains { $0.hasPrefix("SEARCH t USING PRIMARY KEY (code=?)") } && plan.count == 2, "\(grouping) \(plan)")
                    }
                }
            }
        }
    }

    @Test(
        "every long report (and staffing by person and category), every grouping, over a month, a year and the whole history: the same table both ways"
    )
    func agreement() async throws {
        try await withTemporaryFolder { folder in
            // A fixed now inside the history: the whole-history period runs past it, so the split is
            // placed by it, and "overdue at now" is the same moment for both paths.
            let clock = TestClock("2026-05-20 10:00")
            let database = try AppDatabase.open(path: folder.appendingPathComponent("d.sqlite").path, clock: { clock.now })
            _ = try database.bootstrap()
            _ = try await Demo.load(into: database, actor: "admin")
            _ = try database.seed(tickets: 3_000, from: LocalDate("2025-07-01")!, to: LocalDate("2026-06-30")!, seed: 7, actor: "admin")
            // Revenue before any payment is recorded (read without the join), then with them.
            for period in [ReportPeriod(period: "2026")!, ReportPeriod(from: LocalDate("2025-01-01")!, to: LocalDate("2026-12-31")!)] {
                for grouping in [ReportGrouping.none, .department, .staff, .month] {
                    let request = ReportRequest(period: period, groupBy: grouping)
                    let fast = try await database.report(.revenue, request)
                    let straight = try await database.report(.revenue, request, straight: true)
                    #expect(!fast.rows.isEmpty && fast == straight, "revenue without payments \(grouping) \(period)")
                }
            }
            try await database.write { db in try Self.recordFactsBeside(db) }
            let periods = [
                ReportPeriod(period: "2026-03")!, ReportPeriod(period: "2026")!,
                ReportPeriod(from: LocalDate("2025-01-01")!, to: LocalDate("2026-12-31")!),
            ]
            let groupings: [AppDatabase.ReportName: [ReportGrouping]] = [
                .progress: [.none, .department, .service, .channel, .staff, .day, .week, .month, .quarter],
                .handlingTimes: [.none, .department, .service, .channel, .staff, .day, .week, .month, .quarter],
                .satisfaction: [.none, .department, .service, .channel, .staff, .day, .week, .month, .quarter],
                .revenue: [.none, .department, .service, .channel, .staff, .day, .week, .month, .quarter],
                .waiting: [.none, .service, .counter, .hour, .day, .week, .month, .quarter],
                .staffing: [.staff, .employment, .hour],
                .online: [.none, .department, .service, .day, .week, .month, .quarter],
                .feedback: [.none, .department, .service, .channel, .severity, .day, .week, .month, .quarter],
            ]
            var compared = 0
            for (name, groups) in groupings {
                for period in periods {
                    for grouping in groups {
                        for filter in [ReportFilter(), ReportFilter(department: "tu-phap"), ReportFilter(service: "PA-HATANG")] {
                            let request = ReportRequest(period: period, groupBy: grouping, filter: filter)
                            let fast = try await database.report(name, request)
                            let straight = try await database.report(name, request, straight: true)
                            #expect(fast == straight, "\(name.rawValue) \(grouping.rawValue) \(period) \(filter)")
                            if !fast.rows.isEmpty { compared += 1 }
                        }
                    }
                }
            }
            #expect(compared >= 400, "the seeded history fills the tables compared")
            // The facts beside the tickets are counted, some before a period's end and some after it.
            for (name, columns) in [
                (
                    AppDatabase.ReportName.online,
                    ["receptionOnTime", "receptionLate", "paidOnline", "synchronised", "electronicResults", "fullyOnline"]
                ),
                (
                    .feedback,
                    ["forwarded", "forwardedOnTime", "acceptedLate", "sentBack", "withProgress", "withPhotos", "merged", "complaints"]
                ),
            ] {
                let year = try await database.report(name, ReportRequest(period: periods[1]))
                let whole = try await database.report(name, ReportRequest(period: periods[2]))
                for column in columns {
                    let (inYear, inWhole) = (year.rows[0][column], whole.rows[0][column])
                    #expect(inYear != .int(0) && inWhole != .int(0), "\(name.rawValue) \(column) counted")
                    if ["receptionOnTime", "paidOnline", "forwarded"].contains(column) {
                        let march = try await database.report(name, ReportRequest(period: periods[0])).rows[0][column]
                        #expect(march != .int(0) && march != inYear, "\(name.rawValue) \(column) counted in March")
                    }
                }
            }

            // Both halves hold rows, and together every row once.
            let request = ReportRequest(period: periods[2])
            let context = try await database.read { db in try database.reportContext(db, .progress, request, now: clock.now).0 }
            let halves = try await database.halves(context, now: clock.now) { db, half, arguments in
                [
                    try Int.fetchOne(
                        db, sql: "SELECT count(*) FROM ticket t WHERE t.received_at < :end\(half.bound("t.received_at"))",
                        arguments: arguments)!
                ]
            } merge: {
                $0 + $1
            }
            let whole = try await database.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM ticket WHERE received_at < ?", arguments: [context.end])!
            }
            #expect(halves.count == 2 && halves.allSatisfy { $0 > 0 } && halves.reduce(0, +) == whole, "\(halves) of \(whole)")
            try database.close()
        }
    }

    /// What is recorded beside the tickets, written by SQL at random (seed 766) so each fact falls
    /// before a period's end for some tickets and after it for others: online receptions graded on
    /// time, late or not at all (and an event of another entity under a ticket's code), payments
    /// online or not, the portal's acknowledgements of the status a ticket has or had, result
    /// files, forwards answered every way, progress posts with photos or without, Open311 photos as
    /// files and as links; and on the tickets the natures, merges, reopenings, digitisation,
    /// severities and fully online services the two reports count.
    static func recordFactsBeside(_ db: any SQLSession) throws {
        var random = SeededGenerator(state: 766)
        let day: Int64 = 86_400
        try db.execute(
            sql: """
                UPDATE service SET online_level = 'full' WHERE code IN (SELECT code FROM service WHERE kind = 'procedure' ORDER BY code LIMIT 2);
                UPDATE service SET online_level = 'partial' WHERE code IN (SELECT code FROM service WHERE kind = 'procedure' ORDER BY code LIMIT 1 OFFSET 2);
                """)
        let body = try String.fetchOne(db, sql: "SELECT code FROM department ORDER BY code LIMIT 1")!
        let tickets = try Row.fetchAll(db, sql: "SELECT code, received_at, state FROM ticket ORDER BY code")
        var event: Int64 = 1
        for (index, ticket) in tickets.enumerated() {
            let code: String = ticket[0]
            let received: Int64 = ticket[1]
            let state: String = ticket[2]
            func later() -> Int64 { received + Int64.random(in: 0..<(90 * day), using: &random) }
            func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }
            if chance(25) {
                let grade = ["on-time", "late", "none"][index % 3]
                for _ in 0..<(chance(10) ? 2 : 1) {
                    try db.execute(
                        sql: """
                            INSERT INTO event (at, actor, action, entity, entity_id, detail, prev_hash, hash)
                            VALUES (?, 'officer', 'ticket.receive', ?, ?, json_object('receptionGrade', ?), 'x', ?)
                            """,
                        arguments: [later(), chance(90) ? "ticket" : "visit", code, grade, "h\(event)"])
                    event += 1
                }
            }
            if chance(30) {
                try db.execute(
                    sql: """
                        INSERT INTO payment (ticket, line, kind, amount, method, at, collected_by)
                        VALUES (?, 0, ?, 1000, ?, ?, 'officer')
                        """,
                    arguments: [code, chance(85) ? "paid" : "exempt", chance(60) ? "online" : "cash", later()])
            }
            if chance(30) {
                let states = ["new": 1, "queued": 2, "in-progress": 4, "awaiting-citizen": 5, "resolved": 9, "returned": 10]
                let status = chance(60) ? (states[state] ?? 3) : Int.random(in: 1...10, using: &random)
                try db.execute(
                    sql: "INSERT INTO sync_ack (ticket, event_id, portal_status, acked_at, acked_by) VALUES (?, 1, ?, ?, 'portal')",
                    arguments: [code, status, later()])
            }
            if chance(20) {
                try db.execute(
                    sql: """
                        INSERT INTO stored_file (ticket, slot, content_type, size, sha256, bytes, uploaded_at, uploaded_by)
                        VALUES (?, 'result', 'application/pdf', 1, 'x', X'00', ?, 'officer')
                        """,
                    arguments: [code, later()])
                try db.execute(sql: "UPDATE ticket SET result_file = ? WHERE code = ?", arguments: [db.lastInsertedRowID, code])
            }
            for _ in 0..<(chance(30) ? Int.random(in: 1...3, using: &random) : 0) {
                let sent = later()
                try db.execute(
                    sql: """
                        INSERT INTO forward (ticket, body, lead, sent_at, sent_by, grade, accept_due, accepted_at, acceptance_grade,
                            sent_back_at)
                        VALUES (?, ?, 1, ?, 'officer', ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        code, body, sent, ["early", "on-time", "late", nil][Int.random(in: 0..<4, using: &random)], sent + 5 * day,
                        chance(50) ? sent + Int64.random(in: 0..<(20 * day), using: &random) : nil,
                        ["on-time", "late", nil][Int.random(in: 0..<3, using: &random)],
                        chance(20) ? sent + Int64.random(in: 0..<(20 * day), using: &random) : nil,
                    ])
            }
            for _ in 0..<(chance(25) ? Int.random(in: 1...2, using: &random) : 0) {
                try db.execute(
                    sql: "INSERT INTO progress_post (ticket, at, author, text, photos) VALUES (?, ?, 'officer', 'đang xử lý', ?)",
                    arguments: [code, later(), chance(40) ? "[\"p.jpg\"]" : "[]"])
            }
            if chance(5) {
                try db.execute(
                    sql: """
                        INSERT INTO open311_media (token, ticket, part, content_type, size, bytes, created_at)
                        VALUES (?, ?, 'media', 'image/jpeg', 1, X'00', ?)
                        """,
                    arguments: ["m\(index)", code, received])
            }
            if chance(10) {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO open311_request (ticket, media_urls) VALUES (?, ?)",
                    arguments: [code, ["[]", "", "[\"https://example.org/a.jpg\"]"][index % 3]])
            }
            try db.execute(
                sql: """
                    UPDATE ticket SET nature = ?, reopened = ?, severity = coalesce(?, severity), documents_to_digitise = ?,
                        documents_digitised = ?, documents_reused = ?, state = CASE WHEN ? THEN 'new' ELSE state END
                    WHERE code = ?
                    """,
                arguments: [
                    chance(85) ? nil : ["complaint", "denunciation", "guidance"][index % 3], chance(10) ? 1 : 0,
                    chance(30) ? ["low", "high"][index % 2] : nil, index % 4, index % 3, chance(20) ? 2 : 0, chance(5), code,
                ])
            if chance(5), index > 0 {
                try db.execute(sql: "UPDATE ticket SET merged_into = ? WHERE code = ?", arguments: [tickets[index - 1][0] as String, code])
            }
        }
    }
}
