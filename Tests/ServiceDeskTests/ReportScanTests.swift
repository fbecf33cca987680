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

    /// Each half's query as the fast path runs it: a range scan (SEARCH, not SCAN) of the covering
    /// index. (With a filter SQLite may rather take the filter's own index to that department or
    /// service.)
    @Test("handling-times, revenue and progress read each half by a range of their covering indexes, whatever the grouping")
    func coveringPlans() async throws {
        let database = try AppDatabase.inMemory()
        _ = try database.bootstrap()
        for grouping in [ReportGrouping.none, .department, .service, .channel, .staff, .week] {
            let context = AppDatabase.ReportContext(
                request: ReportRequest(period: nil, groupBy: grouping), start: 0, end: 1, offset: 7 * 3600, mode: .administrativeBody)
            let arguments = context.arguments + ["split": 0]
            for half in [AppDatabase.Half.first, .second] {
                for (sql, index) in [
                    (AppDatabase.resolvedDurationsSQL(context, bound: half.bound("resolved_at")), "ticket_handling"),
                    (AppDatabase.revenueSQL(context, bound: half.bound("t.accepted_at")), "ticket_revenue"),
                    (AppDatabase.progressColumnsSQL(context, bound: half.bound("t.accepted_at")), "ticket_progress"),
                ] {
                    let plan = try await database.read { db in
                        try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
                    }
                    #expect(plan.contains { $0.hasPrefix("SEARCH t USING COVERING INDEX \(index) (") }, "\(grouping) \(plan)")
                }
            }
        }
    }

    @Test(
        "every long report (and staffing by person and category), every grouping, over a month, a year and the whole history: the same table both ways"
    )
    func agreement() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("desk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // A fixed now inside the history: the whole-history period runs past it, so the split is
        // placed by it, and "overdue at now" is the same moment for both paths.
        let clock = TestClock("2026-05-20 10:00")
        let database = try AppDatabase.open(path: folder.appendingPathComponent("d.sqlite").path, clock: { clock.now })
        _ = try database.bootstrap()
        _ = try await Demo.load(into: database, actor: "admin")
        _ = try database.seed(tickets: 3_000, from: LocalDate("2025-07-01")!, to: LocalDate("2026-06-30")!, seed: 7, actor: "admin")
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
            .staffing: [.staff, .employment],
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
        #expect(compared >= 300, "the seeded history fills the tables compared")

        // Both halves hold rows, and together every row once.
        let request = ReportRequest(period: periods[2])
        let context = try await database.read { db in try database.reportContext(db, .progress, request, now: clock.now).0 }
        let halves = try await database.halves(context, now: clock.now) { db, half, arguments in
            [
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM ticket t WHERE t.received_at < :end\(half.bound("t.received_at"))", arguments: arguments)!
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
