import Foundation
import GRDB

/// A deterministic pseudo-random generator (SplitMix64): the same seed gives the same history.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// What a seed made.
public struct SeedReport: Codable, Sendable {
    public var tickets: Int
    public var queueNumbers: Int
    public var from: LocalDate
    public var to: LocalDate
}

extension AppDatabase {
    /// Fills the database with a synthetic history for reports (`deskcli demo seed`): `count`
    /// tickets received over the working hours of the days from `from` to `to`, across the
    /// catalogue's services, with supplements, transfers along routes, late cases, apologies,
    /// returns and ratings, and walk-in numbers for a share of the counter tickets.
    /// Deterministic for a seed. Written in bulk (one transaction per 20,000 tickets) for speed:
    /// seeded tickets carry their control sheet but no audit events (they are statistics
    /// fixtures) and are not indexed for full-text search.
    public func seed(tickets count: Int, from: LocalDate, to: LocalDate, seed: UInt64, actor: String) throws -> SeedReport {
        var random = SeededGenerator(state: seed)
        // The same working time as the rest of the write path (centre, calendar, cached clock).
        let (centre, time) = try readNow { db in try self.workingTime(db) }
        let calendar = time.calendar
        let clock = time.clock
        let services = try readNow { db in try Self.services(db, filter: ServiceFilter(active: true), limit: nil) }
        guard !services.isEmpty else {
            throw DeskError.conflict("the catalogue is empty; import one (or start deskd --demo) before seeding")
        }
        let staff = try readNow { db in
            try Row.fetchAll(db, sql: "SELECT username, department FROM staff WHERE role = 'handler' AND active = 1")
        }
        var handlers: [String: [String]] = [:]
        for row in staff { handlers[row["department"] ?? "-", default: []].append(row["username"]) }
        var days: [LocalDate] = []
        var day = from
        while day <= to {
            if calendar.isWorkingDay(day) { days.append(day) }
            day = day.adding(days: 1)
        }
        guard !days.isEmpty else { throw DeskError.validation([FieldError("from", "the period has no working day")]) }
        let now = clock.instant(to.adding(days: 1), minute: 0)
        let channels: [Ticket.Channel] = [.counter, .counter, .counter, .web, .web, .mobile, .hotline, .post, .open311]
        let ratings: [Ticket.Rating?] = [.verySatisfied, .satisfied, .satisfied, .satisfied, .dissatisfied, nil, nil]
        // Arrivals follow the working periods, with more in the morning.
        func arrival(on date: LocalDate) -> Date {
            let periods = calendar.periods(on: date)
            let period = periods[Int.random(in: 0..<10, using: &random) < 6 ? 0 : periods.count - 1]
            return clock.instant(date, minute: Int.random(in: period.start.minutes..<period.end.minutes, using: &random))
        }
        var made = 0
        var numbers = 0
        var sequence: [String: Int] = [:]
        var labels: [String: Int] = [:]
        let onServer = isShared
        while made < count {
            let batch = min(20_000, count - made)
            try writeNow { db in
                // The rows go a hundred tickets at a time, each table's as one multi-row INSERT
                // (on PostgreSQL one round trip for them all instead of one a row), in the order
                // their references need; so the applicants' ids are given here, after the last.
                var nextApplicant = (try Int64.fetchOne(db, sql: "SELECT max(id) FROM applicant") ?? 0) + 1
                var applicants = BulkInsert(
                    "INSERT INTO applicant (id, kind, name, phone, created_at) VALUES", row: "(?, 'person', ?, ?, ?)")
                var ticketRows = BulkInsert(
                    """
                    INSERT INTO ticket (code, service, service_version, channel, applicant, description, priority, charges, state,
                    awaiting_reason, resume_state, step, department, holder, received_at, counting_start, due_at, revised_due_at,
                    resolved_at, returned_at, closed_at, outcome, rating, apologised_at, created_by, accepted_at, paused_minutes,
                    handling_working_minutes, handling_calendar_minutes, timeliness, charge_lines, charge_le_phi, charge_phi,
                    charge_service_price, charge_retained) VALUES
                    """,
                    row: "(?, ?, ?, ?, ?, '', 'normal', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                )
                var steps = BulkInsert(
                    """
                    INSERT INTO ticket_step (ticket, visit, position, department, entered_at, claimed_at, left_at, ticket_resolved_at)
                    VALUES
                    """, row: "(?, ?, ?, ?, ?, ?, ?, ?)")
                var queueNumbers = BulkInsert(
                    """
                    INSERT INTO queue_number (label, day, service, priority, state, issued_at, called_at, started_at, finished_at, counter,
                    ticket, issued_by) VALUES
                    """, row: "(?, ?, ?, 'normal', 'served', ?, ?, ?, ?, NULL, ?, ?)")
                func flush() throws {
                    for table in [applicants, ticketRows, steps, queueNumbers] { try table.insert(db) }
                    applicants.clear()
                    ticketRows.clear()
                    steps.clear()
                    queueNumbers.clear()
                }
                for n in 0..<batch {
                    if n % 100 == 0 { try flush() }
                    let date = days[Int.random(in: 0..<days.count, using: &random)]
                    let received = arrival(on: date)
                    let service = services[Int.random(in: 0..<services.count, using: &random)]
                    let channel = channels[Int.random(in: 0..<channels.count, using: &random)]
                    let dayKey = DossierCode.day(date)
                    sequence[dayKey, default: 0] += 1
                    let code = "\(centre.code)-\(dayKey)-S\(DossierCode.padded(sequence[dayKey]!, 5))"
                    let applicant = nextApplicant
                    nextApplicant += 1
                    applicants.add([
                        applicant, "Công dân \(made)", "+8491\(DossierCode.padded(made % 10_000_000, 7))", received.storedSeconds,
                    ])
                    let reception = Reception.due(
                        receivedAt: received, limit: service.timeLimit, cutoff: Reception.cutoffApplies(service: service, channel: channel),
                        time: time)
                    let (start, due) = (reception.countingStart, reception.due)
                    let limitMinutes = max(60, time.workingMinutes(from: start, to: due))
                    // Most finish within the limit; about one in eight is late.
                    let fraction = Double.random(in: 0.15...1.0, using: &random) * (Int.random(in: 0..<8, using: &random) == 0 ? 1.6 : 0.98)
                    var paused = 0
                    var resolved: Date? = time.walk(minutes: Int(Double(limitMinutes) * fraction), from: start).due
                    if Int.random(in: 0..<10, using: &random) == 0 {
                        paused = Int.random(in: 60...1_440, using: &random)  // waited on the citizen (pause counted apart)
                        resolved = resolved.map { time.walk(minutes: paused, from: $0).due }
                    }
                    if let end = resolved, end >= now { resolved = nil }
                    let withdrawn = resolved == nil && Int.random(in: 0..<20, using: &random) == 0
                    let state: Ticket.State
                    var returned: Date?
                    if withdrawn {
                        state = .withdrawn
                    } else if let end = resolved {
                        returned = time.walk(minutes: Int.random(in: 10...900, using: &random), from: end).due
                        if let back = returned, back >= now { returned = nil }
                        state = returned == nil ? .resolved : .returned
                    } else {
                        state = Int.random(in: 0..<6, using: &random) == 0 ? .awaitingCitizen : .inProgress
                    }
                    let timeliness = resolved.map { time.grade(finishedAt: $0, dueAt: due) }
                    let apologised = timeliness == .late && Int.random(in: 0..<3, using: &random) == 0
                    let rating = returned == nil ? nil : ratings[Int.random(in: 0..<ratings.count, using: &random)]
                    let lastStep = resolved == nil ? Int.random(in: 0..<service.route.count, using: &random) : service.route.count - 1
                    let department = service.route[lastStep].department
                    let holder = state == .inProgress || resolved != nil ? handlers[department]?.first : nil
                    ticketRows.add(
                        [
                            code, service.code, service.version, channel.rawValue, applicant, APIJSON.text(service.charges), state.rawValue,
                            state == .awaitingCitizen ? "supplement" : nil, state == .awaitingCitizen ? "in-progress" : nil, lastStep,
                            department,
                            holder, received.storedSeconds, start.storedSeconds, due.storedSeconds,
                            apologised ? due.addingTimeInterval(5 * 86_400).storedSeconds : nil, resolved?.storedSeconds,
                            returned?.storedSeconds,
                            withdrawn ? time.walk(minutes: 120, from: start).due.storedSeconds : nil,
                            resolved == nil ? nil : (service.kind == .procedure ? "granted" : "answered"), rating?.rawValue,
                            apologised ? due.addingTimeInterval(-3 * 86_400).storedSeconds : nil, actor, received.storedSeconds, paused,
                            resolved.map { max(0, time.workingMinutes(from: received, to: $0) - paused) },
                            resolved.map { ($0.storedSeconds - received.storedSeconds) / 60 }, timeliness?.rawValue,
                        ] + SQLArguments(try Self.chargeColumns(service.charges)))
                    // The control sheet: the route's steps in order, each queued a while then worked.
                    var entered = start
                    let stepsDone = resolved == nil ? lastStep + 1 : service.route.count
                    let span = max(60, ((resolved ?? now).storedSeconds - start.storedSeconds) / 60)
                    for position in 0..<stepsDone {
                        let share = Int64(span) / Int64(stepsDone) * 60
                        let claimed = entered.addingTimeInterval(TimeInterval(Int64.random(in: 0...max(1, share / 3), using: &random)))
                        let left = position == stepsDone - 1 && resolved == nil ? nil : entered.addingTimeInterval(TimeInterval(share))
                        steps.add([
                            code, position + 1, position, service.route[position].department, entered.storedSeconds, claimed.storedSeconds,
                            left?.storedSeconds, resolved?.storedSeconds,
                        ])
                        entered = left ?? entered
                    }
                    // A walk-in number for about a third of counter tickets of services with a prefix.
                    if channel == .counter, let prefix = service.queuePrefix, Int.random(in: 0..<3, using: &random) == 0 {
                        let labelKey = "\(date)-\(prefix)"
                        labels[labelKey, default: 0] += 1
                        let issued = received.addingTimeInterval(-TimeInterval(Int.random(in: 120...3_600, using: &random)))
                        let called = received.addingTimeInterval(-TimeInterval(Int.random(in: 0...300, using: &random)))
                        queueNumbers.add([
                            Hall.label(prefix: prefix, sequence: labels[labelKey]!), date.description, service.code, issued.storedSeconds,
                            min(called, received).storedSeconds, min(called, received).storedSeconds,
                            received.addingTimeInterval(TimeInterval(Int.random(in: 300...1_200, using: &random))).storedSeconds, code,
                            actor,
                        ])
                        numbers += 1
                    }
                    made += 1
                }
                try flush()
                // The server's identity goes on after the ids given here.
                if onServer {
                    try db.execute(sql: "SELECT setval(pg_get_serial_sequence('applicant', 'id'), (SELECT max(id) FROM applicant))")
                }
            }
        }
        try writeNow { db in
            try EventLog.append(
                db, at: clock.instant(to, minute: 0), actor: actor, action: "demo.seed", entity: "centre", entityId: centre.code,
                detail: [
                    "tickets": String(made), "queueNumbers": String(numbers), "from": from.description, "to": to.description,
                    "seed": String(seed),
                ])
        }
        return SeedReport(tickets: made, queueNumbers: numbers, from: from, to: to)
    }
}

/// Rows for one table, sent together as multi-row `INSERT`s (`AppDatabase.seed`): each statement
/// holds as many rows as stay under 8,000 parameters (SQLite allows 32,766, PostgreSQL 65,535).
struct BulkInsert {
    let head: String
    let row: String
    let parameters: Int
    private(set) var rows: [SQLArguments] = []

    /// `head` is the statement up to `VALUES`; `row` one row's values, with a `?` for each argument.
    init(_ head: String, row: String) {
        self.head = head
        self.row = row
        parameters = row.filter { $0 == "?" }.count
    }

    mutating func add(_ arguments: SQLArguments) { rows.append(arguments) }

    mutating func clear() { rows.removeAll(keepingCapacity: true) }

    /// Inserts the rows added. Each chunk's text depends only on its row count, which repeats from
    /// one flush to the next, so it is cached (on SQLite: prepared once).
    func insert(_ db: any SQLSession) throws {
        let perStatement = max(1, 8_000 / max(1, parameters))
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(rows.count, start + perStatement)]
            let sql = head + " " + Array(repeating: row, count: chunk.count).joined(separator: ", ")
            try db.execute(sql: sql, arguments: chunk.reduce(into: [] as SQLArguments) { $0 += $1 }, cached: true)
            start += perStatement
        }
    }
}
