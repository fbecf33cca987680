import Foundation
import GRDB

/// The parameters of a report, beyond its name.
public struct ReportRequest: Sendable {
    public var period: ReportPeriod?
    public var groupBy: ReportGrouping
    public var filter: ReportFilter
    /// `waiting` and `staffing`: the target wait in minutes and the share to call within it.
    public var targetWaitMinutes: Int
    public var targetShare: Double
    /// `staffing-plan`: the projected growth of the work (1 = as measured).
    public var growth: Double
    /// Read the rows even where day rollups could answer (`handling-times`, `progress`; the same figures).
    public var exact: Bool

    public init(
        period: ReportPeriod?, groupBy: ReportGrouping = .none, filter: ReportFilter = ReportFilter(), targetWaitMinutes: Int = 15,
        targetShare: Double = 0.8, growth: Double = 1, exact: Bool = false
    ) {
        self.growth = growth
        self.exact = exact
        self.period = period
        self.groupBy = groupBy
        self.filter = filter
        self.targetWaitMinutes = targetWaitMinutes
        self.targetShare = targetShare
    }
}

/// The reports of SPEC §6, computed in SQL over the stored tickets and walk-in numbers (counts
/// and sums in SQL; percentiles from durations streamed in order, picked by rank in Swift).
/// Definitions: docs/reports.md.
extension AppDatabase {
    public enum ReportName: String, CaseIterable, Sendable {
        case handlingTimes = "handling-times"
        case progress, backlog, waiting, satisfaction, staffing, revenue
        case staffingPlan = "staffing-plan"
        case calls, feedback
        /// Decision 766/QĐ-TTg, online services: online dossiers, online payment, synchronisation.
        case online
    }

    /// What every report function gets: the SQL of the grouping, the period's instants, the filter.
    struct ReportContext: Sendable {
        var request: ReportRequest
        var start: Int64
        var end: Int64
        var offset: Int
        var mode: OrganisationalMode
        /// The centre's at-risk setting (`Deadline`), in working days.
        var atRiskDays = 1
        /// The straight path: one scan, groups labelled by SQLite — what the tests hold the fast
        /// path (two halves at once, calendar labels in Swift; `ReportScan.swift`) against.
        var straight = false

        /// The group expression over the time column `column` of alias `alias`.
        func group(_ column: String, alias: String = "t") -> String {
            let local = "\(alias).\(column) + \(offset), 'unixepoch'"
            return switch request.groupBy {
            case .none: "'all'"
            case .department: "coalesce(\(alias).department, '-')"
            case .service: "\(alias).service"
            case .channel: "\(alias).channel"
            case .staff: "coalesce(\(alias).holder, '-')"
            case .counter: "coalesce(\(alias).counter, 0)"
            case .employment: "coalesce(s.employment, '-')"
            case .hour: "strftime('%H', \(local))"
            case .day: "strftime('%Y-%m-%d', \(local))"
            // The week is labelled by the Monday it starts on.
            case .week: "strftime('%Y-%m-%d', \(local), 'weekday 0', '-6 days')"
            case .month: "strftime('%Y-%m', \(local))"
            case .quarter: "strftime('%Y', \(local)) || '-Q' || ((cast(strftime('%m', \(local)) AS integer) + 2) / 3)"
            case .severity: "coalesce(\(alias).severity, '-')"
            }
        }

        var arguments: SQLArguments {
            var values: [String: (any DatabaseValueConvertible)?] = ["start": start, "end": end]
            values.merge(request.filter.arguments) { first, _ in first }
            return SQLArguments(values)
        }

        var table: (String, [String], [[String: ReportValue]]) -> ReportTable {
            { name, columns, rows in
                ReportTable(report: name, period: request.period, groupBy: request.groupBy.rawValue, columns: columns, rows: rows)
            }
        }
    }

    public func report(_ name: ReportName, _ request: ReportRequest) async throws -> ReportTable {
        try await report(name, request, straight: false)
    }

    func report(_ name: ReportName, _ request: ReportRequest, straight: Bool) async throws -> ReportTable {
        let now = clock()
        let (found, time) = try await read { db in try self.reportContext(db, name, request, now: now) }
        let context = {
            var context = found
            context.straight = straight
            return context
        }()
        let table: ReportTable
        switch name {
        case .handlingTimes: table = try await handlingTimes(context, now: now)
        case .progress: table = try await progress(context, now: now)
        case .backlog: table = try await read { db in try Self.backlog(db, context, now: now, time: time) }
        case .waiting: table = try await waiting(context, now: now)
        case .satisfaction: table = try await satisfaction(context, now: now)
        case .staffing: table = try await staffing(context, now: now)
        case .revenue: table = try await revenue(context, now: now)
        case .staffingPlan:
            table = try await staffingPlan(
                period: request.period!, growth: request.growth,
                target: WaitTarget(minutes: request.targetWaitMinutes, share: request.targetShare))
        case .calls: table = try await read { db in try Self.callFigures(db, context, now: now) }
        case .feedback: table = try await feedback(context, now: now)
        case .online: table = try await online(context, now: now)
        }
        return try await read { db in try Self.named(table, db) }
    }

    /// A table grouped by department, service or staff gets the group's name beside its code
    /// (the Vietnamese name a reader knows; the code stays the key).
    static func named(_ table: ReportTable, _ db: any SQLSession) throws -> ReportTable {
        let sql: String? =
            switch table.groupBy {
            case "department": "SELECT code, name FROM department"
            case "service": "SELECT code, name FROM service"
            case "staff": "SELECT username, name FROM staff"
            default: nil
            }
        guard let sql, !table.rows.isEmpty else { return table }
        let pairs = try Row.fetchAll(db, sql: sql).map { ($0[0] as String, $0[1] as String) }
        let names = Dictionary(pairs, uniquingKeysWith: { first, _ in first })
        var named = table
        named.columns.insert("name", at: 1)
        named.rows = table.rows.map { row in
            var row = row
            var name = ReportValue.null
            if case .text(let code)? = row["group"], let known = names[code] { name = .text(known) }
            row["name"] = name
            return row
        }
        return named
    }

    /// Checks the request against the report and resolves its period in the centre's time zone.
    func reportContext(_ db: any SQLSession, _ name: ReportName, _ request: ReportRequest, now: Date) throws -> (ReportContext, WorkingTime)
    {
        let (centre, time) = try workingTime(db)
        if name != .backlog && request.period == nil {
            throw DeskError.validation([FieldError("period", "is required: period, or from and to")])
        }
        let ticketGroupings: Set<ReportGrouping> = [.none, .department, .service, .channel, .staff, .day, .week, .month, .quarter]
        let allowed: Set<ReportGrouping> =
            switch name {
            case .waiting: [.none, .service, .counter, .hour, .day, .week, .month, .quarter]
            case .staffing: [.hour, .staff, .employment]
            case .backlog: [.none, .department, .service, .channel]
            case .staffingPlan: [.none, .department]
            case .calls: [.none, .day, .staff]
            case .feedback: [.none, .department, .service, .channel, .severity, .day, .week, .month, .quarter]
            case .online: [.none, .department, .service, .day, .week, .month, .quarter]
            default: ticketGroupings
            }
        guard allowed.contains(request.groupBy) else {
            throw DeskError.validation([
                FieldError(
                    "by",
                    "\(name.rawValue) groups by \(ReportGrouping.allCases.filter(allowed.contains).map(\.rawValue).joined(separator: ", "))"
                )
            ])
        }
        let range = request.period.map { $0.instants(time.clock) }
        let context = ReportContext(
            request: request, start: range?.start.storedSeconds ?? 0, end: range?.end.storedSeconds ?? 0,
            offset: time.clock.timeZone.secondsFromGMT(for: now), mode: centre.mode, atRiskDays: centre.atRiskDays)
        return (context, time)
    }

    static func counts(_ row: Row, _ keys: [String], into values: inout [String: ReportValue]) {
        for key in keys { values[key] = .int((row[key] as Int?) ?? 0) }
    }

    /// Counts the rows of `sql` — a group (text) and a small code (integer) each — per group and
    /// code. Tallying in Swift avoids SQLite's GROUP BY sort, which over a million rows costs more
    /// than the scan itself (docs/benchmarks.md).
    static func tally(_ db: any SQLSession, _ context: ReportContext, sql: String, arguments: SQLArguments) throws -> [String: [Int: Int]] {
        var tally: [String: [Int: Int]] = [:]
        var labels = GroupLabels(context)
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try cursor.next() {
            tally[labels.label(row), default: [:]][row[1], default: 0] += 1
        }
        return tally
    }

    static func share(_ part: Int, _ whole: Int) -> ReportValue { whole == 0 ? .null : .number(Double(part) / Double(whole)) }

    /// A report of counts per group (`g`) and shares computed from them: `counts` read from each
    /// row, `shares` added by `rates`; with no grouping and nothing counted, one row of zeros
    /// (and empty shares) rather than none.
    static func countTable(
        _ context: ReportContext, _ name: String, _ rows: [Row], counts: [String], shares: [String],
        rates: (Row) -> [String: ReportValue]
    ) -> ReportTable {
        var table = rows.map { row -> [String: ReportValue] in
            var values: [String: ReportValue] = ["group": .text(row["g"])]
            for name in counts { values[name] = .int(row[name] ?? 0) }
            values.merge(rates(row)) { $1 }
            return values
        }
        if table.isEmpty && context.request.groupBy == .none {
            var zero: [String: ReportValue] = ["group": .text("all")]
            for name in counts { zero[name] = .int(0) }
            for name in shares { zero[name] = .null }
            table = [zero]
        }
        return context.table(name, ["group"] + counts + shares, table)
    }

    static func value(_ number: Int?) -> ReportValue { number.map(ReportValue.int) ?? .null }

    // MARK: handling-times

    /// The handling times of the tickets resolved in the period, per group: the durations as read
    /// (`[Int]`) or as counted in the day rollups (`CountedValues`).
    struct ResolvedDurations<Values: DurationValues>: Sendable {
        var working = Values()
        var calendar = Values()
        var paused = 0

        mutating func add(working minutes: Int, calendar calendarMinutes: Int, paused pausedMinutes: Int) {
            working.insert(minutes)
            calendar.insert(calendarMinutes)
            paused += pausedMinutes
        }

        mutating func merge(_ other: Self) {
            working.merge(other.working)
            calendar.merge(other.calendar)
            paused += other.paused
        }

        func merged(_ other: Self) -> Self {
            var both = self
            both.merge(other)
            return both
        }
    }

    /// The steps' minutes in queue and at work, of one department.
    struct StepDurations<Values: DurationValues>: Sendable {
        var queued = Values()
        var worked = Values()

        mutating func add(queued queuedMinutes: Int?, worked workedMinutes: Int?) {
            if let queuedMinutes { queued.insert(max(0, queuedMinutes)) }
            if let workedMinutes { worked.insert(max(0, workedMinutes)) }
        }

        mutating func merge(_ other: Self) {
            queued.merge(other.queued)
            worked.merge(other.worked)
        }

        func merged(_ other: Self) -> Self {
            var both = self
            both.merge(other)
            return both
        }
    }

    /// Handling-times from the day rollups (`ReportRollups.swift`) when they can answer — no
    /// filter, no `exact`, counted at the report's offset — otherwise from the rows: the tickets'
    /// durations and, for the split by step, their steps' — in two halves of the period at once
    /// (`halves`): over a million tickets and two million steps, both cores share the work evenly.
    func handlingTimes(_ context: ReportContext, now: Date) async throws -> ReportTable {
        if let (tickets, steps) = try await rolledUpHandling(context) {
            return Self.handlingTimes(context, tickets: tickets, steps: steps)
        }
        let withSteps = [.none, .department].contains(context.request.groupBy)
        // Each half reads its tickets, then their steps when the split by step is shown.
        let (tickets, steps) = try await halves(context, now: now) { db, half, arguments in
            (
                try Self.resolvedDurations(db, context, bound: half.bound("resolved_at"), arguments: arguments),
                withSteps ? try Self.stepDurations(db, context, bound: half.bound("st.ticket_resolved_at"), arguments: arguments) : [:]
            )
        } merge: { first, second in
            (first.0.merging(second.0) { a, b in a.merged(b) }, first.1.merging(second.1) { a, b in a.merged(b) })
        }
        return Self.handlingTimes(context, tickets: tickets, steps: steps)
    }

    /// The tickets' half of handling-times: a range scan of the covering index `ticket_handling`
    /// (migration 0025; `ReportScanTests` reads the plan).
    static func resolvedDurationsSQL(_ context: ReportContext, bound: String = "") -> String {
        """
        SELECT \(context.groupKey("resolved_at")) AS g, handling_working_minutes AS w,
            \(calendarMinutesSQL) AS c, coalesce(paused_minutes, 0) AS p
        FROM ticket t WHERE resolved_at >= :start AND resolved_at < :end AND handling_working_minutes IS NOT NULL\(bound)\(context.request.filter.sql)
        """
    }

    static func resolvedDurations(
        _ db: any SQLSession, _ context: ReportContext, bound: String, arguments: SQLArguments
    ) throws -> [String: ResolvedDurations<[Int]>] {
        var groups: [String: ResolvedDurations<[Int]>] = [:]
        let cursor = try Row.fetchCursor(db, sql: resolvedDurationsSQL(context, bound: bound), arguments: arguments)
        // Columns by position: at a million rows, by-name lookups (case-insensitive) cost seconds.
        // One dictionary lookup per row, the group changed in place (see waiting).
        var labels = GroupLabels(context)
        while let row = try cursor.next() {
            groups[labels.label(row), default: ResolvedDurations()].add(working: row[1], calendar: row[2], paused: row[3])
        }
        return groups
    }

    /// Per route step: minutes queued (entered → claimed) and worked (claimed → left), calendar
    /// time, for the steps of the tickets resolved in the period, by the step's department. A
    /// range scan of the steps (the ticket's resolution moment is copied onto them); the ticket is
    /// joined only when a filter needs its columns.
    static func stepDurations(
        _ db: any SQLSession, _ context: ReportContext, bound: String, arguments: SQLArguments
    ) throws -> [String: StepDurations<[Int]>] {
        var groups: [String: StepDurations<[Int]>] = [:]
        let join = context.request.filter.sql.isEmpty ? "" : " JOIN ticket t ON t.code = st.ticket"
        let steps = try Row.fetchCursor(
            db,
            sql: """
                SELECT st.department, (coalesce(st.claimed_at, st.left_at) - st.entered_at) / 60, (st.left_at - st.claimed_at) / 60
                FROM ticket_step st\(join)
                WHERE st.ticket_resolved_at >= :start AND st.ticket_resolved_at < :end AND st.left_at IS NOT NULL\(bound)\(context.request.filter.sql)
                """,
            arguments: arguments)
        while let row = try steps.next() {
            let department: String = row[0]
            groups[department, default: StepDurations()].add(queued: row[1], worked: row[2])
        }
        return groups
    }

    static func handlingTimes<Values>(
        _ context: ReportContext, tickets: [String: ResolvedDurations<Values>], steps: [String: StepDurations<Values>]
    ) -> ReportTable {
        var tickets = tickets
        let columns = [
            "group", "resolved", "workingMedian", "workingP90", "workingP95", "workingMax", "calendarMedian", "calendarP90", "calendarP95",
            "calendarMax", "pausedWorkingMinutes", "stepQueueMedian", "stepWorkMedian",
        ]
        let ranks: [Double] = [50, 90, 95, 100]
        let rows: [[String: ReportValue]] = tickets.keys.sorted().map { key in
            let count = tickets[key]!.working.total
            let w = tickets[key]!.working.percentiles(ranks).map(value)
            let c = tickets[key]!.calendar.percentiles(ranks).map(value)
            var row: [String: ReportValue] = [
                "group": .text(key), "resolved": .int(count), "workingMedian": w[0], "workingP90": w[1], "workingP95": w[2],
                "workingMax": w[3], "calendarMedian": c[0], "calendarP90": c[1], "calendarP95": c[2], "calendarMax": c[3],
                "pausedWorkingMinutes": .int(tickets[key]!.paused),
            ]
            // The step split is by department: shown on department rows (or for all steps without grouping).
            let stepKeys = context.request.groupBy == .department ? [key] : context.request.groupBy == .none ? Array(steps.keys) : []
            var all = StepDurations<Values>()
            for key in stepKeys { if let department = steps[key] { all.merge(department) } }
            row["stepQueueMedian"] = value(all.queued.percentiles([50])[0])
            row["stepWorkMedian"] = value(all.worked.percentiles([50])[0])
            return row
        }
        return context.table("handling-times", columns, rows)
    }

    // MARK: progress

    /// One pass over the tickets accepted before the period's end and not closed before its start.
    /// SQL puts each ticket into one small integer — which figures it counts in (docs/reports.md):
    /// bits 0–2 received (1 counter, 2 online, 3 post, 4 hotline, 5 other channel) or 6 carried over;
    /// bits 3–5 resolved in the period (1 early, 2 on time, 3 late, 4 late with an apology, 5 ungraded);
    /// bits 6–8 open at the end (1 + 1 within time / 2 overdue + 4 waiting on the citizen); bit 10
    /// withdrawn in the period. Swift tallies the codes per group: at a million tickets, SQLite's
    /// GROUP BY sorter and fifteen conditional sums cost 1.9 s, this 0.5 s (docs/benchmarks.md).
    /// Off the straight path the codes are computed in Swift from the raw columns
    /// (`progressTallyFromColumns`, ProgressScan.swift) — the same codes, a fifth less time.
    func progress(_ context: ReportContext, now: Date) async throws -> ReportTable {
        // The day rollups and the few rows they cannot answer (ProgressRollups.swift), when they can.
        if let tally = try await rolledUpProgress(context, now: now) { return Self.progressTable(context, tally) }
        let tally = try await halves(context, now: now) { db, half, arguments in
            let bound = half.bound("t.accepted_at")
            return context.straight
                ? try Self.progressTally(db, context, now: now, bound: bound, arguments: arguments)
                : try Self.progressTallyFromColumns(db, context, now: now, bound: bound, arguments: arguments)
        } merge: {
            Self.merged($0, $1)
        }
        return Self.progressTable(context, tally)
    }

    static func progressTally(
        _ db: any SQLSession, _ context: ReportContext, now: Date, bound: String, arguments: SQLArguments
    ) throws -> [String: [Int: Int]] {
        let sql = """
            SELECT \(context.groupKey("accepted_at")) AS g,
                (CASE WHEN t.accepted_at >= :start THEN (CASE t.channel WHEN 'counter' THEN 1 WHEN 'post' THEN 3 WHEN 'hotline' THEN 4
                    WHEN 'web' THEN 2 WHEN 'mobile' THEN 2 WHEN 'open311' THEN 2 WHEN 'email' THEN 2 ELSE 5 END) ELSE 6 END)
                + 8 * (CASE WHEN t.resolved_at >= :start AND t.resolved_at < :end THEN (CASE t.timeliness WHEN 'early' THEN 1
                    WHEN 'on-time' THEN 2 WHEN 'late' THEN (CASE WHEN t.apologised_at IS NULL THEN 3 ELSE 4 END) ELSE 5 END) ELSE 0 END)
                + 64 * (CASE WHEN (t.resolved_at IS NULL OR t.resolved_at >= :end) AND (t.closed_at IS NULL OR t.closed_at >= :end)
                    THEN 1 + (CASE WHEN t.due_at IS NULL THEN 0 WHEN \(Self.pastDueSQL("t", now: ":asked")) THEN 2 ELSE 1 END)
                    + (CASE WHEN t.state = 'awaiting-citizen' THEN 4 ELSE 0 END) ELSE 0 END)
                + 1024 * (t.state = 'withdrawn' AND t.closed_at >= :start AND t.closed_at < :end)
            FROM ticket t
            WHERE t.accepted_at IS NOT NULL AND t.accepted_at < :end
                AND (t.resolved_at IS NULL OR t.resolved_at >= :start) AND (t.closed_at IS NULL OR t.closed_at >= :start)\(bound)\(context.request.filter.sql)
            """
        // Overdue at the end of the period, or now for a period not over yet (`Deadline`).
        var arguments = arguments
        arguments += ["asked": min(context.end, now.storedSeconds)]
        return try Self.tally(db, context, sql: sql, arguments: arguments)
    }

    static func progressTable(_ context: ReportContext, _ tally: [String: [Int: Int]]) -> ReportTable {
        let keys = [
            "received", "receivedCounter", "receivedOnline", "receivedPost", "receivedHotline", "carriedOver", "resolved", "early",
            "onTime", "late",
            "lateWithApology", "openWithinTime", "openOverdue", "waitingOnCitizen", "withdrawn",
        ]
        // Without a grouping, a period with no tickets is one row of zeros: a reader expects the total.
        let groups = tally.isEmpty && context.request.groupBy == .none ? ["all"] : tally.keys.sorted()
        let rows = groups.map { group -> [String: ReportValue] in
            var counts = Dictionary(uniqueKeysWithValues: keys.map { ($0, 0) })
            for (code, count) in tally[group] ?? [:] {
                let received = code & 7
                let resolved = (code >> 3) & 7
                let open = (code >> 6) & 7
                let figures: [(String, Bool)] = [
                    ("received", (1...5).contains(received)), ("receivedCounter", received == 1), ("receivedOnline", received == 2),
                    ("receivedPost", received == 3), ("receivedHotline", received == 4), ("carriedOver", received == 6),
                    ("resolved", resolved != 0), ("early", resolved == 1), ("onTime", resolved == 2),
                    ("late", resolved == 3 || resolved == 4),
                    ("lateWithApology", resolved == 4), ("openWithinTime", open != 0 && (open - 1) & 3 == 1),
                    ("openOverdue", open != 0 && (open - 1) & 3 == 2), ("waitingOnCitizen", open != 0 && (open - 1) & 4 != 0),
                    ("withdrawn", code & 1024 != 0),
                ]
                for (key, counted) in figures where counted { counts[key, default: 0] += count }
            }
            var values: [String: ReportValue] = ["group": .text(group)]
            for key in keys { values[key] = .int(counts[key] ?? 0) }
            // Decision 766 / Decree 61/2018 art. 30: on-time rate = (early + on time) ÷ resolved.
            values["onTimeRate"] = share((counts["early"] ?? 0) + (counts["onTime"] ?? 0), counts["resolved"] ?? 0)
            return values
        }
        return context.table("progress", ["group"] + keys + ["onTimeRate"], rows)
    }

    // MARK: backlog

    static func backlog(_ db: any SQLSession, _ context: ReportContext, now: Date, time: WorkingTime) throws -> ReportTable {
        let group = context.request.groupBy == .none ? "coalesce(t.department, '-')" : context.group("accepted_at")
        var arguments = context.arguments
        arguments += [
            "now": now.storedSeconds, "day": 86_400,
            "risk": Deadline.atRiskHorizon(now: now, days: context.atRiskDays, time: time).storedSeconds,
        ]
        let age = "(:now - coalesce(t.accepted_at, t.received_at))"
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT \(group) AS g, count(*) AS open,
                    sum(\(age) < 3 * :day) AS age0to2, sum(\(age) >= 3 * :day AND \(age) < 8 * :day) AS age3to7,
                    sum(\(age) >= 8 * :day AND \(age) < 31 * :day) AS age8to30, sum(\(age) >= 31 * :day) AS ageOver30,
                    sum(\(Self.atRiskSQL("t", now: ":now", horizon: ":risk"))) AS atRisk, sum(\(Self.overdueSQL("t", now: ":now"))) AS overdue,
                    min(coalesce(t.accepted_at, t.received_at)) AS oldest
                FROM ticket t WHERE t.state IN \(Ticket.State.openSQL)\(context.request.filter.sql)
                GROUP BY g ORDER BY g
                """,
            arguments: arguments
        ).map { row -> [String: ReportValue] in
            var values: [String: ReportValue] = ["group": .text(row["g"])]
            counts(row, ["open", "age0to2", "age3to7", "age8to30", "ageOver30", "atRisk", "overdue"], into: &values)
            values["oldestAgeDays"] = (row["oldest"] as Int64?).map { .int(Int((now.storedSeconds - $0) / 86_400)) } ?? .null
            return values
        }
        var table = context.table(
            "backlog", ["group", "open", "age0to2", "age3to7", "age8to30", "ageOver30", "atRisk", "overdue", "oldestAgeDays"], rows)
        table.period = nil
        if context.request.groupBy == .none { table.groupBy = "department" }
        return table
    }

    // MARK: waiting

    /// The walk-in numbers' figures of one group, as read (`waitingDurations`) and merged.
    struct WaitingDurations: Sendable {
        var issued = 0
        var called = 0
        var withinTarget = 0
        var noShows = 0
        var waits: [Int] = []
        var services: [Int] = []
        var journeyWaits: [Int] = []
        var journeyHandling: [Int] = []

        /// One walk-in number: `state` 1 served, 2 no-show, 0 otherwise; seconds of wait and service.
        mutating func record(wait: Int?, service: Int?, handling: Int?, state: Int, target: Int64) {
            issued += 1
            if let wait {
                called += 1
                waits.append(wait / 60)
                if Int64(wait) <= target { withinTarget += 1 }
                if let handling {
                    journeyWaits.append(wait / 60)
                    journeyHandling.append(handling)
                }
            }
            if state == 1, let service { services.append(service / 60) }
            if state == 2 { noShows += 1 }
        }

        mutating func add(_ other: WaitingDurations) {
            issued += other.issued
            called += other.called
            withinTarget += other.withinTarget
            noShows += other.noShows
            waits += other.waits
            services += other.services
            journeyWaits += other.journeyWaits
            journeyHandling += other.journeyHandling
        }
    }

    /// Off the straight path the numbers come from the covering `queue_number_report` (migration
    /// 0030) in two halves at once, read in place (`waitingFromColumns`).
    func waiting(_ context: ReportContext, now: Date) async throws -> ReportTable {
        let groups = try await halves(context, now: now) { db, half, arguments in
            let bound = half.bound("q.issued_at")
            return context.straight
                ? try Self.waitingDurations(db, context, bound: bound, arguments: arguments)
                : try Self.waitingFromColumns(db, context, bound: bound, arguments: arguments)
        } merge: { first, second in
            first.merging(second) { a, b in
                var both = a
                both.add(b)
                return both
            }
        }
        return Self.waitingTable(context, groups)
    }

    /// The walk-in numbers of the period (not those moved to another service): the group, the
    /// state, the seconds of wait and of service, and the handling minutes of the ticket a number
    /// led to.
    static func waitingSQL(_ context: ReportContext, key: String, bound: String) -> String {
        let serviceFilter = context.request.filter.service == nil ? "" : " AND q.service = :fService"
        return """
            SELECT \(key) AS g, q.state, q.called_at - q.issued_at AS wait, q.finished_at - q.called_at AS service,
                t.handling_working_minutes AS handling
            FROM queue_number q LEFT JOIN ticket t ON t.code = q.ticket
            WHERE q.issued_at >= :start AND q.issued_at < :end AND q.state <> 'transferred'\(bound)\(serviceFilter)
            """
    }

    /// The straight path: each row decoded by GRDB, its group labelled by SQLite.
    static func waitingDurations(
        _ db: any SQLSession, _ context: ReportContext, bound: String, arguments: SQLArguments
    ) throws -> [String: WaitingDurations] {
        var groups: [String: WaitingDurations] = [:]
        let target = Int64(context.request.targetWaitMinutes * 60)
        let cursor = try Row.fetchCursor(
            db, sql: waitingSQL(context, key: "CAST(\(context.group("issued_at", alias: "q")) AS TEXT)", bound: bound),
            arguments: arguments)
        var labels = GroupLabels(context)
        while let row = try cursor.next() {
            let state: String = row[1]
            groups[labels.label(row), default: WaitingDurations()].record(
                wait: row[2], service: row[3], handling: row[4], state: state == "served" ? 1 : state == "no-show" ? 2 : 0,
                target: target)
        }
        return groups
    }

    /// The fast path: the columns read in place, each row's group found by its raw key.
    static func waitingFromColumns(
        _ db: any SQLSession, _ context: ReportContext, bound: String, arguments: SQLArguments
    ) throws -> [String: WaitingDurations] {
        let target = Int64(context.request.targetWaitMinutes * 60)
        let key =
            context.groupsByTime ? context.groupKey("issued_at", alias: "q") : "CAST(\(context.group("issued_at", alias: "q")) AS TEXT)"
        var slots = GroupSlots()
        var labels = GroupLabels(context)
        var groups: [WaitingDurations] = []
        try forEachRow(db, sql: waitingSQL(context, key: key, bound: bound), arguments: arguments) { row in
            let slot = slots.slot(of: row, &labels)
            if slot == groups.count { groups.append(WaitingDurations()) }
            let state = RawColumn(row, 1)
            groups[slot].record(
                wait: RawColumn(row, 2).integer.map(Int.init), service: RawColumn(row, 3).integer.map(Int.init),
                handling: RawColumn(row, 4).integer.map(Int.init), state: state.is("served") ? 1 : state.is("no-show") ? 2 : 0,
                target: target)
        }
        return Dictionary(uniqueKeysWithValues: zip(slots.labels, groups))
    }

    static func waitingTable(_ context: ReportContext, _ groups: [String: WaitingDurations]) -> ReportTable {
        let columns = [
            "group", "issued", "called", "waitMedian", "waitP90", "serviceMedian", "serviceP90", "calledWithinTarget", "noShows",
            "noShowRate",
            "journeys", "journeyWaitMedian", "journeyHandlingMedian",
        ]
        let rows: [[String: ReportValue]] = groups.keys.sorted().map { key in
            var entry = groups[key]!
            let waits = Percentile.select(&entry.waits, [50, 90]).map(value)
            let services = Percentile.select(&entry.services, [50, 90]).map(value)
            return [
                "group": .text(key), "issued": .int(entry.issued), "called": .int(entry.called),
                "waitMedian": waits[0], "waitP90": waits[1], "serviceMedian": services[0], "serviceP90": services[1],
                "calledWithinTarget": share(entry.withinTarget, entry.called), "noShows": .int(entry.noShows),
                "noShowRate": share(entry.noShows, entry.called), "journeys": .int(entry.journeyWaits.count),
                "journeyWaitMedian": value(Percentile.select(&entry.journeyWaits, [50])[0]),
                "journeyHandlingMedian": value(Percentile.select(&entry.journeyHandling, [50])[0]),
            ]
        }
        return context.table("waiting", columns, rows)
    }

    // MARK: satisfaction

    /// One half of satisfaction's tickets: a range scan of the covering index `ticket_returned`
    /// (partial since migration 0038; `ReportScanTests` reads the plan).
    static func returnedRatingsSQL(_ context: ReportContext, bound: String) -> String {
        """
        SELECT \(context.groupKey("returned_at")) AS g, t.rating
        FROM ticket t WHERE t.returned_at >= :start AND t.returned_at < :end\(bound)\(context.request.filter.sql)
        """
    }

    func satisfaction(_ context: ReportContext, now: Date) async throws -> ReportTable {
        let ratings = ["verySatisfied", "satisfied", "dissatisfied"]  // codes 1, 2, 3; 0 not rated
        let tally: [String: [Int: Int]]
        if let rolledUp = try await rolledUpSatisfaction(context) {
            tally = rolledUp
        } else if context.straight {
            tally = try await read { db in
                try Self.tally(
                    db, context,
                    sql: """
                        SELECT \(context.group("returned_at")) AS g,
                                \(Self.ratingCodeSQL)
                        FROM ticket t WHERE t.returned_at >= :start AND t.returned_at < :end\(context.request.filter.sql)
                        """,
                    arguments: context.arguments)
            }
        } else {
            // Two halves of the covering `ticket_returned`, each rating told by its bytes in place.
            let counts = try await halves(context, now: now) { db, half, arguments in
                var counts = CountTally(["notRated"] + ratings)
                var labels = GroupLabels(context)
                try forEachRow(db, sql: Self.returnedRatingsSQL(context, bound: half.bound("t.returned_at")), arguments: arguments) { row in
                    let rating = RawColumn(row, 1)
                    let code = rating.is("very-satisfied") ? 1 : rating.is("satisfied") ? 2 : rating.is("dissatisfied") ? 3 : 0
                    counts.add(counts.group(of: row, &labels), 1, at: code)
                }
                return counts
            } merge: {
                $0.merged($1)
            }
            tally = Dictionary(
                uniqueKeysWithValues: counts.rows.map { row in
                    (
                        row["g"] as String,
                        Dictionary(uniqueKeysWithValues: (["notRated"] + ratings).enumerated().map { ($0, row[$1] as Int) })
                    )
                })
        }
        let rows = tally.keys.sorted().map { group -> [String: ReportValue] in
            let counts = tally[group]!
            let rated = (1...3).reduce(0) { $0 + (counts[$1] ?? 0) }
            var values: [String: ReportValue] = [
                "group": .text(group), "returned": .int(counts.values.reduce(0, +)), "rated": .int(rated),
            ]
            for (index, key) in ratings.enumerated() {
                values[key] = .int(counts[index + 1] ?? 0)
                values[key + "Share"] = Self.share(counts[index + 1] ?? 0, rated)
            }
            return values
        }
        return context.table(
            "satisfaction",
            [
                "group", "returned", "rated", "verySatisfied", "satisfied", "dissatisfied", "verySatisfiedShare", "satisfiedShare",
                "dissatisfiedShare",
            ], rows)
    }

    // MARK: staffing

    /// Tickets handled: resolved in the period by the person holding them, per person or per
    /// employment category. The tickets resolved per holder are counted in two halves at once
    /// (`halves`, a range scan of the covering `ticket_handling`) and grouped in Swift with the
    /// staff's categories: SQLite's GROUP BY with `count(DISTINCT holder)` sorted every row.
    func staffing(_ context: ReportContext, now: Date) async throws -> ReportTable {
        if context.request.groupBy == .hour { return try await countersNeeded(context, now: now) }
        if context.straight { return try await read { db in try Self.staffingStraight(db, context) } }
        let resolved = try await halves(context, now: now) { db, half, arguments in
            // Each holder counted by the bytes of its name in place (a string made per holder, not per row).
            var holders = TicketCodes<Int>()
            var nobody = 0
            try forEachRow(
                db,
                sql: """
                    SELECT t.holder FROM ticket t
                    WHERE t.resolved_at >= :start AND t.resolved_at < :end\(half.bound("t.resolved_at"))\(context.request.filter.sql)
                    """,
                arguments: arguments
            ) { row in
                let holder = RawColumn(row, 0)
                if holder.isNull { nobody += 1 } else { holders.update(holder, initial: 0) { $0 += 1 } }
            }
            var counts: [String?: Int] = nobody == 0 ? [:] : [nil: nobody]
            for (holder, count) in holders.entries { counts[holder] = count }
            return counts
        } merge: {
            $0.merging($1, uniquingKeysWith: +)
        }
        let employment = try await read { db in
            Dictionary(
                try Row.fetchAll(db, sql: "SELECT username, employment FROM staff WHERE employment IS NOT NULL").map {
                    ($0[0] as String, $0[1] as String)
                },
                uniquingKeysWith: { first, _ in first })
        }
        // Per group: tickets, the distinct holders, and the category (the least, as SQL's min).
        var groups: [String: (resolved: Int, people: Set<String>, category: String?)] = [:]
        for (holder, count) in resolved {
            let category = holder.flatMap { employment[$0] }
            let key = context.request.groupBy == .employment ? category ?? "-" : holder ?? "-"
            var group = groups[key] ?? (0, [], nil)
            group.resolved += count
            if let holder { group.people.insert(holder) }
            if let category, group.category.map({ category.utf8.lexicographicallyPrecedes($0.utf8) }) ?? true { group.category = category }
            groups[key] = group
        }
        let rows = groups.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { key in
            let group = groups[key]!
            return Self.staffingRow(context, group: key, resolved: group.resolved, people: group.people.count, employment: group.category)
        }
        return context.table("staffing", ["group", "category", "resolved", "people"], rows)
    }

    /// One row of staffing by person or category: the category in the headcount wording of the mode.
    static func staffingRow(_ context: ReportContext, group: String, resolved: Int, people: Int, employment: String?) -> [String:
        ReportValue]
    {
        var values: [String: ReportValue] = ["group": .text(group), "resolved": .int(resolved), "people": .int(people)]
        // The employment category of the group — the category itself, or a person's — in the
        // headcount wording of the mode (SPEC §1) for the mode's own category.
        let own: Employment = context.mode == .administrativeBody ? .civilServant : .publicEmployee
        let category: String? =
            switch context.request.groupBy {
            case .employment: group
            case .staff: employment
            default: nil
            }
        values["category"] = category.map { .text($0 == own.rawValue ? context.mode.headcountWording : $0) } ?? .null
        return values
    }

    /// The straight path of staffing by person or category, in SQL (the reference of the tests).
    static func staffingStraight(_ db: any SQLSession, _ context: ReportContext) throws -> ReportTable {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT \(context.group("resolved_at")) AS g, count(*) AS resolved, count(DISTINCT t.holder) AS people,
                    min(s.employment) AS employment
                FROM ticket t LEFT JOIN staff s ON s.username = t.holder
                WHERE t.resolved_at >= :start AND t.resolved_at < :end\(context.request.filter.sql) GROUP BY g ORDER BY g
                """,
            arguments: context.arguments
        ).map { row in
            staffingRow(context, group: row["g"], resolved: row["resolved"], people: row["people"], employment: row["employment"])
        }
        return context.table("staffing", ["group", "category", "resolved", "people"], rows)
    }

    /// Counters needed per hour of the day to call `targetShare` of citizens within the target
    /// wait, by Erlang C, from the measured arrivals (numbers issued per hour, averaged over the
    /// days of the period that issued any) and the measured mean service time (called → finished).
    /// Off the straight path the numbers come from the covering `queue_number_report` in two
    /// halves at once, read in place, the days told apart by their runs (the index gives the
    /// numbers in the order issued).
    func countersNeeded(_ context: ReportContext, now: Date) async throws -> ReportTable {
        if context.straight { return try await read { db in try Self.countersNeededStraight(db, context) } }
        let (days, hours) = try await halves(context, now: now) { db, half, arguments in
            var days = Set<String>()
            var day = RawText()
            var hours = CountTally(["issued", "served", "serviceSeconds"])
            var labels = GroupLabels(context)
            try forEachRow(
                db,
                sql: """
                    SELECT \(context.groupKey("issued_at", alias: "q")) AS g, q.day,
                        CASE WHEN q.state = 'served' THEN q.finished_at - q.called_at END
                    FROM queue_number q
                    WHERE q.issued_at >= :start AND q.issued_at < :end AND q.transferred_from IS NULL\(half.bound("q.issued_at"))
                    """,
                arguments: arguments
            ) { row in
                let hour = hours.group(of: row, &labels)
                if day.replace(with: RawColumn(row, 1)), let text = RawColumn(row, 1).text { days.insert(text) }
                hours.add(hour, 1, at: 0)
                if let seconds = RawColumn(row, 2).integer {
                    hours.add(hour, 1, at: 1)
                    try hours.sum(hour, seconds, at: 2)
                }
            }
            return (days, hours)
        } merge: { first, second in
            (first.0.union(second.0), try first.1.summed(second.1))
        }
        let rows = hours.rows.map { row in
            (hour: row["g"] as String, issued: row["issued"] as Int, served: row["served"] as Int, seconds: row["serviceSeconds"] as Int)
        }
        return Self.countersTable(context, days: days.count, rows)
    }

    /// The straight path: the days and the hours counted by SQLite.
    static func countersNeededStraight(_ db: any SQLSession, _ context: ReportContext) throws -> ReportTable {
        let days =
            try Int.fetchOne(
                db,
                sql:
                    "SELECT count(DISTINCT q.day) FROM queue_number q WHERE q.issued_at >= :start AND q.issued_at < :end AND q.transferred_from IS NULL",
                arguments: context.arguments) ?? 0
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT \(context.group("issued_at", alias: "q")) AS g, count(*) AS issued,
                    count(CASE WHEN q.state = 'served' THEN q.finished_at - q.called_at END) AS served,
                    coalesce(sum(CASE WHEN q.state = 'served' THEN q.finished_at - q.called_at END), 0) AS seconds
                FROM queue_number q WHERE q.issued_at >= :start AND q.issued_at < :end AND q.transferred_from IS NULL GROUP BY g ORDER BY g
                """,
            arguments: context.arguments
        ).map { row in
            (hour: row["g"] as String, issued: row["issued"] as Int, served: row["served"] as Int, seconds: row["seconds"] as Int)
        }
        return countersTable(context, days: days, rows)
    }

    /// The staffing table by hour from the days that issued numbers and, per hour, the numbers
    /// issued and the seconds of service of those served: the mean service from the exact sum.
    static func countersTable(
        _ context: ReportContext, days: Int, _ hours: [(hour: String, issued: Int, served: Int, seconds: Int)]
    ) -> ReportTable {
        let rows = hours.map { hour -> [String: ReportValue] in
            let arrivals = Double(hour.issued) / Double(max(days, 1))
            let service = max(hour.served == 0 ? 0 : Double(hour.seconds) / 60 / Double(hour.served), 0.1)
            let needed = ErlangC.countersNeeded(
                arrivalsPerHour: arrivals, serviceMinutes: service, targetMinutes: Double(context.request.targetWaitMinutes),
                share: context.request.targetShare)
            return [
                "group": .text(hour.hour), "arrivalsPerHour": .number(arrivals), "meanServiceMinutes": .number(service),
                "trafficErlangs": .number(arrivals / 60 * service), "countersNeeded": .int(needed),
                "expectedWithinTarget": .number(
                    ErlangC.serviceLevel(
                        traffic: arrivals / 60 * service, counters: needed, serviceMinutes: service,
                        targetMinutes: Double(context.request.targetWaitMinutes))),
            ]
        }
        return context.table(
            "staffing", ["group", "arrivalsPerHour", "meanServiceMinutes", "trafficErlangs", "countersNeeded", "expectedWithinTarget"], rows
        )
    }

    // MARK: revenue

    /// Off the straight path the day rollups answer what they can (`rolledUpRevenue`, migration
    /// 0033: all of a period whose payments all came before its end), and the rest of the period
    /// is read in two halves, each the tickets with charges from the covering index
    /// `ticket_revenue` joined to their payments by the period's end (`revenueJoinSQL`: one seek
    /// of `payment_ticket` per ticket instead of three sums), summed in Swift (`revenueTally`);
    /// when no payment at all was recorded before the end, without the join.
    /// `ReportScanTests.agreement` and `ReportRollupTests.agreement` hold every way equal to the
    /// straight path's three sums in SQL.
    func revenue(_ context: ReportContext, now: Date) async throws -> ReportTable {
        if context.straight {
            return try Self.revenueTable(
                context, try await read { db in try Self.revenueSums(db, context) })
        }
        var rolled = CountTally(["tickets"] + Self.revenueNames)
        var rest = context
        if let (tally, rowsFrom) = try await rolledUpRevenue(context) {
            rolled = tally
            rest.start = rowsFrom
        }
        let tally =
            rest.start >= rest.end
            ? rolled
            : try rolled.summed(
                try await halves(rest, now: now) { [rest] db, half, arguments in
                    let payments = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM payment WHERE at < ?)", arguments: [rest.end])
                    return try Self.revenueTally(
                        db, rest, payments: payments ?? true, bound: half.bound("t.accepted_at"), arguments: arguments)
                } merge: {
                    try $0.summed($1)
                })
        let groups = Dictionary(
            uniqueKeysWithValues: tally.rows.map { row in
                (row["g"] as String, (tickets: row["tickets"] as Int, sums: Self.revenueNames.map { row[$0] as Int }))
            })
        return try Self.revenueTable(context, groups)
    }

    /// Sums with a check: the amounts are bounded at write, but a sum over years need not fit.
    static func plus(_ a: Int, _ b: Int) throws -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard !overflow else {
            throw DeskError.conflict("the revenue of this group exceeds what a report can sum; report a shorter period")
        }
        return sum
    }

    static let revenueNames = ["lePhi", "phi", "servicePrice", "retained", "collected", "collectedOnline", "exempted"]

    /// The straight path's query: the tickets with charges of the period by the covering partial
    /// index `ticket_revenue` (migration 0025), each ticket's payments summed by three subqueries.
    static func revenueSQL(_ context: ReportContext) -> String {
        """
        SELECT \(context.groupKey("accepted_at")) AS g, t.charge_le_phi, t.charge_phi, t.charge_service_price, t.charge_retained,
            (SELECT coalesce(sum(p.amount), 0) FROM payment p WHERE p.ticket = t.code AND p.kind = 'paid' AND p.at < :end),
            (SELECT coalesce(sum(p.amount), 0) FROM payment p WHERE p.ticket = t.code AND p.kind = 'paid' AND p.method = 'online'
                AND p.at < :end),
            (SELECT coalesce(sum(p.amount), 0) FROM payment p WHERE p.ticket = t.code AND p.kind = 'exempt' AND p.at < :end)
        FROM ticket t INDEXED BY ticket_revenue
        WHERE t.charge_lines > 0 AND t.accepted_at >= :start AND t.accepted_at < :end\(context.request.filter.sql)
        """
    }

    /// The tickets with charges of the period (columns 1–4 their charges; with `payments`, 5 the
    /// code), each with its payments by the period's end (6–8: kind, method, amount; NULLs
    /// for a ticket without), one row per payment: SQLite seeks `payment_ticket` once per ticket.
    static func revenueJoinSQL(_ context: ReportContext, bound: String = "", payments: Bool = true) -> String {
        """
        SELECT \(context.groupKey("accepted_at")) AS g, t.charge_le_phi, t.charge_phi, t.charge_service_price, t.charge_retained,
            \(payments ? "t.code, p.kind, p.method, p.amount" : "NULL")
        FROM ticket t INDEXED BY ticket_revenue\(payments ? " LEFT JOIN payment p ON p.ticket = t.code AND p.at < :end" : "")
        WHERE t.charge_lines > 0 AND t.accepted_at >= :start AND t.accepted_at < :end\(bound)\(context.request.filter.sql)
        """
    }

    /// Per group the tickets and `revenueNames`' sums (indexes 1–7 of the tally) from
    /// `revenueJoinSQL`'s rows: a ticket's charges counted on its first row (its rows come
    /// together), each payment on its own; without `payments`, a row per ticket and no payment.
    static func revenueTally(
        _ db: any SQLSession, _ context: ReportContext, payments: Bool, bound: String, arguments: SQLArguments
    ) throws -> CountTally {
        var tally = CountTally(["tickets"] + revenueNames)
        var labels = GroupLabels(context)
        var ticket = RawText()
        try forEachRow(db, sql: revenueJoinSQL(context, bound: bound, payments: payments), arguments: arguments) { row in
            let slot = tally.group(of: row, &labels)
            if !payments || ticket.replace(with: RawColumn(row, 5)) {
                tally.add(slot, 1, at: 0)
                for column in Int32(1)...4 { try tally.sum(slot, RawColumn(row, column).integer ?? 0, at: Int(column)) }
            }
            guard payments else { return }
            let (kind, amount) = (RawColumn(row, 6), RawColumn(row, 8).integer ?? 0)
            if kind.is("paid") {
                try tally.sum(slot, amount, at: 5)
                if RawColumn(row, 7).is("online") { try tally.sum(slot, amount, at: 6) }
            } else if kind.is("exempt") {
                try tally.sum(slot, amount, at: 7)
            }
        }
        return tally
    }

    /// The straight path: the payments of each ticket summed by three subqueries.
    static func revenueSums(_ db: any SQLSession, _ context: ReportContext) throws -> [String: (tickets: Int, sums: [Int])] {
        // The charge lines at intake are totalled on the ticket (migration 0006); the covering
        // index holds only tickets with charges. Summed per group in Swift, as for progress.
        // What was paid or exempted on them by the period's end comes from the payments
        // (migration 0019).
        let names = revenueNames
        var groups: [String: (tickets: Int, sums: [Int])] = [:]
        let cursor = try Row.fetchCursor(db, sql: revenueSQL(context), arguments: context.arguments)
        var labels = GroupLabels(context)
        while let row = try cursor.next() {
            let key = labels.label(row)
            var group = groups[key] ?? (0, Array(repeating: 0, count: names.count))
            group.tickets += 1
            for index in names.indices { group.sums[index] = try plus(group.sums[index], row[index + 1]) }
            groups[key] = group
        }
        return groups
    }

    static func revenueTable(_ context: ReportContext, _ groups: [String: (tickets: Int, sums: [Int])]) throws -> ReportTable {
        let names = revenueNames
        let rows = try groups.keys.sorted().map { key -> [String: ReportValue] in
            let group = groups[key]!
            var values: [String: ReportValue] = ["group": .text(key), "tickets": .int(group.tickets)]
            for (index, name) in names.enumerated() { values[name] = .int(group.sums[index]) }
            let (lePhi, phi, servicePrice, retained) = (group.sums[0], group.sums[1], group.sums[2], group.sums[3])
            let billed = try plus(try plus(lePhi, phi), servicePrice)
            values["billed"] = .int(billed)
            values["toBudget"] = .int(billed - retained)
            values["outstanding"] = .int(billed - group.sums[4] - group.sums[6])
            return values
        }
        return context.table(
            "revenue",
            [
                "group", "tickets", "lePhi", "phi", "servicePrice", "toBudget", "retained", "billed", "collected", "collectedOnline",
                "exempted",
                "outstanding",
            ], rows)
    }
}
