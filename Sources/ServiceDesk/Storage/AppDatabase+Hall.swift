import Foundation
import GRDB
import Synchronization

extension QueueNumber {
    init(row: Row) {
        func date(_ column: String) -> Date? { (row[column] as Int64?).map(Date.init(storedSeconds:)) }
        self.init(
            id: row["id"], label: row["label"], day: LocalDate(row["day"] as String) ?? LocalDate(daysSinceEpoch: 0),
            service: row["service"],
            priority: Priority(rawValue: row["priority"]) ?? .normal, priorityReason: row["priority_reason"],
            state: State(rawValue: row["state"]) ?? .waiting, issuedAt: Date(storedSeconds: row["issued_at"]), calledAt: date("called_at"),
            startedAt: date("started_at"), finishedAt: date("finished_at"), recalls: row["recalls"], counter: row["counter"],
            ticket: row["ticket"], transferredFrom: row["transferred_from"])
    }
}

extension AppDatabase {
    // MARK: Settings

    public func hallSettings() async throws -> HallSettings {
        try await read(Self.hallSettings)
    }

    static func hallSettings(_ db: any SQLSession) throws -> HallSettings {
        let row = try db.fetchRow(
            sql:
                "SELECT max_priority_in_row, recalls_before_no_show, default_service_minutes, priority_reasons FROM hall_settings WHERE id = 1"
        )!
        return HallSettings(
            maxPriorityInRow: row[0], recallsBeforeNoShow: row[1], defaultServiceMinutes: row[2], priorityReasons: priorityReasons(row[3]))
    }

    /// The priority reasons as last decoded, with the text they were decoded from (decoded again
    /// whenever the text read differs): every number issued and every call-next reads the
    /// settings, and the list changes only when an administrator edits it (a `JSONDecoder` at
    /// each call was a tenth of call-next's time on the single writer; docs/benchmarks.md).
    private static let decodedReasons = Mutex<(text: String, reasons: [String])?>(nil)

    static func priorityReasons(_ text: String) -> [String] {
        if let known = decodedReasons.withLock({ $0 }), known.text == text { return known.reasons }
        let reasons = (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
        decodedReasons.withLock { $0 = (text, reasons) }
        return reasons
    }

    public func updateHallSettings(_ settings: HallSettings, actor: String) async throws -> HallSettings {
        var validator = Validator()
        validator.check((1...100).contains(settings.maxPriorityInRow), "maxPriorityInRow", "must be 1 to 100")
        validator.check((0...100).contains(settings.recallsBeforeNoShow), "recallsBeforeNoShow", "must be 0 to 100")
        // Bounded to a day: the estimated wait multiplies it by the numbers ahead.
        validator.check((1...1440).contains(settings.defaultServiceMinutes), "defaultServiceMinutes", "must be 1 to 1440 (a day)")
        let reasons = settings.priorityReasons.map(Text.clean)
        validator.check(!reasons.isEmpty, "priorityReasons", "list at least one reason")
        for (index, reason) in reasons.enumerated() {
            validator.check(
                !reason.isEmpty && reason.unicodeScalars.count <= 100, "priorityReasons[\(index)]", "must be 1 to 100 characters")
        }
        try validator.finish()
        let now = clock()
        return try await write { db in
            try db.cachedExecute(
                sql:
                    "UPDATE hall_settings SET max_priority_in_row = ?, recalls_before_no_show = ?, default_service_minutes = ?, priority_reasons = ? WHERE id = 1",
                arguments: [settings.maxPriorityInRow, settings.recallsBeforeNoShow, settings.defaultServiceMinutes, APIJSON.text(reasons)])
            try EventLog.append(
                db, at: now, actor: actor, action: "hall.settings", entity: "hall", entityId: "settings",
                detail: Self.hallSettingsText(try Self.hallSettings(db)))
            return try Self.hallSettings(db)
        }
    }

    static func hallSettingsText(_ settings: HallSettings) -> [String: String] {
        [
            "maxPriorityInRow": String(settings.maxPriorityInRow), "recallsBeforeNoShow": String(settings.recallsBeforeNoShow),
            "defaultServiceMinutes": String(settings.defaultServiceMinutes),
            "priorityReasons": settings.priorityReasons.joined(separator: ","),
        ]
    }

    // MARK: Counters

    public func counters() async throws -> [Counter] {
        try await read { db in try Self.counters(db) }
    }

    static func counters(_ db: any SQLSession) throws -> [Counter] {
        try db.fetchRows(sql: "SELECT * FROM counter ORDER BY number").map { try counter(db, row: $0) }
    }

    static func counter(_ db: any SQLSession, _ number: Int) throws -> Counter {
        try counterAndStreak(db, number).counter
    }

    /// A counter and the priority numbers it called in a row (`priority_streak`), from one read of
    /// its row: what call-next needs.
    static func counterAndStreak(_ db: any SQLSession, _ number: Int) throws -> (counter: Counter, streak: Int) {
        guard let row = try db.fetchRow(sql: "SELECT * FROM counter WHERE number = ?", arguments: [number]) else {
            throw DeskError.notFound(entity: "counter", id: String(number))
        }
        return (try counter(db, row: row), row["priority_streak"])
    }

    private static func counter(_ db: any SQLSession, row: Row) throws -> Counter {
        let number: Int = row["number"]
        let services = try db.fetchValues(
            String.self, sql: "SELECT service FROM counter_service WHERE counter = ? ORDER BY service", arguments: [number])
        return Counter(
            number: number, name: row["name"], department: row["department"], services: services, open: row["open"],
            officer: row["officer"], active: row["active"])
    }

    public func createCounter(_ draft: CounterDraft, actor: String) async throws -> Counter {
        let counter = try draft.validated()
        let now = clock()
        return try await write { db in
            if try db.fetchValue(Bool.self, sql: "SELECT 1 FROM counter WHERE number = ?", arguments: [counter.number]) == true {
                throw DeskError.duplicate(entity: "counter", id: String(counter.number))
            }
            try Self.checkCounterReferences(db, counter)
            try db.cachedExecute(
                sql: "INSERT INTO counter (number, name, department, open, active, created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?)",
                arguments: [counter.number, counter.name, counter.department, counter.open, now.storedSeconds, now.storedSeconds])
            try Self.storeCounterServices(db, counter)
            try EventLog.append(
                db, at: now, actor: actor, action: "counter.create", entity: "counter", entityId: String(counter.number),
                detail: [
                    "services": counter.services.joined(separator: ","), "department": counter.department ?? "none",
                    "open": counter.open ? "true" : "false",
                ])
            return counter
        }
    }

    /// Changes a counter. Opening, closing and the officer at it are recorded as events.
    public func updateCounter(_ number: Int, _ patch: CounterPatch, actor: String) async throws -> Counter {
        let now = clock()
        return try await write { db in
            let before = try Self.counter(db, number)
            var after = before
            var validator = Validator()
            if let name = patch.name { after.name = Text.requiredName(name, field: "name", into: &validator) }
            after.department = Text.clean(patch.department.applied(to: before.department))
            if let services = patch.services {
                after.services = services.map(Text.clean).filter { !$0.isEmpty }
                validator.check(!after.services.isEmpty, "services", "a counter serves at least one service")
            }
            if let open = patch.open { after.open = open }
            after.officer = Text.clean(patch.officer.applied(to: before.officer))
            if let active = patch.active { after.active = active }
            try validator.finish()
            if after.open && !after.active { throw DeskError.conflict("counter \(number) is inactive; reactivate it before opening it") }
            guard after != before else { return before }
            try Self.checkCounterReferences(db, after)
            if let officer = after.officer, officer != before.officer {
                let staff = try Self.staff(db, officer)
                guard staff.active, [.officer, .supervisor, .admin].contains(staff.role) else {
                    throw DeskError.validation([FieldError("officer", "\(officer) is not an active officer")])
                }
            }
            try db.cachedExecute(
                sql: "UPDATE counter SET name = ?, department = ?, open = ?, officer = ?, active = ?, updated_at = ? WHERE number = ?",
                arguments: [after.name, after.department, after.open, after.officer, after.active, now.storedSeconds, number])
            if after.services != before.services {
                try db.cachedExecute(sql: "DELETE FROM counter_service WHERE counter = ?", arguments: [number])
                try Self.storeCounterServices(db, after)
            }
            let action = before.open != after.open ? (after.open ? "counter.open" : "counter.close") : "counter.update"
            try EventLog.append(
                db, at: now, actor: actor, action: action, entity: "counter", entityId: String(number),
                detail: Self.changes(from: before, to: after))
            return after
        }
    }

    static func checkCounterReferences(_ db: any SQLSession, _ counter: Counter) throws {
        var errors: [FieldError] = []
        if let department = counter.department,
            try db.fetchValue(Bool.self, sql: "SELECT 1 FROM department WHERE code = ?", arguments: [department]) != true
        {
            errors.append(FieldError("department", "no department '\(department)'"))
        }
        for (index, code) in counter.services.enumerated() {
            guard let row = try db.fetchRow(sql: "SELECT active, queue_prefix FROM service WHERE code = ?", arguments: [code]) else {
                errors.append(FieldError("services[\(index)]", "no service '\(code)'"))
                continue
            }
            if (row["queue_prefix"] as String?) == nil {
                errors.append(FieldError("services[\(index)]", "service \(code) has no queue prefix, so it issues no walk-in numbers"))
            }
        }
        if !errors.isEmpty { throw DeskError.inconsistent(errors) }
    }

    static func storeCounterServices(_ db: any SQLSession, _ counter: Counter) throws {
        for service in Set(counter.services) {
            try db.cachedExecute(sql: "INSERT INTO counter_service (counter, service) VALUES (?, ?)", arguments: [counter.number, service])
        }
    }

    // MARK: Queue numbers

    /// A kiosk issues a number: label = the service's prefix and the day's sequence for that
    /// prefix, with the citizen's position and an estimated wait.
    public func issueNumber(_ request: IssueRequest, actor: String) async throws -> IssuedNumber {
        let now = clock()
        return try await write { db in
            let (_, time) = try self.workingTime(db)
            let settings = try Self.hallSettings(db)
            let service = try Self.service(db, Text.clean(request.service ?? ""))
            guard service.active, let prefix = service.queuePrefix else {
                throw DeskError.inconsistent([
                    FieldError("service", "service \(service.code) issues no walk-in numbers (retired or without a queue prefix)")
                ])
            }
            guard let priority = QueueNumber.Priority(rawValue: request.priority ?? "normal") else {
                throw DeskError.validation([FieldError("priority", "must be normal or priority")])
            }
            let reason = Text.clean(request.priorityReason)
            if priority == .priority {
                guard let reason, settings.priorityReasons.contains(reason) else {
                    // The hall settings name the reasons: a `409` when they do not list this one.
                    throw DeskError.inconsistent([
                        FieldError("priorityReason", "must be one of \(settings.priorityReasons.joined(separator: ", "))")
                    ])
                }
            }
            let today = time.clock.local(now).date
            try Self.closeNumbers(db, before: today, at: now, actor: actor)
            let sequence =
                try db.counted(
                    "INSERT INTO queue_sequence (day, prefix, last) VALUES (?, ?, 1) ON CONFLICT (day, prefix) DO UPDATE SET last = queue_sequence.last + 1",
                    arguments: [today.description, prefix], read: "SELECT last FROM queue_sequence WHERE day = ? AND prefix = ?",
                    key: [today.description, prefix]) ?? 1
            let label = Hall.label(prefix: prefix, sequence: sequence)
            try db.cachedExecute(
                sql:
                    "INSERT INTO queue_number (label, day, service, priority, priority_reason, state, issued_at, issued_by) VALUES (?, ?, ?, ?, ?, 'waiting', ?, ?)",
                arguments: [
                    label, today.description, service.code, priority.rawValue, priority == .priority ? reason : nil, now.storedSeconds,
                    actor,
                ])
            let id = try db.lastInsertedRowID
            let number = try Self.queueNumber(db, id)
            return try Self.issued(db, number, settings: settings)
        }
    }

    static func issued(_ db: any SQLSession, _ number: QueueNumber, settings: HallSettings) throws -> IssuedNumber {
        // Ahead in call-next's order (`oldestWaiting`), a number sent on at its own place.
        let ahead =
            try db.fetchValue(
                Int.self,
                sql: """
                    SELECT count(*) FROM queue_number WHERE state = 'waiting' AND service = ? AND id <> ?
                    AND (priority = 'priority' AND ? = 'normal' OR priority = ? AND (issued_at < ? OR issued_at = ?
                    AND coalesce(queue_position, id) < (SELECT coalesce(queue_position, id) FROM queue_number WHERE id = ?)))
                    """,
                arguments: [
                    number.service, number.id, number.priority.rawValue, number.priority.rawValue, number.issuedAt.storedSeconds,
                    number.issuedAt.storedSeconds, number.id,
                ]) ?? 0
        let open =
            try db.fetchValue(
                Int.self,
                sql:
                    "SELECT count(*) FROM counter c JOIN counter_service cs ON cs.counter = c.number WHERE cs.service = ? AND c.open = 1 AND c.active = 1",
                arguments: [number.service]) ?? 0
        let recent = try db.fetchValues(
            Int.self,
            sql:
                "SELECT finished_at - started_at FROM queue_number WHERE state = 'served' AND service = ? AND started_at IS NOT NULL ORDER BY finished_at DESC LIMIT 20",
            arguments: [number.service])
        return IssuedNumber(
            number: number, position: ahead + 1,
            estimatedWaitMinutes: Hall.estimatedWait(
                ahead: ahead, openCounters: open, recentServiceSeconds: recent, defaultMinutes: settings.defaultServiceMinutes),
            openCounters: open)
    }

    static func queueNumber(_ db: any SQLSession, _ id: Int64) throws -> QueueNumber {
        guard let row = try db.fetchRow(sql: "SELECT * FROM queue_number WHERE id = ?", arguments: [id]) else {
            throw DeskError.notFound(entity: "queue number", id: String(id))
        }
        return QueueNumber(row: row)
    }

    /// End of day: numbers of earlier days still waiting or called are closed as not served
    /// (done at the first number of a new day, and by `closeDay`).
    @discardableResult
    static func closeNumbers(_ db: any SQLSession, before day: LocalDate?, at now: Date, actor: String) throws -> Int {
        try db.cachedExecute(
            sql: closeNumbersSQL(before: day), arguments: day == nil ? [now.storedSeconds] : [now.storedSeconds, day!.description])
        let closed = db.changesCount
        if closed > 0 {
            try EventLog.append(
                db, at: now, actor: actor, action: "hall.close-day", entity: "hall", entityId: day?.description ?? "now",
                detail: ["closed": String(closed)])
        }
        return closed
    }

    /// The statement of `closeNumbers`: answered by `queue_number_open` (migration 0035), which
    /// holds only the numbers still open, whatever the days of numbers behind them.
    static func closeNumbersSQL(before day: LocalDate?) -> String {
        day == nil
            ? "UPDATE queue_number SET state = 'closed', finished_at = ? WHERE state IN ('waiting', 'called')"
            : "UPDATE queue_number SET state = 'closed', finished_at = ? WHERE state IN ('waiting', 'called') AND day < ?"
    }

    /// Closes every number still waiting or called (the end of the day, on demand).
    public func closeDay(actor: String) async throws -> Int {
        let now = clock()
        return try await write { db in try Self.closeNumbers(db, before: nil, at: now, actor: actor) }
    }

    public func queueNumbers(state: QueueNumber.State?, service: String?, day: LocalDate?) async throws -> [QueueNumber] {
        let now = clock()
        return try await read { db in
            let (_, time) = try self.workingTime(db)
            let day = day ?? time.clock.local(now).date
            var sql = "SELECT * FROM queue_number WHERE day = ?"
            var arguments: SQLArguments = [day.description]
            if let state {
                sql += " AND state = ?"
                arguments += [state.rawValue]
            }
            if let service {
                sql += " AND service = ?"
                arguments += [service]
            }
            return try Row.fetchAll(db, sql: sql + " ORDER BY id", arguments: arguments).map(QueueNumber.init(row:))
        }
    }

    /// Calls the next number for a counter: among the services it serves, priority first but
    /// never more than the configured number in a row while normal numbers wait, then the
    /// longest-waiting. One write transaction: two counters never call the same number.
    public func callNext(counter number: Int, actor: Staff) async throws -> QueueNumber? {
        let now = clock()
        return try await write { db in
            let (counter, streak) = try Self.counterAndStreak(db, number)
            guard counter.active, counter.open else { throw DeskError.conflict("counter \(number) is closed; open it first") }
            let settings = try Self.hallSettings(db)
            let priority = try Self.oldestWaiting(db, .priority, services: counter.services)
            let normal = try Self.oldestWaiting(db, .normal, services: counter.services)
            guard
                let chosen = Hall.nextClass(
                    priorityWaiting: priority != nil, normalWaiting: normal != nil, streak: streak, maxInRow: settings.maxPriorityInRow)
            else { return nil }
            let id = chosen == .priority ? priority! : normal!
            try db.cachedExecute(
                sql: "UPDATE queue_number SET state = 'called', called_at = ?, counter = ? WHERE id = ? AND state = 'waiting'",
                arguments: [now.storedSeconds, number, id])
            try db.cachedExecute(
                sql: "UPDATE counter SET priority_streak = ? WHERE number = ?", arguments: [chosen == .priority ? streak + 1 : 0, number])
            let called = try Self.queueNumber(db, id)
            try Self.announce(db, called, kind: "call", counter: number, at: now)
            return called
        }
    }

    /// The oldest waiting number of a class among a counter's services, in the hall's order:
    /// issued first, then its place (`coalesce(queue_position, id)`: a number sent on keeps its
    /// own). Each service's first is the first entry of `queue_number_waiting` (migration 0036),
    /// the earliest of those is the answer: the cost grows with the counter's services, never
    /// with the numbers waiting (one statement over all the services sorted them all each call).
    static func oldestWaiting(_ db: any SQLSession, _ priority: QueueNumber.Priority, services: [String]) throws -> Int64? {
        var oldest: (issued: Int64, place: Int64, id: Int64)?
        for service in services {
            guard let row = try db.fetchRow(sql: oldestWaitingSQL, arguments: [service, priority.rawValue]) else { continue }
            let first = (issued: row[0] as Int64, place: row[1] as Int64, id: row[2] as Int64)
            if let earlier = oldest, (earlier.issued, earlier.place) <= (first.issued, first.place) { continue }
            oldest = first
        }
        return oldest?.id
    }

    static let oldestWaitingSQL = """
        SELECT issued_at, coalesce(queue_position, id), id FROM queue_number
        WHERE state = 'waiting' AND service = ? AND priority = ? ORDER BY issued_at, coalesce(queue_position, id) LIMIT 1
        """

    static func announce(_ db: any SQLSession, _ number: QueueNumber, kind: String, counter: Int, at now: Date) throws {
        try db.cachedExecute(
            sql: "INSERT INTO hall_call (at, kind, label, counter, queue_number) VALUES (?, ?, ?, ?, ?)",
            arguments: [now.storedSeconds, kind, number.label, counter, number.id])
    }

    /// start, finish, recall, no-show, transfer.
    public func act(_ action: QueueAction, on id: Int64, _ request: QueueActionRequest, actor: Staff) async throws -> QueueNumber {
        let now = clock()
        return try await write { db in
            let number = try Self.queueNumber(db, id)
            guard action.fromStates.contains(number.state) else {
                let allowed = QueueAction.allCases.filter { $0.fromStates.contains(number.state) }
                throw DeskError.illegalTransition(action: action.rawValue, state: number.state.rawValue, allowed: allowed.map(\.rawValue))
            }
            // The counter acting, when it is not the one that called the number (the citizen was
            // sent on): the number is served, and a recall announced, there.
            if let counter = request.counter, counter != number.counter, action == .start || action == .recall {
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM counter WHERE number = ? AND active = 1", arguments: [counter]) != nil
                else {
                    throw DeskError.inconsistent([FieldError("counter", "no active counter \(counter)")])
                }
                try db.cachedExecute(sql: "UPDATE queue_number SET counter = ? WHERE id = ?", arguments: [counter, id])
            }
            let counter = request.counter ?? number.counter
            switch action {
            case .start:
                try db.cachedExecute(
                    sql: "UPDATE queue_number SET state = 'serving', started_at = ? WHERE id = ?", arguments: [now.storedSeconds, id])
            case .finish:
                try db.cachedExecute(
                    sql: "UPDATE queue_number SET state = 'served', finished_at = ? WHERE id = ?", arguments: [now.storedSeconds, id])
            case .recall:
                try db.cachedExecute(sql: "UPDATE queue_number SET recalls = recalls + 1 WHERE id = ?", arguments: [id])
                try Self.announce(db, number, kind: "recall", counter: counter ?? 0, at: now)
            case .noShow:
                let limit = try Self.hallSettings(db).recallsBeforeNoShow
                guard number.recalls >= limit else {
                    throw DeskError.conflict(
                        "\(number.label) was recalled \(number.recalls) time(s); recall it \(limit) time(s) before marking it a no-show")
                }
                try db.cachedExecute(
                    sql: "UPDATE queue_number SET state = 'no-show', finished_at = ? WHERE id = ?", arguments: [now.storedSeconds, id])
            case .transfer:
                let target = try Self.service(db, Text.clean(request.service ?? ""))
                guard target.active, target.queuePrefix != nil, target.code != number.service else {
                    throw DeskError.inconsistent([FieldError("service", "must be another active service with walk-in numbers")])
                }
                try db.cachedExecute(
                    sql: "UPDATE queue_number SET state = 'transferred', finished_at = ? WHERE id = ?", arguments: [now.storedSeconds, id])
                // The citizen keeps the ticket in hand and the original issue time (fairness, reports).
                try db.cachedExecute(
                    sql: """
                        INSERT INTO queue_number (label, day, service, priority, priority_reason, state, issued_at, transferred_from, issued_by,
                        queue_position)
                        VALUES (?, ?, ?, ?, ?, 'waiting', ?, ?, ?, (SELECT coalesce(queue_position, id) FROM queue_number WHERE id = ?))
                        """,
                    arguments: [
                        number.label, number.day.description, target.code, number.priority.rawValue, number.priorityReason,
                        number.issuedAt.storedSeconds, id, actor.username, id,
                    ])
                return try Self.queueNumber(db, db.lastInsertedRowID)
            }
            return try Self.queueNumber(db, id)
        }
    }

    // MARK: The hall screen and status

    /// Calls after `id` in order (for the display feed and its reconnections).
    public func calls(after id: Int64, limit: Int = 500) async throws -> [HallCall] {
        try await read { db in
            try db.fetchRows(sql: "SELECT * FROM hall_call WHERE id > ? ORDER BY id LIMIT ?", arguments: [id, limit]).map(Self.hallCall)
        }
    }

    /// The last `count` calls, oldest first (the snapshot a screen shows on connecting).
    public func lastCalls(_ count: Int) async throws -> [HallCall] {
        try await read { db in
            try db.fetchRows(sql: "SELECT * FROM hall_call ORDER BY id DESC LIMIT ?", arguments: [count]).map(Self.hallCall).reversed()
        }
    }

    static func hallCall(_ row: Row) -> HallCall {
        HallCall(id: row["id"], at: Date(storedSeconds: row["at"]), kind: row["kind"], label: row["label"], counter: row["counter"])
    }

    /// Per service with walk-in numbers: waiting (and priority) count, oldest wait, open counters.
    public func queueStatus() async throws -> [ServiceQueueStatus] {
        let now = clock()
        return try await read { db in
            let services = try Row.fetchAll(
                db, sql: "SELECT code, name FROM service WHERE active = 1 AND queue_prefix IS NOT NULL ORDER BY code")
            return try services.map { row in
                let code: String = row["code"]
                let counts = try db.fetchRow(
                    sql:
                        "SELECT count(*) AS n, sum(priority = 'priority') AS p, min(issued_at) AS oldest FROM queue_number WHERE state = 'waiting' AND service = ?",
                    arguments: [code])!
                let open = try db.fetchValues(
                    Int.self,
                    sql:
                        "SELECT c.number FROM counter c JOIN counter_service cs ON cs.counter = c.number WHERE cs.service = ? AND c.open = 1 AND c.active = 1 ORDER BY c.number",
                    arguments: [code])
                let oldest = (counts["oldest"] as Int64?).map { Int((now.storedSeconds - $0) / 60) }
                return ServiceQueueStatus(
                    service: code, name: row["name"], waiting: counts["n"], priorityWaiting: counts["p"] ?? 0, oldestWaitMinutes: oldest,
                    openCounters: open)
            }
        }
    }

    /// Waiting numbers per service, for `/metrics`.
    public func waitingCounts() async throws -> [(service: String, count: Int)] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT service, count(*) AS n FROM queue_number WHERE state = 'waiting' GROUP BY service").map {
                ($0["service"], $0["n"])
            }
        }
    }
}
