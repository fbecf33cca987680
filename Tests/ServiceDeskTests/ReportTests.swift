import Foundation
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
        // T1: accepted Fri 27/11 09:00, due Mon 30/11 09:30; resolved Tue 1/12 10:00 — carried over, late.
        //     working: Fri 360 + Mon 450 + Tue 150 = 960 min; calendar 4 d 1 h = 5,820 min.
        let t1 = try await centre.intake("HD-TTHC").receipt.code
        // T2: accepted Tue 1/12 08:00, due Wed 08:30; resolved Tue 16:00 — early; 360 working, 480 calendar.
        centre.clock.set("2026-12-01 08:00")
        let t2 = try await centre.intake("HD-TTHC").receipt.code
        try await resolve(t1, at: "2026-12-01 10:00")
        try await resolve(t2, at: "2026-12-01 16:00")
        // T3: accepted Wed 2/12 09:00, due Thu 09:30; resolved Thu 10:00 — on time (same day); 510 working, 1,500 calendar.
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
        // T6: accepted Mon 7/12 09:00, waiting for the citizen since 10:00 — open, overdue (stored due Tue 09:30), waiting.
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
        let table = try await centre.database.report(.progress, period: ReportPeriod(period: "2026-12"), groupBy: .none)
        let row = try #require(table.rows.first)
        let expected: [String: ReportValue] = [
            "received": .int(5), "receivedCounter": .int(5), "receivedOnline": .int(0), "carriedOver": .int(1), "resolved": .int(3),
            "early": .int(1), "onTime": .int(1), "late": .int(1), "lateWithApology": .int(0), "openWithinTime": .int(0),
            "openOverdue": .int(2),
            "waitingOnCitizen": .int(1), "withdrawn": .int(1),
        ]
        for (key, value) in expected { #expect(row[key] == value, "\(key)") }
        #expect(row["onTimeRate"] == .number(2.0 / 3.0))
        // November: T1 received, still open at the end (due 30/11 09:30 → overdue), nothing resolved.
        let november = try await centre.database.report(.progress, period: ReportPeriod(period: "2026-11"), groupBy: .none)
        #expect(
            november.rows.first?["received"] == .int(1) && november.rows.first?["openOverdue"] == .int(1)
                && november.rows.first?["onTimeRate"] == .null)
    }

    @Test("handling times: nearest-rank percentiles of working and calendar minutes")
    func handlingTimes() async throws {
        let centre = try await Self.history()
        let table = try await centre.database.report(.handlingTimes, period: ReportPeriod(period: "2026-Q4"), groupBy: .department)
        let row = try #require(table.rows.first { $0["group"] == .text("tiep-dan") })
        #expect(row["resolved"] == .int(3))
        // working [360, 510, 960]; calendar [480, 1500, 5820]
        #expect(row["workingMedian"] == .int(510) && row["workingP90"] == .int(960) && row["workingMax"] == .int(960))
        #expect(row["calendarMedian"] == .int(1500) && row["calendarP95"] == .int(5820))
        #expect(Percentile.of([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == 9 && Percentile.of([], 50) == nil)
    }

    @Test("backlog, satisfaction and revenue; CSV keeps Vietnamese text and quotes what needs it")
    func others() async throws {
        let centre = try await Self.history()
        let backlog = try await centre.database.report(.backlog, period: nil, groupBy: .department)
        let row = try #require(backlog.rows.first)
        #expect(row["group"] == .text("tiep-dan") && row["open"] == .int(2) && row["overdue"] == .int(2) && row["ageOver30"] == .int(1))
        let satisfaction = try await centre.database.report(.satisfaction, period: ReportPeriod(period: "2026"), groupBy: .none)
        #expect(satisfaction.rows.isEmpty)  // nothing returned yet
        let revenue = try await centre.database.report(.revenue, period: ReportPeriod(period: "2026"), groupBy: .service)
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
