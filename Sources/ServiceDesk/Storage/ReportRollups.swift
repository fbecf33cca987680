import Foundation
import GRDB

// The day rollups of handling-times (issue 17; migration 0026, docs/reports.md): per local day of
// the resolution and per group, the count, the paused minutes and the multisets of the minutes
// (`CountedValues`), kept by SQLite triggers on every write to `ticket` and `ticket_step`. A
// report over the whole history reads a row per day and group — a few thousand — instead of a
// row per ticket and step, and gives the same figures: the multisets keep every value.

extension DatabaseFunction {
    /// `desk_counted_add(blob, value, times)`: the multiset `blob` (NULL: empty) with `times`
    /// more (or fewer) of `value`; a NULL value leaves it as it is.
    static let countedAdd = DatabaseFunction("desk_counted_add", argumentCount: 3, pure: true) { arguments in
        var counted = try CountedValues(stored: arguments[0])
        if let value = Int.fromDatabaseValue(arguments[1]) {
            counted.add(value, times: Int.fromDatabaseValue(arguments[2]) ?? 1)
        }
        return Data(counted.encoded)
    }

    /// `desk_counted_merge(blob, blob)`: the two multisets as one.
    static let countedMerge = DatabaseFunction("desk_counted_merge", argumentCount: 2, pure: true) { arguments in
        var counted = try CountedValues(stored: arguments[0])
        counted.merge(try CountedValues(stored: arguments[1]))
        return Data(counted.encoded)
    }
}

extension CountedValues {
    /// A multiset as stored: NULL is empty; anything but such a blob stops the statement.
    init(stored value: DatabaseValue) throws {
        switch value.storage {
        case .null: self.init()
        case .blob(let data):
            guard let counted = CountedValues(decoding: [UInt8](data)) else { throw AppDatabase.corruptRollup }
            self = counted
        default: throw DatabaseError(resultCode: .SQLITE_MISMATCH, message: "a report rollup's multiset must be a blob")
        }
    }
}

extension AppDatabase {
    /// The calendar minutes of a resolved ticket, as the rows and the triggers count them: stored
    /// at resolution, or (tickets resolved before it was) from acceptance to resolution.
    static let calendarMinutesSQL = "coalesce(handling_calendar_minutes, (resolved_at - coalesce(accepted_at, received_at)) / 60)"

    static let corruptRollup = DatabaseError(resultCode: .SQLITE_CORRUPT, message: "a report rollup's blob is not a counted multiset")

    /// The rollups' groups of a ticket, as the triggers of migration 0026 write them.
    static let rollupKinds = ["all", "department", "service", "channel", "staff"]

    /// Builds the rollups when they are not counted at the centre's offset now — on a database
    /// that never had them, or after the centre's time zone changed. `deskd` calls it at start;
    /// a report that would read them calls it first. Returns whether it built them.
    @discardableResult
    public func prepareReportRollups() async throws -> Bool {
        let now = clock()
        let (offset, built) = try await read { db in (try self.centreOffset(db, at: now), try Self.rollupOffset(db)) }
        guard built != offset else { return false }
        try await write { db in
            // Again inside the write: another process may have built them meanwhile.
            guard try Self.rollupOffset(db) != offset else { return }
            if let sqlite = db.sqlite {
                try Self.rebuildRollups(sqlite, offset: offset)
            } else {
                // PostgreSQL's own rebuild (schema/postgres/0002_rollup_triggers.sql), one statement per table.
                try db.execute(sql: "SELECT desk_rollups_rebuild(?)", arguments: [offset])
            }
        }
        return true
    }

    /// The centre's offset from UTC at `now`: the rollups are counted at it.
    func centreOffset(_ db: any SQLSession, at now: Date) throws -> Int {
        try workingTime(db).1.clock.timeZone.secondsFromGMT(for: now)
    }

    /// The offset the rollups are counted at; nil when they are not built.
    static func rollupOffset(_ db: any SQLSession) throws -> Int? {
        try Int.fetchOne(db, sql: "SELECT utc_offset FROM report_rollup WHERE id = 1")
    }

    /// Counts the rollups afresh from the rows, at `offset`: what the triggers keep, built in one
    /// pass over each covering index in the order of resolution, a day at a time.
    static func rebuildRollups(_ db: Database, offset: Int) throws {
        try db.execute(sql: "DELETE FROM handling_rollup; DELETE FROM step_rollup")
        try db.execute(sql: "UPDATE report_rollup SET utc_offset = ? WHERE id = 1", arguments: [offset])
        let insertTickets = try db.makeStatement(
            sql: "INSERT INTO handling_rollup (kind, day, key, resolved, paused, working, calendar) VALUES (?, ?, ?, ?, ?, ?, ?)")
        var groups: [[String: ResolvedDurations<CountedValues>]] = rollupKinds.map { _ in [:] }
        let tickets = try Row.fetchCursor(
            db,
            sql: """
                SELECT (resolved_at + ?) / 86400, handling_working_minutes, \(calendarMinutesSQL), coalesce(paused_minutes, 0),
                    coalesce(department, '-'), service, channel, coalesce(holder, '-')
                FROM ticket WHERE resolved_at IS NOT NULL AND handling_working_minutes IS NOT NULL ORDER BY resolved_at
                """,
            arguments: [offset])
        try byDay(tickets) { row in
            let keys: [String] = ["all", row[4], row[5], row[6], row[7]]
            for (index, key) in keys.enumerated() {
                groups[index][key, default: ResolvedDurations()].add(working: row[1], calendar: row[2], paused: row[3])
            }
        } flush: { day in
            for (index, kind) in rollupKinds.enumerated() {
                for (key, durations) in groups[index] {
                    try insertTickets.execute(arguments: [
                        kind, day, key, durations.working.total, durations.paused, Data(durations.working.encoded),
                        Data(durations.calendar.encoded),
                    ])
                }
            }
            groups = rollupKinds.map { _ in [:] }
        }

        let insertSteps = try db.makeStatement(
            sql: "INSERT INTO step_rollup (day, department, steps, queued, worked) VALUES (?, ?, ?, ?, ?)")
        var departments: [String: StepDurations<CountedValues>] = [:]
        let steps = try Row.fetchCursor(
            db,
            sql: """
                SELECT (ticket_resolved_at + ?) / 86400, department, (coalesce(claimed_at, left_at) - entered_at) / 60, (left_at - claimed_at) / 60
                FROM ticket_step WHERE ticket_resolved_at IS NOT NULL AND left_at IS NOT NULL ORDER BY ticket_resolved_at
                """,
            arguments: [offset])
        try byDay(steps) { row in
            departments[row[1], default: StepDurations()].add(queued: row[2], worked: row[3])
        } flush: { day in
            // Every step counted has a queued duration (entered → claimed, or left when never claimed).
            for (department, durations) in departments {
                try insertSteps.execute(arguments: [
                    day, department, durations.queued.total, Data(durations.queued.encoded), Data(durations.worked.encoded),
                ])
            }
            departments = [:]
        }
        try rebuildProgressRollups(db, offset: offset)
        try rebuildSatisfactionRollups(db, offset: offset)
        try rebuildOnlineRollups(db, offset: offset)
        try rebuildRevenueRollups(db, offset: offset)
    }

    /// Runs `add` on each row of `rows` — their first column the day, in order — and `flush` with
    /// each day once its rows are added.
    static func byDay(_ rows: RowCursor, add: (Row) throws -> Void, flush: (Int) throws -> Void) throws {
        var day: Int?
        while let row = try rows.next() {
            let rowDay: Int = row[0]
            if let day, rowDay != day { try flush(day) }
            day = rowDay
            try add(row)
        }
        if let day { try flush(day) }
    }

    /// The rollups' kind of group and the range of local days that answer this report, when they
    /// can: no filter (the rollups group by one thing at a time), not `exact`, a period of whole
    /// local days, and rollups counted at the report's offset (built here first when they are not).
    func rollupRange(_ context: ReportContext) async throws -> (kind: String, first: Int64, last: Int64)? {
        let request = context.request
        guard !context.straight, !request.exact, request.filter.sql.isEmpty,
            (context.start + Int64(context.offset)) % 86_400 == 0, (context.end + Int64(context.offset)) % 86_400 == 0
        else { return nil }
        let kind: String? =
            switch request.groupBy {
            case .none, .day, .week, .month, .quarter: "all"
            case .department: "department"
            case .service: "service"
            case .channel: "channel"
            case .staff: "staff"
            default: nil
            }
        guard let kind else { return nil }
        if try await read({ db in try Self.rollupOffset(db) }) != context.offset {
            try await prepareReportRollups()
        }
        return (kind, (context.start + Int64(context.offset)) / 86_400, (context.end + Int64(context.offset)) / 86_400)
    }

    /// The day up to which (not included) the rollups kept per ticket "as if the period never
    /// ended" (online, revenue: `report` names their columns `<report>_latest` and
    /// `<report>_longest_lag` in report_rollup) answer a period of the days `first` to `last`: all
    /// of it when the latest fact counted came before the period's end; otherwise only a ticket
    /// counted on a day at least the longest lag (its day's moment to its latest fact) before the
    /// end had all its facts before it, and the days from the one that moment falls on are read as
    /// rows. Nil when they answer none of it, or were counted at another offset (the time zone
    /// changed since the report began).
    static func rollupCut(_ db: any SQLSession, _ context: ReportContext, first: Int64, last: Int64, report: String) throws -> Int64? {
        guard try rollupOffset(db) == context.offset,
            let bounds = try Row.fetchOne(db, sql: "SELECT \(report)_latest, \(report)_longest_lag FROM report_rollup WHERE id = 1")
        else { return nil }
        let (latest, longestLag): (Int64, Int64) = (bounds[0], bounds[1])
        var cut = last
        if latest >= context.end {
            let sure = context.end - longestLag + Int64(context.offset)
            cut = min(last, sure >= 0 ? sure / 86_400 : (sure - 86_399) / 86_400)
        }
        return cut > first ? cut : nil
    }

    /// The group of a rollup row of day `day` and key `key` in this report's grouping.
    static func rollupGroup(_ day: Int64, _ key: String, _ grouping: ReportGrouping, labels: inout [Int64: String]) -> String {
        switch grouping {
        case .none: return "all"
        case .day, .week, .month, .quarter:
            if let known = labels[day] { return known }
            let label = GroupLabels.label(day, grouping)
            labels[day] = label
            return label
        default: return key
        }
    }

    /// Handling-times' durations from the rollups, when they can answer this report: no filter
    /// (the rollups group by one thing at a time), not `exact`, a period of whole local days, and
    /// rollups counted at the report's offset (built here first when they are not).
    func rolledUpHandling(
        _ context: ReportContext
    ) async throws -> ([String: ResolvedDurations<CountedValues>], [String: StepDurations<CountedValues>])? {
        let request = context.request
        guard let (kind, first, last) = try await rollupRange(context) else { return nil }
        let withSteps = [.none, .department].contains(request.groupBy)
        return try await read { db in
            // Counted at another offset (the time zone changed since the report began): the rows.
            guard try Self.rollupOffset(db) == context.offset else { return nil }
            guard db.sqlite != nil else { return try Self.rolledUpHandlingRows(db, request.groupBy, kind, first, last, withSteps) }
            var tickets: [String: ResolvedDurations<CountedValues>] = [:]
            var labels: [Int64: String] = [:]
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT day, key, resolved, paused, working, calendar FROM handling_rollup
                    WHERE kind = ? AND day >= ? AND day < ? AND resolved > 0
                    """,
                arguments: [kind, first, last])
            while let row = try rows.next() {
                let group = Self.rollupGroup(row[0], row[1], request.groupBy, labels: &labels)
                // In place: a copy of the group's multisets per row would cost their size each time.
                guard tickets[group, default: ResolvedDurations()].working.add(encoded: [UInt8](row[4] as Data)),
                    tickets[group]!.calendar.add(encoded: [UInt8](row[5] as Data))
                else { throw Self.corruptRollup }
                tickets[group]!.paused += row[3] as Int
            }
            var steps: [String: StepDurations<CountedValues>] = [:]
            if withSteps {
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT department, queued, worked FROM step_rollup WHERE day >= ? AND day < ? AND steps > 0",
                    arguments: [first, last])
                while let row = try rows.next() {
                    let department: String = row[0]
                    guard steps[department, default: StepDurations()].queued.add(encoded: [UInt8](row[1] as Data)),
                        steps[department]!.worked.add(encoded: [UInt8](row[2] as Data))
                    else { throw Self.corruptRollup }
                }
            }
            return (tickets, steps)
        }
    }

    /// `rolledUpHandling` on PostgreSQL, whose rollups keep the multisets of minutes as rows — a
    /// count per day, group, measure and value (schema/postgres/0002) — where SQLite keeps a blob.
    /// The same groups and the same multisets come out.
    static func rolledUpHandlingRows(
        _ db: any SQLSession, _ grouping: ReportGrouping, _ kind: String, _ first: Int64, _ last: Int64, _ withSteps: Bool
    ) throws -> ([String: ResolvedDurations<CountedValues>], [String: StepDurations<CountedValues>]) {
        var tickets: [String: ResolvedDurations<CountedValues>] = [:]
        var labels: [Int64: String] = [:]
        let arguments: SQLArguments = [kind, first, last]
        for row in try db.fetchRows(
            sql: "SELECT day, key, paused FROM handling_rollup WHERE kind = ? AND day >= ? AND day < ? AND resolved > 0",
            arguments: arguments)
        {
            tickets[rollupGroup(row[0], row[1], grouping, labels: &labels), default: ResolvedDurations()].paused += row[2] as Int
        }
        for row in try db.fetchRows(
            sql: "SELECT day, key, measure, minutes, times FROM handling_minutes WHERE kind = ? AND day >= ? AND day < ?",
            arguments: arguments)
        {
            let group = rollupGroup(row[0], row[1], grouping, labels: &labels)
            guard tickets[group] != nil else { throw corruptRollup }
            switch row[2] as String {
            case "working": tickets[group]!.working.add(row[3], times: row[4])
            default: tickets[group]!.calendar.add(row[3], times: row[4])
            }
        }
        var steps: [String: StepDurations<CountedValues>] = [:]
        if withSteps {
            for department in try String.fetchAll(
                db, sql: "SELECT department FROM step_rollup WHERE day >= ? AND day < ? AND steps > 0", arguments: [first, last])
            {
                steps[department] = steps[department] ?? StepDurations()
            }
            for row in try db.fetchRows(
                sql: "SELECT department, measure, minutes, times FROM step_minutes WHERE day >= ? AND day < ?", arguments: [first, last])
            {
                let department: String = row[0]
                guard steps[department] != nil else { throw corruptRollup }
                switch row[1] as String {
                case "queued": steps[department]!.queued.add(row[2], times: row[3])
                default: steps[department]!.worked.add(row[2], times: row[3])
                }
            }
        }
        return (tickets, steps)
    }
}
