import Foundation
import GRDB

/// The reports of SPEC §6, computed in SQL over the stored tickets (counts and sums in SQL;
/// percentiles from durations streamed in order, picked by rank in Swift).
extension AppDatabase {
    public enum ReportName: String, CaseIterable, Sendable {
        case handlingTimes = "handling-times"
        case progress, backlog, satisfaction, revenue
    }

    public func report(_ name: ReportName, period: ReportPeriod?, groupBy: ReportGrouping) async throws -> ReportTable {
        let now = clock()
        return try await read { db in
            let (centre, time) = try self.workingTime(db)
            let offset = time.clock.timeZone.secondsFromGMT(for: now)
            _ = centre
            func group(_ timeColumn: String) -> String {
                switch groupBy {
                case .none: "'all'"
                case .department: "coalesce(t.department, '-')"
                case .service: "t.service"
                case .channel: "t.channel"
                case .month: "strftime('%Y-%m', t.\(timeColumn) + \(offset), 'unixepoch')"
                }
            }
            guard name == .backlog || period != nil else {
                throw DeskError.validation([FieldError("period", "is required: period, or from and to")])
            }
            let range = period.map { $0.instants(time.clock) }
            let start = range?.start.storedSeconds ?? 0
            let end = range?.end.storedSeconds ?? 0
            switch name {
            case .handlingTimes:
                return try Self.handlingTimes(db, group: group("resolved_at"), start: start, end: end, period: period!, groupBy: groupBy)
            case .progress:
                return try Self.progress(db, group: group("accepted_at"), start: start, end: end, period: period!, groupBy: groupBy)
            case .backlog: return try Self.backlog(db, now: now, time: time)
            case .satisfaction:
                return try Self.satisfaction(db, group: group("returned_at"), start: start, end: end, period: period!, groupBy: groupBy)
            case .revenue:
                return try Self.revenue(db, group: group("accepted_at"), start: start, end: end, period: period!, groupBy: groupBy)
            }
        }
    }

    static func handlingTimes(_ db: Database, group: String, start: Int64, end: Int64, period: ReportPeriod, groupBy: ReportGrouping) throws
        -> ReportTable
    {
        var working: [String: [Int]] = [:]
        var calendar: [String: [Int]] = [:]
        var paused: [String: Int] = [:]
        let cursor = try Row.fetchCursor(
            db,
            sql: """
                SELECT \(group) AS g, handling_working_minutes AS w, handling_calendar_minutes AS c, paused_minutes AS p FROM ticket t
                WHERE resolved_at >= ? AND resolved_at < ? AND handling_working_minutes IS NOT NULL
                """,
            arguments: [start, end])
        while let row = try cursor.next() {
            let key: String = row["g"]
            working[key, default: []].append(row["w"])
            calendar[key, default: []].append(row["c"])
            paused[key, default: 0] += row["p"]
        }
        let columns = [
            "group", "resolved", "workingMedian", "workingP90", "workingP95", "workingMax", "calendarMedian", "calendarP90", "calendarP95",
            "calendarMax", "pausedWorkingMinutes",
        ]
        let rows: [[String: ReportValue]] = working.keys.sorted().map { key in
            let w = working[key]!.sorted()
            let c = calendar[key]!.sorted()
            func value(_ number: Int?) -> ReportValue { number.map(ReportValue.int) ?? .null }
            return [
                "group": .text(key), "resolved": .int(w.count),
                "workingMedian": value(Percentile.of(w, 50)), "workingP90": value(Percentile.of(w, 90)),
                "workingP95": value(Percentile.of(w, 95)),
                "workingMax": value(w.last), "calendarMedian": value(Percentile.of(c, 50)), "calendarP90": value(Percentile.of(c, 90)),
                "calendarP95": value(Percentile.of(c, 95)), "calendarMax": value(c.last), "pausedWorkingMinutes": .int(paused[key] ?? 0),
            ]
        }
        return ReportTable(report: "handling-times", period: period, groupBy: groupBy.rawValue, columns: columns, rows: rows)
    }

    static func progress(_ db: Database, group: String, start: Int64, end: Int64, period: ReportPeriod, groupBy: ReportGrouping) throws
        -> ReportTable
    {
        // Each figure's definition and source: docs/reports.md.
        let open = "(t.resolved_at IS NULL OR t.resolved_at >= :end) AND (t.closed_at IS NULL OR t.closed_at >= :end)"
        let sql = """
            SELECT \(group) AS g,
                sum(t.accepted_at >= :start AND t.accepted_at < :end) AS received,
                sum(t.accepted_at >= :start AND t.accepted_at < :end AND t.channel = 'counter') AS receivedCounter,
                sum(t.accepted_at >= :start AND t.accepted_at < :end AND t.channel IN ('web', 'mobile', 'open311', 'email')) AS receivedOnline,
                sum(t.accepted_at >= :start AND t.accepted_at < :end AND t.channel = 'post') AS receivedPost,
                sum(t.accepted_at >= :start AND t.accepted_at < :end AND t.channel = 'hotline') AS receivedHotline,
                sum(t.accepted_at < :start AND (t.resolved_at IS NULL OR t.resolved_at >= :start) AND (t.closed_at IS NULL OR t.closed_at >= :start)) AS carriedOver,
                sum(t.resolved_at >= :start AND t.resolved_at < :end) AS resolved,
                sum(t.resolved_at >= :start AND t.resolved_at < :end AND t.timeliness = 'early') AS early,
                sum(t.resolved_at >= :start AND t.resolved_at < :end AND t.timeliness = 'on-time') AS onTime,
                sum(t.resolved_at >= :start AND t.resolved_at < :end AND t.timeliness = 'late') AS late,
                sum(t.resolved_at >= :start AND t.resolved_at < :end AND t.timeliness = 'late' AND t.apologised_at IS NOT NULL) AS lateWithApology,
                sum(t.accepted_at < :end AND \(open) AND t.due_at >= :end) AS openWithinTime,
                sum(t.accepted_at < :end AND \(open) AND t.due_at < :end) AS openOverdue,
                sum(t.accepted_at < :end AND \(open) AND t.state = 'awaiting-citizen') AS waitingOnCitizen,
                sum(t.state = 'withdrawn' AND t.closed_at >= :start AND t.closed_at < :end) AS withdrawn
            FROM ticket t
            WHERE t.accepted_at IS NOT NULL AND t.accepted_at < :end
                AND (t.resolved_at IS NULL OR t.resolved_at >= :start) AND (t.closed_at IS NULL OR t.closed_at >= :start)
            GROUP BY g ORDER BY g
            """
        let counts = [
            "received", "receivedCounter", "receivedOnline", "receivedPost", "receivedHotline", "carriedOver", "resolved", "early",
            "onTime", "late",
            "lateWithApology", "openWithinTime", "openOverdue", "waitingOnCitizen", "withdrawn",
        ]
        let rows = try Row.fetchAll(db, sql: sql, arguments: ["start": start, "end": end]).map { row -> [String: ReportValue] in
            var values: [String: ReportValue] = ["group": .text(row["g"])]
            for key in counts { values[key] = .int((row[key] as Int?) ?? 0) }
            let resolved = (row["resolved"] as Int?) ?? 0
            let timely = ((row["early"] as Int?) ?? 0) + ((row["onTime"] as Int?) ?? 0)
            // Decision 766 / Decree 61/2018 art. 30: on-time rate = (early + on time) ÷ resolved.
            values["onTimeRate"] = resolved == 0 ? .null : .number(Double(timely) / Double(resolved))
            return values
        }
        return ReportTable(
            report: "progress", period: period, groupBy: groupBy.rawValue, columns: ["group"] + counts + ["onTimeRate"], rows: rows)
    }

    static func backlog(_ db: Database, now: Date, time: WorkingTime) throws -> ReportTable {
        let day: Int64 = 86_400
        let nowSeconds = now.storedSeconds
        let risk = time.walk(minutes: atRiskWorkingMinutes, from: now).due.storedSeconds
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT coalesce(department, '-') AS g, count(*) AS open,
                    sum(? - coalesce(accepted_at, received_at) < 3 * ?) AS age0to2,
                    sum(? - coalesce(accepted_at, received_at) >= 3 * ? AND ? - coalesce(accepted_at, received_at) < 8 * ?) AS age3to7,
                    sum(? - coalesce(accepted_at, received_at) >= 8 * ? AND ? - coalesce(accepted_at, received_at) < 31 * ?) AS age8to30,
                    sum(? - coalesce(accepted_at, received_at) >= 31 * ?) AS ageOver30,
                    sum(due_at >= ? AND due_at <= ?) AS atRisk,
                    sum(due_at < ?) AS overdue,
                    min(coalesce(accepted_at, received_at)) AS oldest
                FROM ticket WHERE state IN ('queued', 'in-progress', 'awaiting-citizen')
                GROUP BY g ORDER BY g
                """,
            arguments: [
                nowSeconds, day, nowSeconds, day, nowSeconds, day, nowSeconds, day, nowSeconds, day, nowSeconds, day, nowSeconds, risk,
                nowSeconds,
            ]
        ).map { row -> [String: ReportValue] in
            var values: [String: ReportValue] = ["group": .text(row["g"])]
            for key in ["open", "age0to2", "age3to7", "age8to30", "ageOver30", "atRisk", "overdue"] {
                values[key] = .int((row[key] as Int?) ?? 0)
            }
            let oldest: Int64? = row["oldest"]
            values["oldestAgeDays"] = oldest.map { .int(Int((nowSeconds - $0) / day)) } ?? .null
            return values
        }
        return ReportTable(
            report: "backlog", period: nil, groupBy: "department",
            columns: ["group", "open", "age0to2", "age3to7", "age8to30", "ageOver30", "atRisk", "overdue", "oldestAgeDays"], rows: rows)
    }

    static func satisfaction(_ db: Database, group: String, start: Int64, end: Int64, period: ReportPeriod, groupBy: ReportGrouping) throws
        -> ReportTable
    {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT \(group) AS g, count(*) AS returned, count(rating) AS rated,
                    sum(rating = 'very-satisfied') AS verySatisfied, sum(rating = 'satisfied') AS satisfied, sum(rating = 'dissatisfied') AS dissatisfied
                FROM ticket t WHERE returned_at >= ? AND returned_at < ? GROUP BY g ORDER BY g
                """,
            arguments: [start, end]
        ).map { row -> [String: ReportValue] in
            var values: [String: ReportValue] = ["group": .text(row["g"])]
            let rated = (row["rated"] as Int?) ?? 0
            for key in ["returned", "rated", "verySatisfied", "satisfied", "dissatisfied"] { values[key] = .int((row[key] as Int?) ?? 0) }
            for key in ["verySatisfied", "satisfied", "dissatisfied"] {
                values[key + "Share"] = rated == 0 ? .null : .number(Double((row[key] as Int?) ?? 0) / Double(rated))
            }
            return values
        }
        return ReportTable(
            report: "satisfaction", period: period, groupBy: groupBy.rawValue,
            columns: [
                "group", "returned", "rated", "verySatisfied", "satisfied", "dissatisfied", "verySatisfiedShare", "satisfiedShare",
                "dissatisfiedShare",
            ],
            rows: rows)
    }

    static func revenue(_ db: Database, group: String, start: Int64, end: Int64, period: ReportPeriod, groupBy: ReportGrouping) throws
        -> ReportTable
    {
        // Charges are the service's lines at intake, kept on the ticket (JSON); SQLite's json_each
        // opens them (PostgreSQL: jsonb_array_elements).
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT \(group) AS g, count(DISTINCT t.code) AS tickets,
                    sum(CASE WHEN c.value ->> 'kind' = 'le-phi' THEN c.value ->> 'amount' ELSE 0 END) AS lePhi,
                    sum(CASE WHEN c.value ->> 'kind' = 'phi' THEN c.value ->> 'amount' ELSE 0 END) AS phi,
                    sum(CASE WHEN c.value ->> 'kind' = 'service-price' THEN c.value ->> 'amount' ELSE 0 END) AS servicePrice,
                    sum(CASE WHEN c.value ->> 'remittance' = 'budget' THEN c.value ->> 'amount' ELSE 0 END) AS toBudget,
                    sum(CASE WHEN c.value ->> 'remittance' = 'retained' THEN c.value ->> 'amount' ELSE 0 END) AS retained
                FROM ticket t, json_each(t.charges) c
                WHERE t.accepted_at >= ? AND t.accepted_at < ? GROUP BY g ORDER BY g
                """,
            arguments: [start, end]
        ).map { row -> [String: ReportValue] in
            var values: [String: ReportValue] = ["group": .text(row["g"])]
            for key in ["tickets", "lePhi", "phi", "servicePrice", "toBudget", "retained"] { values[key] = .int((row[key] as Int?) ?? 0) }
            return values
        }
        return ReportTable(
            report: "revenue", period: period, groupBy: groupBy.rawValue,
            columns: ["group", "tickets", "lePhi", "phi", "servicePrice", "toBudget", "retained"], rows: rows)
    }
}
