import Foundation
import GRDB
import Testing

@testable import ServiceDesk

/// Overdue has one definition (`Deadline`): the ticket, search, the backlog and the progress
/// report give the same answer, computed at the moment asked.
@Suite("Deadlines: one overdue answer everywhere, at any hour")
struct DeadlineTests {
    @Test("a ticket waiting on the citizen since after its due moment, one due later today, one waiting since before its due moment")
    func oneAnswer() async throws {
        // Inquiries (HD-TTHC, 8 working hours, no cut-off) received on Wednesday 2 December.
        let centre = try await Centre2026(at: "2026-12-02 08:30")
        let waitingLate = try await centre.intake("HD-TTHC").receipt.code  // due Thu 08:30
        centre.clock.set("2026-12-02 10:00")
        let waitingInTime = try await centre.intake("HD-TTHC").receipt.code  // due Thu 10:00
        centre.clock.set("2026-12-02 11:00")
        try await centre.act(.requestSupplement, waitingInTime, by: "lan.mc", ActionRequest(missing: ["Ảnh"]))
        centre.clock.set("2026-12-02 15:00")
        let dueToday = try await centre.intake("HD-TTHC").receipt.code  // due Thu 15:00
        centre.clock.set("2026-12-03 10:00")
        try await centre.act(.requestSupplement, waitingLate, by: "lan.mc", ActionRequest(missing: ["Ảnh"]))

        let admin = try await centre.staff("admin")
        for (hour, expected) in [
            ("2026-12-03 12:00", [waitingLate]), ("2026-12-03 14:59", [waitingLate]),
            ("2026-12-03 15:01", [waitingLate, dueToday]), ("2026-12-04 06:13", [waitingLate, dueToday]),
            ("2026-12-21 09:00", [waitingLate, dueToday]),
        ] {
            centre.clock.set(hour)
            var byTicket: [String] = []
            var atRiskByTicket: [String] = []
            for code in [waitingLate, waitingInTime, dueToday] {
                let view = try await centre.database.ticket(code, viewer: admin)
                if view.overdue { byTicket.append(code) }
                if view.atRisk { atRiskByTicket.append(code) }
            }
            func search(_ overdue: Bool?, _ atRisk: Bool?) async throws -> Set<String> {
                var query = TicketQuery()
                query.overdue = overdue
                query.atRisk = atRisk
                return Set(
                    try await centre.database.tickets(query, page: try PageRequest(limit: 50, cursor: nil), viewer: admin).items
                        .map(\.ticket.code))
            }
            let bySearch = try await search(true, nil)
            let backlogRow = try await centre.database.report(.backlog, ReportRequest(period: nil)).rows.first
            let backlog = backlogRow?["overdue"]
            // At risk: the clock running and due within one working day — the same in the view, search and backlog.
            #expect(try await search(nil, true) == Set(atRiskByTicket), "at risk in search at \(hour)")
            #expect(backlogRow?["atRisk"] == .int(atRiskByTicket.count), "at risk in the backlog at \(hour)")
            #expect(atRiskByTicket == (hour.hasPrefix("2026-12-03") && hour < "2026-12-03 15:00" ? [dueToday] : []), "at risk at \(hour)")
            let progress = try await centre.database.report(.progress, ReportRequest(period: ReportPeriod(period: "2026-12")))
                .rows.first?["openOverdue"]
            #expect(byTicket == expected, "ticket view at \(hour)")
            #expect(Set(bySearch) == Set(expected), "search at \(hour)")
            #expect(backlog == .int(expected.count), "backlog at \(hour)")
            #expect(progress == .int(expected.count), "progress at \(hour)")
        }
    }

    @Test("a restart after a supplement moves the open step's deadline; the department is not graded for the citizen's delay")
    func restartMovesStepDeadline() async throws {
        // 1.000894: mot-cua 4 h, then tu-phap 4 d (deciding), 5 d in all; a restart rule.
        let centre = try await Centre2026(at: "2026-11-30 09:00")
        let code = try await centre.intake("1.000894").receipt.code
        try await centre.act(.claim, code, by: "thu.mc")
        centre.clock.set("2026-11-30 10:00")
        try await centre.act(.requestSupplement, code, by: "thu.mc", ActionRequest(missing: ["Giấy xác nhận tình trạng hôn nhân"]))
        centre.clock.set("2026-12-03 14:00")  // the citizen came back three days later
        let resumed = try await centre.act(.supplementReceived, code, by: "lan.mc")
        #expect(TestClock.local(resumed.dueAt) == "2026-12-10 14:00")  // 5 d again from Thu 14:00
        let admin = try await centre.staff("admin")
        let open = try #require(try await centre.database.ticketSteps(code, viewer: admin).last)
        // The step's 4 h again from Thu 14:00: 14:00–17:00, then Fri 07:30–08:30 (it was Mon 30/11 14:30).
        #expect(TestClock.local(open.dueAt) == "2026-12-04 08:30")
        centre.clock.set("2026-12-04 08:00")
        let transferred = try await centre.act(.transfer, code, by: "thu.mc")
        #expect(transferred.step == 1)
        let events = try await centre.database.ticketEvents(code, viewer: admin)
        #expect(events.last?.detail["grade"] == "on-time")  // with the stale deadline: "late"
    }
}

@Suite("Queue order: one definition, in Swift and in SQL")
struct QueueOrderTests {
    @Test(
        "the department queue comes out of its index in QueueOrder, without sorting",
        .disabled(if: TestStore.onPostgres, "reads SQLite's query plan"))
    func sqlOrderIsTheRule() async throws {
        let centre = try await Centre2026(at: "2026-11-30 09:00")
        for (time, priority) in [
            ("2026-11-30 09:00", nil), ("2026-11-30 10:00", "urgent"), ("2026-11-30 08:00", nil), ("2026-12-01 09:00", "priority"),
        ] {
            centre.clock.set(time)
            _ = try await centre.intake("HD-TTHC", priority: priority)
        }
        let admin = try await centre.staff("admin")
        let queue = try await centre.database.queue(department: "tiep-dan", viewer: admin).map(\.ticket)
        #expect(queue.count == 4)
        #expect(queue.map(\.code) == queue.sorted(by: QueueOrder.precedes).map(\.code))
        #expect(queue.first?.priority == .urgent && queue.dropFirst().first?.priority == .priority)
        let plan = try await centre.database.writer.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + AppDatabase.queueSQL("code") + " LIMIT 1", arguments: ["tiep-dan"])
                .map { $0["detail"] as String }
        }
        #expect(!plan.joined().contains("TEMP B-TREE"), "\(plan)")
    }
}
