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

    public init(
        period: ReportPeriod?, groupBy: ReportGrouping = .none, filter: ReportFilter = ReportFilter(), targetWaitMinutes: Int = 15,
        targetShare: Double = 0.8
    ) {
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
    }

    /// What every report function gets: the SQL of the grouping, the period's instants, the filter.
    struct ReportContext {
        var request: ReportRequest
        var start: Int64
        var end: Int64
        var offset: Int
        var mode: OrganisationalMode

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
            }
        }

        var arguments: StatementArguments {
            var values: [String: (any DatabaseValueConvertible)?] = ["start": start, "end": end]
            values.merge(request.filter.arguments) { first, _ in first }
            return StatementArguments(values)
        }

        var table: (String, [String], [[String: ReportValue]]) -> ReportTable {
            { name, columns, rows in
                ReportTable(report: name, period: request.period, groupBy: request.groupBy.rawValue, columns: columns, rows: rows)
            }
        }
    }

    public func report(_ name: ReportName, _ request: ReportRequest) async throws -> ReportTable {
        let now = clock()
        return try await read { db in
            let (centre, time) = try self.workingTime(db)
            if name != .backlog && request.period == nil {
                throw DeskError.validation([FieldError("period", "is required: period, or from and to")])
            }
            let ticketGroupings: Set<ReportGrouping> = [.none, .department, .service, .channel, .staff, .day, .week, .month, .quarter]
            let allowed: Set<ReportGrouping> =
                switch name {
                case .waiting: [.none, .service, .counter, .hour, .day, .week, .month, .quarter]
                case .staffing: [.hour, .staff, .employment]
                case .backlog: [.none, .department, .service, .channel]
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
                offset: time.clock.timeZone.secondsFromGMT(for: now), mode: centre.mode)
            switch name {
            case .handlingTimes: return try Self.handlingTimes(db, context)
            case .progress: return try Self.progress(db, context)
            case .backlog: return try Self.backlog(db, context, now: now, time: time)
            case .waiting: return try Self.waiting(db, context)
            case .satisfaction: return try Self.satisfaction(db, context)
            case .staffing: return try Self.staffing(db, context)
            case .revenue: return try Self.revenue(db, context)
            }
        }
    }

    static func counts(_ row: Row, _ keys: [String], into values: inout [String: ReportValue]) {
        for key in keys { values[key] = .int((row[key] as Int?) ?? 0) }
    }

    static func share(_ part: Int, _ whole: Int) -> ReportValue { whole == 0 ? .null : .number(Double(part) / Double(whole)) }

    static func value(_ number: Int?) -> ReportValue { number.map(ReportValue.int) ?? .null }

    // MARK: handling-times

    static func handlingTimes(_ db: Database, _ context: ReportContext) throws -> ReportTable {
        var working: [String: [Int]] = [:]
        var calendar: [String: [Int]] = [:]
        var paused: [String: Int] = [:]
        // Sorted by the duration in SQL (index on handling_working_minutes); ranks picked in Swift.
        let cursor = try Row.fetchCursor(
            db,
            sql: """
                SELECT \(context.group("resolved_at")) AS g, handling_working_minutes AS w, handling_calendar_minutes AS c, paused_minutes AS p
                FROM ticket t WHERE resolved_at >= :start AND resolved_at < :end AND handling_working_minutes IS NOT NULL\(context.request.filter.sql)
                """,
            arguments: context.arguments)
        // Columns by position: at a million rows, by-name lookups (case-insensitive) cost seconds.
        while let row = try cursor.next() {
            let key: String = row[0]
            working[key, default: []].append(row[1])
            calendar[key, default: []].append(row[2])
            paused[key, default: 0] += row[3]
        }
        // Per route step: minutes queued (entered → claimed) and worked (claimed → left), calendar time,
        // for the steps of the tickets resolved in the period, grouped by the step's department.
        var queued: [String: [Int]] = [:]
        var worked: [String: [Int]] = [:]
        if [.none, .department].contains(context.request.groupBy) {
            // A range scan of the steps of the tickets resolved in the period (their resolution moment
            // is copied onto them); the ticket is joined only when a filter needs its columns.
            let join = context.request.filter.sql.isEmpty ? "" : " JOIN ticket t ON t.code = st.ticket"
            let steps = try Row.fetchCursor(
                db,
                sql: """
                    SELECT st.department, (coalesce(st.claimed_at, st.left_at) - st.entered_at) / 60, (st.left_at - st.claimed_at) / 60
                    FROM ticket_step st\(join)
                    WHERE st.ticket_resolved_at >= :start AND st.ticket_resolved_at < :end AND st.left_at IS NOT NULL\(context.request.filter.sql)
                    """,
                arguments: context.arguments)
            while let row = try steps.next() {
                let department: String = row[0]
                if let minutes = row[1] as Int? { queued[department, default: []].append(max(0, minutes)) }
                if let minutes = row[2] as Int? { worked[department, default: []].append(max(0, minutes)) }
            }
        }
        let columns = [
            "group", "resolved", "workingMedian", "workingP90", "workingP95", "workingMax", "calendarMedian", "calendarP90", "calendarP95",
            "calendarMax", "pausedWorkingMinutes", "stepQueueMedian", "stepWorkMedian",
        ]
        let ranks: [Double] = [50, 90, 95, 100]
        let rows: [[String: ReportValue]] = working.keys.sorted().map { key in
            let count = working[key]!.count
            let w = Percentile.select(&working[key]!, ranks).map(value)
            let c = Percentile.select(&calendar[key]!, ranks).map(value)
            var row: [String: ReportValue] = [
                "group": .text(key), "resolved": .int(count), "workingMedian": w[0], "workingP90": w[1], "workingP95": w[2],
                "workingMax": w[3], "calendarMedian": c[0], "calendarP90": c[1], "calendarP95": c[2], "calendarMax": c[3],
                "pausedWorkingMinutes": .int(paused[key] ?? 0),
            ]
            // The step split is by department: shown on department rows (or for all steps without grouping).
            let stepKeys = context.request.groupBy == .department ? [key] : context.request.groupBy == .none ? Array(queued.keys) : []
            var q = stepKeys.count == 1 ? queued[key] ?? [] : stepKeys.flatMap { queued[$0] ?? [] }
            var k = stepKeys.count == 1 ? worked[key] ?? [] : stepKeys.flatMap { worked[$0] ?? [] }
            row["stepQueueMedian"] = value(Percentile.select(&q, [50])[0])
            row["stepWorkMedian"] = value(Percentile.select(&k, [50])[0])
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
    static func progress(_ db: Database, _ context: ReportContext) throws -> ReportTable {
        let sql = """
            SELECT \(context.group("accepted_at")) AS g,
                (CASE WHEN t.accepted_at >= :start THEN (CASE t.channel WHEN 'counter' THEN 1 WHEN 'post' THEN 3 WHEN 'hotline' THEN 4
                    WHEN 'web' THEN 2 WHEN 'mobile' THEN 2 WHEN 'open311' THEN 2 WHEN 'email' THEN 2 ELSE 5 END) ELSE 6 END)
                + 8 * (CASE WHEN t.resolved_at >= :start AND t.resolved_at < :end THEN (CASE t.timeliness WHEN 'early' THEN 1
                    WHEN 'on-time' THEN 2 WHEN 'late' THEN (CASE WHEN t.apologised_at IS NULL THEN 3 ELSE 4 END) ELSE 5 END) ELSE 0 END)
                + 64 * (CASE WHEN (t.resolved_at IS NULL OR t.resolved_at >= :end) AND (t.closed_at IS NULL OR t.closed_at >= :end)
                    THEN 1 + (CASE WHEN t.due_at >= :end THEN 1 WHEN t.due_at < :end THEN 2 ELSE 0 END)
                    + (CASE WHEN t.state = 'awaiting-citizen' THEN 4 ELSE 0 END) ELSE 0 END)
                + 1024 * (t.state = 'withdrawn' AND t.closed_at >= :start AND t.closed_at < :end)
            FROM ticket t
            WHERE t.accepted_at IS NOT NULL AND t.accepted_at < :end
                AND (t.resolved_at IS NULL OR t.resolved_at >= :start) AND (t.closed_at IS NULL OR t.closed_at >= :start)\(context.request.filter.sql)
            """
        var tally: [String: [Int: Int]] = [:]
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: context.arguments)
        while let row = try cursor.next() {
            tally[row[0], default: [:]][row[1], default: 0] += 1
        }
        let keys = [
            "received", "receivedCounter", "receivedOnline", "receivedPost", "receivedHotline", "carriedOver", "resolved", "early",
            "onTime", "late",
            "lateWithApology", "openWithinTime", "openOverdue", "waitingOnCitizen", "withdrawn",
        ]
        let rows = tally.keys.sorted().map { group -> [String: ReportValue] in
            var counts = Dictionary(uniqueKeysWithValues: keys.map { ($0, 0) })
            for (code, count) in tally[group]! {
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

    static func backlog(_ db: Database, _ context: ReportContext, now: Date, time: WorkingTime) throws -> ReportTable {
        let group = context.request.groupBy == .none ? "coalesce(t.department, '-')" : context.group("accepted_at")
        var arguments = context.arguments
        arguments += [
            "now": now.storedSeconds, "day": 86_400, "risk": time.walk(minutes: atRiskWorkingMinutes, from: now).due.storedSeconds,
        ]
        let age = "(:now - coalesce(t.accepted_at, t.received_at))"
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT \(group) AS g, count(*) AS open,
                    sum(\(age) < 3 * :day) AS age0to2, sum(\(age) >= 3 * :day AND \(age) < 8 * :day) AS age3to7,
                    sum(\(age) >= 8 * :day AND \(age) < 31 * :day) AS age8to30, sum(\(age) >= 31 * :day) AS ageOver30,
                    sum(t.due_at >= :now AND t.due_at <= :risk) AS atRisk, sum(t.due_at < :now) AS overdue,
                    min(coalesce(t.accepted_at, t.received_at)) AS oldest
                FROM ticket t WHERE t.state IN ('queued', 'in-progress', 'awaiting-citizen')\(context.request.filter.sql)
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

    static func waiting(_ db: Database, _ context: ReportContext) throws -> ReportTable {
        struct Durations {
            var issued = 0
            var called = 0
            var withinTarget = 0
            var noShows = 0
            var waits: [Int] = []
            var services: [Int] = []
            var journeyWaits: [Int] = []
            var journeyHandling: [Int] = []
        }
        var groups: [String: Durations] = [:]
        let target = Int64(context.request.targetWaitMinutes * 60)
        var arguments = context.arguments
        arguments += ["target": target]
        let serviceFilter = context.request.filter.service == nil ? "" : " AND q.service = :fService"
        let cursor = try Row.fetchCursor(
            db,
            sql: """
                SELECT CAST(\(context.group("issued_at", alias: "q")) AS TEXT) AS g,
                    CASE q.state WHEN 'served' THEN 1 WHEN 'no-show' THEN 2 ELSE 0 END, q.called_at - q.issued_at AS wait,
                    q.finished_at - q.called_at AS service, t.handling_working_minutes AS handling
                FROM queue_number q LEFT JOIN ticket t ON t.code = q.ticket
                WHERE q.issued_at >= :start AND q.issued_at < :end AND q.state <> 'transferred'\(serviceFilter)
                """,
            arguments: arguments)
        // Columns by position (see handling-times); the state as a number computed in SQL.
        while let row = try cursor.next() {
            let key: String = row[0]
            var entry = groups[key] ?? Durations()
            entry.issued += 1
            if let wait = row[2] as Int? {
                entry.called += 1
                entry.waits.append(wait / 60)
                if Int64(wait) <= target { entry.withinTarget += 1 }
                if let handling = row[4] as Int? {
                    entry.journeyWaits.append(wait / 60)
                    entry.journeyHandling.append(handling)
                }
            }
            let state: Int = row[1]
            if state == 1, let service = row[3] as Int? { entry.services.append(service / 60) }
            if state == 2 { entry.noShows += 1 }
            groups[key] = entry
        }
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

    static func satisfaction(_ db: Database, _ context: ReportContext) throws -> ReportTable {
        let ratings = ["verySatisfied": "very-satisfied", "satisfied": "satisfied", "dissatisfied": "dissatisfied"]
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT \(context.group("returned_at")) AS g, count(*) AS returned, count(t.rating) AS rated,
                    sum(t.rating = 'very-satisfied') AS verySatisfied, sum(t.rating = 'satisfied') AS satisfied,
                    sum(t.rating = 'dissatisfied') AS dissatisfied
                FROM ticket t WHERE t.returned_at >= :start AND t.returned_at < :end\(context.request.filter.sql) GROUP BY g ORDER BY g
                """,
            arguments: context.arguments
        ).map { row -> [String: ReportValue] in
            var values: [String: ReportValue] = ["group": .text(row["g"])]
            counts(row, ["returned", "rated"] + ratings.keys.sorted(), into: &values)
            for key in ratings.keys { values[key + "Share"] = share((row[key] as Int?) ?? 0, (row["rated"] as Int?) ?? 0) }
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

    static func staffing(_ db: Database, _ context: ReportContext) throws -> ReportTable {
        if context.request.groupBy == .hour { return try countersNeeded(db, context) }
        // Tickets handled: resolved in the period by the person holding them.
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT \(context.group("resolved_at")) AS g, count(*) AS resolved, count(DISTINCT t.holder) AS people
                FROM ticket t LEFT JOIN staff s ON s.username = t.holder
                WHERE t.resolved_at >= :start AND t.resolved_at < :end\(context.request.filter.sql) GROUP BY g ORDER BY g
                """,
            arguments: context.arguments
        ).map { row -> [String: ReportValue] in
            let group: String = row["g"]
            var values: [String: ReportValue] = ["group": .text(group)]
            counts(row, ["resolved", "people"], into: &values)
            // The headcount wording of the mode (SPEC §1) for the mode's own category.
            let own: Employment = context.mode == .administrativeBody ? .civilServant : .publicEmployee
            values["category"] = .text(group == own.rawValue ? context.mode.headcountWording : group)
            return values
        }
        return context.table("staffing", ["group", "category", "resolved", "people"], rows)
    }

    /// Counters needed per hour of the day to call `targetShare` of citizens within the target
    /// wait, by Erlang C, from the measured arrivals (numbers issued per hour, averaged over the
    /// days of the period that issued any) and the measured mean service time (called → finished).
    static func countersNeeded(_ db: Database, _ context: ReportContext) throws -> ReportTable {
        let hour = context.group("issued_at", alias: "q")
        let days = max(
            1,
            try Int.fetchOne(
                db,
                sql:
                    "SELECT count(DISTINCT q.day) FROM queue_number q WHERE q.issued_at >= :start AND q.issued_at < :end AND q.transferred_from IS NULL",
                arguments: context.arguments) ?? 0)
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT \(hour) AS g, count(*) AS issued,
                    avg(CASE WHEN q.state = 'served' THEN (q.finished_at - q.called_at) / 60.0 END) AS serviceMinutes
                FROM queue_number q WHERE q.issued_at >= :start AND q.issued_at < :end AND q.transferred_from IS NULL GROUP BY g ORDER BY g
                """,
            arguments: context.arguments
        ).map { row -> [String: ReportValue] in
            let arrivals = Double((row["issued"] as Int?) ?? 0) / Double(days)
            let service = max((row["serviceMinutes"] as Double?) ?? 0, 0.1)
            let needed = ErlangC.countersNeeded(
                arrivalsPerHour: arrivals, serviceMinutes: service, targetMinutes: Double(context.request.targetWaitMinutes),
                share: context.request.targetShare)
            return [
                "group": .text(row["g"]), "arrivalsPerHour": .number(arrivals), "meanServiceMinutes": .number(service),
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

    static func revenue(_ db: Database, _ context: ReportContext) throws -> ReportTable {
        // The charge lines at intake are totalled on the ticket (migration 0006); the covering
        // index holds only tickets with charges. Summed per group in Swift, as for progress.
        struct Totals {
            var tickets = 0
            var lePhi = 0
            var phi = 0
            var servicePrice = 0
            var retained = 0
        }
        var groups: [String: Totals] = [:]
        let cursor = try Row.fetchCursor(
            db,
            sql: """
                SELECT \(context.group("accepted_at")) AS g, t.charge_le_phi, t.charge_phi, t.charge_service_price, t.charge_retained
                FROM ticket t INDEXED BY ticket_revenue
                WHERE t.charge_lines > 0 AND t.accepted_at >= :start AND t.accepted_at < :end\(context.request.filter.sql)
                """,
            arguments: context.arguments)
        while let row = try cursor.next() {
            let key: String = row[0]
            var totals = groups[key] ?? Totals()
            totals.tickets += 1
            totals.lePhi += row[1] as Int
            totals.phi += row[2] as Int
            totals.servicePrice += row[3] as Int
            totals.retained += row[4] as Int
            groups[key] = totals
        }
        let rows = groups.keys.sorted().map { key -> [String: ReportValue] in
            let totals = groups[key]!
            let all = totals.lePhi + totals.phi + totals.servicePrice
            return [
                "group": .text(key), "tickets": .int(totals.tickets), "lePhi": .int(totals.lePhi), "phi": .int(totals.phi),
                "servicePrice": .int(totals.servicePrice), "toBudget": .int(all - totals.retained), "retained": .int(totals.retained),
            ]
        }
        return context.table("revenue", ["group", "tickets", "lePhi", "phi", "servicePrice", "toBudget", "retained"], rows)
    }
}
