import Foundation
import GRDB
import GRDBSQLite
import Testing

@testable import ServiceDesk

@Suite("The hall: counters, numbers, calls")
struct HallTests {
    /// The example centre with two open counters: 1 serves the civil-status services (prefix A),
    /// 2 serves civil status and land (A and B).
    static func hall(at time: String = "2026-11-30 07:30") async throws -> Centre2026 {
        let centre = try await Centre2026(at: time)
        _ = try await centre.database.createCounter(
            CounterDraft(number: 1, name: "Quầy 1", services: ["1.001193", "1.000894"]), actor: "admin")
        _ = try await centre.database.createCounter(
            CounterDraft(number: 2, name: "Quầy 2", services: ["1.001193", "1.004227"]), actor: "admin")
        for number in [1, 2] {
            _ = try await centre.database.updateCounter(number, CounterPatch(open: true, officer: .set("lan.mc")), actor: "lan.mc")
        }
        return centre
    }

    static func issue(_ centre: Centre2026, _ service: String, priority: Bool = false) async throws -> IssuedNumber {
        try await centre.database.issueNumber(
            IssueRequest(service: service, priority: priority ? "priority" : nil, priorityReason: priority ? "elderly" : nil),
            actor: "kiosk-1")
    }

    /// A walk-in number written straight into the table (a history, or numbers of one second).
    @discardableResult
    static func insertNumber(
        _ db: any SQLSession, _ label: String, day: String, service: String = "1.001193", state: String = "waiting", issuedAt: Int,
        finishedAt: Int? = nil, place: Int64? = nil
    ) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO queue_number (label, day, service, priority, state, issued_at, issued_by, finished_at, queue_position)
                VALUES (?, ?, ?, 'normal', ?, ?, 'kiosk-1', ?, ?)
                """,
            arguments: [label, day, service, state, issuedAt, finishedAt, place])
        return try db.lastInsertedRowID
    }

    /// SQLite's virtual-machine steps for the statement's last run.
    static func steps(_ statement: Statement) -> Int {
        Int(sqlite3_stmt_status(statement.sqliteStatement, SQLITE_STMTSTATUS_VM_STEP, 0))
    }

    @Test("issuing a number closes earlier days' open numbers at the same cost however many days of numbers the hall holds")
    func closingEarlierDays() async throws {
        let centre = try await Self.hall()
        let database = centre.database
        for _ in 0..<3 { _ = try await Self.issue(centre, "1.001193") }
        // A number left waiting yesterday, and one left called.
        try await database.write { db in
            for (label, state) in [("A901", "waiting"), ("A902", "called")] {
                try Self.insertNumber(db, label, day: "2026-11-29", state: state, issuedAt: 1_796_000_000)
            }
        }
        // SQLite's virtual-machine steps for the statement that closes them, run and rolled back.
        func steps() async throws -> Int {
            try await database.write { db in
                var counted = 0
                // On PostgreSQL there are no steps to count; what the numbers become is still checked.
                guard let sqlite = db.sqlite else { return 0 }
                try sqlite.inSavepoint {
                    let statement = try sqlite.makeStatement(sql: AppDatabase.closeNumbersSQL(before: LocalDate("2026-11-30")!))
                    try statement.execute(arguments: [1_796_100_000, "2026-11-30"])
                    #expect(sqlite.changesCount == 2)
                    counted = Self.steps(statement)
                    return .rollback
                }
                return counted
            }
        }
        let before = try await steps()
        // 200 earlier days of 50 numbers each, all served.
        try await database.write { db in
            for day in 0..<200 {
                let date = LocalDate("2026-05-01")!.adding(days: day).description
                for n in 0..<50 {
                    let issued = 1_780_000_000 + day * 86400 + n * 60
                    try Self.insertNumber(db, "A\(n)", day: date, state: "served", issuedAt: issued, finishedAt: issued + 300)
                }
            }
        }
        #expect(try await steps() == before, "the statement reads the open numbers only, not the 10,000 of earlier days")
        // And the real path closes yesterday's numbers when the first of today is issued after them.
        _ = try await Self.issue(centre, "1.001193")
        let states = try await database.read { db in
            try String.fetchAll(db, sql: "SELECT state FROM queue_number WHERE label IN ('A901', 'A902') ORDER BY label")
        }
        #expect(states == ["closed", "closed"])
    }

    @Test("call-next takes the hall's oldest number across a counter's services, at the same cost however many wait")
    func oldestAcrossServices() async throws {
        let centre = try await Self.hall()
        let database = centre.database
        let officer = try await centre.staff("lan.mc")
        // Counter 1 serves 1.001193 and 1.000894. Six numbers of the two services issued in the
        // same second, one a minute earlier, and the fourth of the second (1.000894) sent on to
        // 1.001193, where it keeps its original's place.
        let second = 1_796_000_000
        let ids: [Int64] = try await database.write { db in
            func insert(_ label: String, _ service: String, at: Int, place: Int64? = nil) throws -> Int64 {
                try Self.insertNumber(db, label, day: "2026-11-30", service: service, issuedAt: at, place: place)
            }
            var ids: [Int64] = []
            for n in 1...6 { ids.append(try insert("A9\(n)", n % 2 == 0 ? "1.000894" : "1.001193", at: second)) }
            ids.append(try insert("A90", "1.000894", at: second - 60))
            try db.execute(sql: "UPDATE queue_number SET state = 'transferred' WHERE id = ?", arguments: [ids[3]])
            ids.append(try insert("A94", "1.001193", at: second, place: ids[3]))
            return ids
        }
        // SQLite's virtual-machine steps for one service's look-up.
        func steps() async throws -> Int {
            try await database.read { db in
                // On PostgreSQL there are no steps to count; the order of the calls is still checked.
                guard let sqlite = db.sqlite else { return 0 }
                let statement = try sqlite.makeStatement(sql: AppDatabase.oldestWaitingSQL)
                _ = try Row.fetchOne(statement, arguments: ["1.001193", "normal"])
                return Self.steps(statement)
            }
        }
        let before = try await steps()
        try await database.write { db in
            for n in 0..<500 { try Self.insertNumber(db, "C\(n)", day: "2026-11-30", issuedAt: second) }
        }
        #expect(try await steps() == before, "the look-up reads the index's first entry, not the 500 numbers of the same second")
        var called: [Int64] = []
        for _ in 0..<7 { called.append(try #require(try await database.callNext(counter: 1, actor: officer)).id) }
        #expect(called == [ids[6], ids[0], ids[1], ids[2], ids[7], ids[4], ids[5]])
    }

    @Test("a citizen sent on to another counter is served and recalled there; an unknown counter is refused")
    func actingCounter() async throws {
        let centre = try await Self.hall()
        let officer = try await centre.staff("lan.mc")
        let issued = try await Self.issue(centre, "1.001193")
        #expect(try await centre.database.callNext(counter: 1, actor: officer)?.counter == 1)
        let recalled = try await centre.database.act(.recall, on: issued.number.id, QueueActionRequest(counter: 2), actor: officer)
        let announced = try await centre.database.lastCalls(1)
        #expect(recalled.counter == 2 && announced.last?.counter == 2 && announced.last?.kind == "recall")
        await #expect(throws: DeskError.inconsistent([FieldError("counter", "no active counter 9")])) {
            try await centre.database.act(.start, on: issued.number.id, QueueActionRequest(counter: 9), actor: officer)
        }
        #expect(try await centre.database.act(.start, on: issued.number.id, QueueActionRequest(counter: 2), actor: officer).counter == 2)
    }

    @Test("a number transferred to another service keeps its place among numbers issued in the same second")
    func transferKeepsPlace() async throws {
        let centre = try await Self.hall()  // the clock stands still: every number in the same second
        let officer = try await centre.staff("lan.mc")
        // B001 for land (counter 2 only), then A001 for 1.000894 (counter 1).
        let land = try await Self.issue(centre, "1.004227")
        let other = try await Self.issue(centre, "1.000894")
        // Called at counter 2, B001 turns out to belong to 1.000894: transferred, it keeps its place, before A001.
        #expect(try await centre.database.callNext(counter: 2, actor: officer)?.label == "B001")
        _ = try await centre.database.act(.transfer, on: land.number.id, QueueActionRequest(service: "1.000894"), actor: officer)
        // The positions the citizens follow agree with that order: B001 first, A001 behind it.
        let today = LocalDate("2026-11-30")!
        #expect(try await centre.database.publicQueueNumber(day: today, label: "B001").position == 1)
        #expect(try await centre.database.publicQueueNumber(day: today, label: other.number.label).position == 2)
        let called = try #require(try await centre.database.callNext(counter: 1, actor: officer))
        #expect(called.label == land.number.label && called.label != other.number.label)
    }

    @Test("labels are prefix + 3 digits per day and prefix; the answer gives the position and an estimated wait")
    func labels() async throws {
        let centre = try await Self.hall()
        let first = try await Self.issue(centre, "1.001193")
        let second = try await Self.issue(centre, "1.000894")
        let land = try await Self.issue(centre, "1.004227")
        #expect([first.number.label, second.number.label, land.number.label] == ["A001", "A002", "B001"])
        #expect(first.position == 1 && first.estimatedWaitMinutes == 0)
        let third = try await Self.issue(centre, "1.001193")
        #expect(third.position == 2 && third.openCounters == 2 && third.estimatedWaitMinutes == 10)  // 1 ahead, default 10 min
        centre.clock.set("2026-12-01 07:35")
        let nextDay = try await Self.issue(centre, "1.001193")
        #expect(nextDay.number.label == "A001")
        let yesterday = try await centre.database.queueNumbers(state: nil, service: nil, day: LocalDate("2026-11-30"))
        #expect(yesterday.allSatisfy { $0.state == .closed }, "numbers left waiting are closed at the next day's first number")
        await #expect(throws: DeskError.self) { try await Self.issue(centre, "PA-HATANG") }  // no queue prefix
        await #expect(throws: DeskError.self) {
            try await centre.database.issueNumber(
                IssueRequest(service: "1.001193", priority: "priority", priorityReason: "vip"), actor: "kiosk-1")
        }
    }

    @Test("priority numbers go first but at most three in a row while normal ones wait; then the longest-waiting")
    func interleave() async throws {
        let centre = try await Self.hall()
        var expected: [String] = []
        for index in 0..<3 {
            centre.clock.set("2026-11-30 07:3\(index)")
            expected.append(try await Self.issue(centre, "1.001193").number.label)
        }
        for index in 0..<5 {
            centre.clock.set("2026-11-30 07:4\(index)")
            _ = try await Self.issue(centre, "1.001193", priority: true)
        }
        let officer = try await centre.staff("lan.mc")
        var calls: [QueueNumber] = []
        while let next = try await centre.database.callNext(counter: 1, actor: officer) { calls.append(next) }
        #expect(calls.map(\.priority) == [.priority, .priority, .priority, .normal, .priority, .priority, .normal, .normal])
        #expect(calls.filter { $0.priority == .normal }.map(\.label) == expected)
        #expect(try await centre.database.callNext(counter: 1, actor: officer) == nil)
    }

    @Test("the hall settings an administrator edits hold from the next number and the next call")
    func settingsFollowedAtOnce() async throws {
        let centre = try await Self.hall()
        let officer = try await centre.staff("lan.mc")
        func priorityNumber(_ reason: String) async throws -> IssuedNumber {
            try await centre.database.issueNumber(
                IssueRequest(service: "1.001193", priority: "priority", priorityReason: reason), actor: "kiosk-1")
        }
        _ = try await priorityNumber("elderly")
        _ = try await Self.issue(centre, "1.001193")
        for _ in 0..<2 { _ = try await priorityNumber("elderly") }
        // One priority number in a row at most, and only pregnant women may take one.
        _ = try await centre.database.updateHallSettings(HallSettings(maxPriorityInRow: 1, priorityReasons: ["thai phụ"]), actor: "admin")
        await #expect(throws: DeskError.self) { try await priorityNumber("elderly") }
        _ = try await priorityNumber("thai phụ")
        var calls: [QueueNumber.Priority] = []
        for _ in 0..<3 { calls.append(try #require(try await centre.database.callNext(counter: 1, actor: officer)).priority) }
        #expect(calls == [.priority, .normal, .priority], "at most one priority number in a row once the settings say so")
        // And back: the first list again, decoded from its text as before.
        _ = try await centre.database.updateHallSettings(HallSettings(priorityReasons: ["elderly", "disabled"]), actor: "admin")
        _ = try await priorityNumber("elderly")
        await #expect(throws: DeskError.self) { try await priorityNumber("thai phụ") }
        #expect(try await centre.database.hallSettings().priorityReasons == ["elderly", "disabled"])
    }

    @Test("a counter calls only its services; closed counters call nothing; numbers go start → finish")
    func serving() async throws {
        let centre = try await Self.hall()
        let land = try await Self.issue(centre, "1.004227").number
        let officer = try await centre.staff("lan.mc")
        #expect(try await centre.database.callNext(counter: 1, actor: officer) == nil)
        let called = try #require(try await centre.database.callNext(counter: 2, actor: officer))
        #expect(called.id == land.id && called.counter == 2 && called.state == .called)
        await #expect(throws: DeskError.self) {
            try await centre.database.act(.finish, on: called.id, QueueActionRequest(), actor: officer)
        }
        centre.clock.set("2026-11-30 07:40")
        _ = try await centre.database.act(.start, on: called.id, QueueActionRequest(), actor: officer)
        centre.clock.set("2026-11-30 07:52")
        let served = try await centre.database.act(.finish, on: called.id, QueueActionRequest(), actor: officer)
        #expect(served.state == .served)
        _ = try await centre.database.updateCounter(2, CounterPatch(open: false), actor: "lan.mc")
        _ = try await Self.issue(centre, "1.004227")
        await #expect(throws: DeskError.conflict("counter 2 is closed; open it first")) {
            try await centre.database.callNext(counter: 2, actor: officer)
        }
        // The measured 12 minutes now feed the estimate (once a counter serving land is open again).
        _ = try await centre.database.updateCounter(2, CounterPatch(open: true), actor: "lan.mc")
        let waiting = try await Self.issue(centre, "1.004227")
        #expect(waiting.position == 2 && waiting.estimatedWaitMinutes == 12)
    }

    @Test("recalls are counted and announced; no-show only after the recall limit; transfer keeps the issue time")
    func recallsAndTransfers() async throws {
        let centre = try await Self.hall()
        let officer = try await centre.staff("lan.mc")
        let issued = try await Self.issue(centre, "1.001193").number
        let called = try #require(try await centre.database.callNext(counter: 1, actor: officer))
        await #expect(throws: DeskError.self) {
            try await centre.database.act(.noShow, on: called.id, QueueActionRequest(), actor: officer)
        }
        for _ in 0..<2 { _ = try await centre.database.act(.recall, on: called.id, QueueActionRequest(), actor: officer) }
        let gone = try await centre.database.act(.noShow, on: called.id, QueueActionRequest(), actor: officer)
        #expect(gone.state == .noShow && gone.recalls == 2)
        let calls = try await centre.database.calls(after: 0)
        #expect(calls.map(\.kind) == ["call", "recall", "recall"] && calls.allSatisfy { $0.label == issued.label && $0.counter == 1 })

        centre.clock.set("2026-11-30 08:00")
        let second = try await Self.issue(centre, "1.001193").number
        let calledAgain = try #require(try await centre.database.callNext(counter: 1, actor: officer))
        #expect(calledAgain.id == second.id)
        let moved = try await centre.database.act(.transfer, on: calledAgain.id, QueueActionRequest(service: "1.004227"), actor: officer)
        #expect(moved.state == .waiting && moved.service == "1.004227" && moved.label == second.label && moved.issuedAt == second.issuedAt)
        let landCall = try #require(try await centre.database.callNext(counter: 2, actor: officer))
        #expect(landCall.id == moved.id)
    }

    @Test("many counters calling at once never get the same number")
    func concurrentCalls() async throws {
        let centre = try await Self.hall()
        for _ in 0..<40 { _ = try await Self.issue(centre, "1.001193") }
        let officer = try await centre.staff("lan.mc")
        let database = centre.database
        let ids = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for counter in [1, 2, 1, 2, 1, 2] {
                group.addTask {
                    var mine: [Int64] = []
                    while let next = try await database.callNext(counter: counter, actor: officer) { mine.append(next.id) }
                    return mine
                }
            }
            return try await group.reduce(into: [Int64]()) { $0 += $1 }
        }
        #expect(ids.count == 40 && Set(ids).count == 40)
    }

    @Test("a ticket opened from a walk-in number starts its timeline with the wait")
    func joinToTicket() async throws {
        let centre = try await Self.hall(at: "2026-11-30 08:00")
        let officer = try await centre.staff("lan.mc")
        let number = try await Self.issue(centre, "1.001193").number
        centre.clock.set("2026-11-30 08:23")
        _ = try await centre.database.callNext(counter: 1, actor: officer)
        _ = try await centre.database.act(.start, on: number.id, QueueActionRequest(), actor: officer)
        let request = IntakeRequest(service: "1.001193", applicant: ApplicantDraft(name: "Trần Văn Bé"), queueNumber: number.label)
        guard case .created(let result, _) = try await centre.database.intake(request, actor: officer) else {
            Issue.record("expected a ticket")
            return
        }
        let events = try await centre.database.ticketEvents(result.receipt.code, viewer: officer)
        #expect(events.first?.detail["walkInWaitMinutes"] == "23" && events.first?.detail["queueNumber"] == "A001")
        let linked = try await centre.database.queueNumbers(state: .serving, service: nil, day: nil)
        #expect(linked.first?.ticket == result.receipt.code)
        let unknown = IntakeRequest(service: "1.001193", applicant: ApplicantDraft(name: "X"), queueNumber: "Z999")
        await #expect(throws: DeskError.validation([FieldError("queueNumber", "no walk-in number Z999 called or served today")])) {
            try await centre.database.intake(unknown, actor: officer)
        }
    }

    @Test(
        "the interleave rule and the wait estimate, as pure functions",
        arguments: [
            (true, true, 0, 3, QueueNumber.Priority.priority), (true, true, 3, 3, .normal), (true, false, 7, 3, .priority),
            (false, true, 0, 3, .normal),
        ])
    func rules(priority: Bool, normal: Bool, streak: Int, max: Int, expected: QueueNumber.Priority) {
        #expect(Hall.nextClass(priorityWaiting: priority, normalWaiting: normal, streak: streak, maxInRow: max) == expected)
        #expect(Hall.nextClass(priorityWaiting: false, normalWaiting: false, streak: 0, maxInRow: 3) == nil)
        #expect(Hall.estimatedWait(ahead: 5, openCounters: 2, recentServiceSeconds: [300, 600, 900], defaultMinutes: 10) == 30)
        #expect(Hall.label(prefix: "A", sequence: 12) == "A012" && Hall.label(prefix: "B", sequence: 1000) == "B1000")
    }
}
