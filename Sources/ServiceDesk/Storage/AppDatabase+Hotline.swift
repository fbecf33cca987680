import Foundation
import GRDB

/// The hotline's call log (migration 0016, docs/hotline.md).
extension AppDatabase {
    /// A call an operator logs by hand.
    public func logCall(_ draft: CallDraft, actor: Staff) async throws -> Call {
        var validator = Validator()
        let caller = Hotline.caller(draft.caller)
        validator.check(caller != nil, "caller", "is required: the caller's number (3 to 15 digits, +84… or 0…) or 'unknown'")
        let outcome = Call.Outcome(rawValue: draft.outcome ?? "")
        validator.check(
            outcome != nil, "outcome", "must be one of \(Call.Outcome.allCases.map(\.rawValue).joined(separator: ", "))")
        validator.check((0...86_400).contains(draft.durationSeconds ?? 0), "durationSeconds", "must be 0 to 86400 seconds")
        validator.check((draft.recording?.unicodeScalars.count ?? 0) <= 500, "recording", "must be at most 500 characters")
        validator.check((draft.note?.unicodeScalars.count ?? 0) <= 2000, "note", "must be at most 2000 characters")
        try validator.finish()
        let now = clock()
        let started = draft.startedAt ?? now.addingTimeInterval(-Double(draft.durationSeconds ?? 0))
        return try await write { db in
            var relations = Validator()
            relations.check(started <= now.addingTimeInterval(60), "startedAt", "is in the future")
            relations.check(
                started >= now.addingTimeInterval(-31 * 86_400), "startedAt", "is more than 31 days ago: log calls as they come")
            let ticket = Text.clean(draft.ticket)
            if let ticket {
                relations.check(try Self.exists(db, "ticket", "code", ticket), "ticket", "no ticket \(ticket)")
            }
            relations.check(outcome != .itemOpened || ticket != nil, "ticket", "an item-opened call names the ticket it opened")
            try relations.finishInconsistent()
            let (_, time) = try self.workingTime(db)
            let ended = started.addingTimeInterval(Double(draft.durationSeconds ?? 0))
            try db.execute(
                sql: """
                    INSERT INTO call (caller, started_at, ended_at, operator, outcome, ticket, recording, note, callback_due_at, created_by)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    caller!, started.storedSeconds, ended.storedSeconds, outcome!.answered ? actor.username : nil, outcome!.rawValue,
                    ticket, Text.clean(draft.recording), Text.clean(draft.note),
                    Hotline.callbackDue(startedAt: started, outcome: outcome!, time: time)?.storedSeconds, actor.username,
                ])
            return try Self.call(db, db.lastInsertedRowID)
        }
    }

    /// A switchboard's hook: `start` opens the call (a repeated start answers the same call),
    /// `end` closes it with its outcome (an end without a start logs the whole call).
    public func pbxEvent(_ event: PBXEvent, actor: Staff) async throws -> Call {
        var validator = Validator()
        let kind = event.event ?? ""
        validator.check(["start", "end"].contains(kind), "event", "must be start or end")
        let callId = Text.clean(event.callId) ?? ""
        validator.check(!callId.isEmpty && callId.unicodeScalars.count <= 200, "callId", "is required: the switchboard's call id")
        let caller = Hotline.caller(event.caller)
        validator.check(caller != nil, "caller", "is required: the caller's number (3 to 15 digits, +84… or 0…) or 'unknown'")
        let outcome = event.outcome.flatMap(Call.Outcome.init(rawValue:))
        validator.check(
            event.outcome == nil || outcome != nil, "outcome",
            "must be one of \(Call.Outcome.allCases.map(\.rawValue).joined(separator: ", "))")
        validator.check((event.recording?.unicodeScalars.count ?? 0) <= 500, "recording", "must be at most 500 characters")
        try validator.finish()
        let now = clock()
        let at = event.at ?? now
        return try await write { db in
            var relations = Validator()
            let username = Text.clean(event.operator)
            if let username {
                relations.check(try Self.exists(db, "staff", "username", username), "operator", "no staff member \(username)")
            }
            relations.check(abs(at.timeIntervalSince(now)) <= 86_400, "at", "is more than a day away from now")
            let existing = try Row.fetchOne(db, sql: "SELECT id, started_at, ended_at FROM call WHERE pbx_id = ?", arguments: [callId])
            if kind == "end", let existing, existing["ended_at"] as Int64? != nil {
                // A repeated end (the PBX retried its hook): the call as it stands.
                return try Self.call(db, existing["id"])
            }
            if kind == "start", let existing { return try Self.call(db, existing["id"]) }
            let started = existing.map { Date(storedSeconds: $0["started_at"]) } ?? at
            relations.check(at >= started, "at", "is before the call's start")
            relations.check(kind == "start" || outcome != nil, "outcome", "an end event gives the outcome")
            try relations.finishInconsistent()
            if kind == "start" {
                try db.execute(
                    sql: "INSERT INTO call (pbx_id, caller, started_at, operator, created_by) VALUES (?, ?, ?, ?, ?)",
                    arguments: [callId, caller!, at.storedSeconds, username, actor.username])
                return try Self.call(db, db.lastInsertedRowID)
            }
            let (_, time) = try self.workingTime(db)
            let result = outcome!
            let due = Hotline.callbackDue(startedAt: started, outcome: result, time: time)?.storedSeconds
            if let existing {
                try db.execute(
                    sql: """
                        UPDATE call SET ended_at = ?, outcome = ?, operator = coalesce(?, operator), recording = ?, callback_due_at = ?
                        WHERE id = ?
                        """,
                    arguments: [at.storedSeconds, result.rawValue, username, Text.clean(event.recording), due, existing["id"] as Int64])
                return try Self.call(db, existing["id"])
            }
            try db.execute(
                sql: """
                    INSERT INTO call (pbx_id, caller, started_at, ended_at, operator, outcome, recording, callback_due_at, created_by)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    callId, caller!, at.storedSeconds, at.storedSeconds, username, result.rawValue, Text.clean(event.recording), due,
                    actor.username,
                ])
            return try Self.call(db, db.lastInsertedRowID)
        }
    }

    /// The calls that started in [from, to), newest first; or only the call backs still owed.
    public func calls(from: Date?, to: Date?, outcome: Call.Outcome?, callbacksOwed: Bool, limit: Int) async throws -> [Call] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM call WHERE (CAST(? AS BIGINT) IS NULL OR started_at >= ?) AND (CAST(? AS BIGINT) IS NULL OR started_at < ?) AND (CAST(? AS TEXT) IS NULL OR outcome = ?)
                    AND (? = 0 OR (callback_due_at IS NOT NULL AND callback_done_at IS NULL))
                    ORDER BY started_at DESC, id DESC LIMIT ?
                    """,
                arguments: [
                    from?.storedSeconds, from?.storedSeconds, to?.storedSeconds, to?.storedSeconds, outcome?.rawValue, outcome?.rawValue,
                    callbacksOwed, limit,
                ]
            ).map(Call.init(row:))
        }
    }

    /// Records the call back of a missed or recorded call.
    public func completeCallback(_ id: Int64, note: String?, actor: Staff) async throws -> Call {
        var validator = Validator()
        validator.check((note?.unicodeScalars.count ?? 0) <= 2000, "note", "must be at most 2000 characters")
        try validator.finish()
        let now = clock()
        return try await write { db in
            let call = try Self.call(db, id)
            guard call.callbackDueAt != nil else {
                throw DeskError.conflict("call \(id) owes no call back (it was \(call.outcome?.rawValue ?? "still going on"))")
            }
            guard call.callbackDoneAt == nil else { throw DeskError.conflict("call \(id) was already called back") }
            try db.execute(
                sql: "UPDATE call SET callback_done_at = ?, callback_by = ?, note = coalesce(?, note) WHERE id = ?",
                arguments: [now.storedSeconds, actor.username, Text.clean(note), id])
            return try Self.call(db, id)
        }
    }

    static func call(_ db: any SQLSession, _ id: Int64) throws -> Call {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM call WHERE id = ?", arguments: [id]) else {
            throw DeskError.notFound(entity: "call", id: String(id))
        }
        return Call(row: row)
    }

    /// The call log's figures over a period (docs/hotline.md): per group (none, day, staff).
    static func callFigures(_ db: any SQLSession, _ context: ReportContext, now: Date) throws -> ReportTable {
        let group: String =
            switch context.request.groupBy {
            case .staff: "coalesce(c.operator, '-')"
            case .day: "strftime('%Y-%m-%d', c.started_at + \(context.offset), 'unixepoch')"
            default: "'all'"
            }
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT \(group) AS g, count(*) AS calls,
                    sum(c.outcome IN ('answered', 'item-opened', 'transferred')) AS answered,
                    sum(c.outcome = 'item-opened') AS itemsOpened, sum(c.outcome = 'transferred') AS transferred,
                    sum(c.outcome = 'missed') AS missed, sum(c.outcome = 'recorded') AS recorded,
                    sum(c.callback_due_at IS NOT NULL) AS callbacksOwed,
                    sum(c.callback_done_at IS NOT NULL AND c.callback_done_at <= c.callback_due_at) AS callbacksOnTime,
                    sum(c.callback_done_at > c.callback_due_at) AS callbacksLate,
                    sum(c.callback_due_at IS NOT NULL AND c.callback_done_at IS NULL AND c.callback_due_at < :now) AS callbacksOverdue,
                    avg(CASE WHEN c.outcome IN ('answered', 'item-opened', 'transferred') THEN c.ended_at - c.started_at END) AS meanSeconds
                FROM call c WHERE c.started_at >= :start AND c.started_at < :end GROUP BY g ORDER BY g
                """,
            arguments: ["start": context.start, "end": context.end, "now": now.storedSeconds])
        let columns = [
            "group", "calls", "answered", "itemsOpened", "transferred", "missed", "recorded", "answeredRate", "meanAnsweredSeconds",
            "callbacksOwed", "callbacksOnTime", "callbacksLate", "callbacksOverdue",
        ]
        var table = rows.map { row -> [String: ReportValue] in
            let calls: Int = row["calls"] ?? 0
            let answered: Int = row["answered"] ?? 0
            var values: [String: ReportValue] = ["group": .text(row["g"])]
            for name in [
                "calls", "answered", "itemsOpened", "transferred", "missed", "recorded", "callbacksOwed", "callbacksOnTime",
                "callbacksLate", "callbacksOverdue",
            ] {
                values[name] = .int(row[name] ?? 0)
            }
            values["answeredRate"] = calls > 0 ? .number((Double(answered) / Double(calls) * 1000).rounded() / 1000) : .null
            values["meanAnsweredSeconds"] = (row["meanSeconds"] as Double?).map { .int(Int($0.rounded())) } ?? .null
            return values
        }
        if table.isEmpty && context.request.groupBy == .none {
            table = [Dictionary(uniqueKeysWithValues: columns.map { ($0, $0 == "group" ? ReportValue.text("all") : .int(0)) })]
            table[0]["answeredRate"] = .null
            table[0]["meanAnsweredSeconds"] = .null
        }
        return context.table("calls", columns, table)
    }
}

extension Call {
    init(row: Row) {
        let started = Date(storedSeconds: row["started_at"])
        let ended = (row["ended_at"] as Int64?).map(Date.init(storedSeconds:))
        self.init(
            id: row["id"], pbxId: row["pbx_id"], caller: row["caller"], startedAt: started, endedAt: ended,
            durationSeconds: ended.map { Int($0.timeIntervalSince(started)) }, operatorUsername: row["operator"],
            outcome: (row["outcome"] as String?).flatMap(Outcome.init(rawValue:)), ticket: row["ticket"], recording: row["recording"],
            note: row["note"], callbackDueAt: (row["callback_due_at"] as Int64?).map(Date.init(storedSeconds:)),
            callbackDoneAt: (row["callback_done_at"] as Int64?).map(Date.init(storedSeconds:)), callbackBy: row["callback_by"])
    }
}
