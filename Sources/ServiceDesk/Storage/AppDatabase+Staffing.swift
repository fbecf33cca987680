import Foundation
import GRDB

extension Quota {
    init(row: Row) {
        self.init(
            id: row["id"], department: row["department"], category: Employment(rawValue: row["category"]) ?? .contract,
            headcount: row["headcount"], decision: row["decision"],
            validFrom: LocalDate(row["valid_from"] as String) ?? LocalDate(year: 2000, month: 1, day: 1)!,
            validUntil: (row["valid_until"] as String?).flatMap(LocalDate.init))
    }
}

extension AppDatabase {
    /// Records a quota line of a decision (admin). Lines are never deleted: a later decision
    /// ends one by its `validUntil` and adds its own.
    public func createQuota(_ draft: QuotaDraft, actor: String) async throws -> Quota {
        let quota = try draft.validated()
        let now = clock()
        return try await write { db in
            if let department = quota.department {
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM department WHERE code = ?", arguments: [department]) != nil else {
                    throw DeskError.inconsistent([FieldError("department", "no department \(department)")])
                }
            }
            try db.execute(
                sql: """
                    INSERT INTO quota (department, category, headcount, decision, valid_from, valid_until, created_at, created_by)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    quota.department, quota.category.rawValue, quota.headcount, quota.decision, quota.validFrom.description,
                    quota.validUntil?.description, now.storedSeconds, actor,
                ])
            var stored = quota
            stored.id = try db.lastInsertedRowID
            try EventLog.append(
                db, at: now, actor: actor, action: "quota.create", entity: "quota", entityId: String(stored.id), detail: stored)
            return stored
        }
    }

    /// Ends a quota line on `validUntil` (its last day), as a later decision does.
    public func endQuota(_ id: Int64, validUntil: LocalDate, actor: String) async throws -> Quota {
        let now = clock()
        return try await write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM quota WHERE id = ?", arguments: [id]) else {
                throw DeskError.notFound(entity: "quota", id: String(id))
            }
            var quota = Quota(row: row)
            guard quota.validFrom <= validUntil else {
                throw DeskError.inconsistent([FieldError("validUntil", "must not be before the line's validFrom \(quota.validFrom)")])
            }
            quota.validUntil = validUntil
            try db.execute(sql: "UPDATE quota SET valid_until = ? WHERE id = ?", arguments: [validUntil.description, id])
            try EventLog.append(
                db, at: now, actor: actor, action: "quota.end", entity: "quota", entityId: String(id),
                detail: ["validUntil": validUntil.description])
            return quota
        }
    }

    /// Every quota line, or those valid on `day`, by department, category and start.
    public func quotas(validOn day: LocalDate? = nil) async throws -> [Quota] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM quota ORDER BY department IS NOT NULL, department, category, valid_from, id")
                .map(Quota.init(row:)).filter { day.map($0.valid(on:)) ?? true }
        }
    }

    /// What the staffing plan of a period reads (docs/reports.md, staffing-plan).
    struct PlanInputs {
        var quotas: [Quota]
        var people: [Staff]
        var work: [String: Int]
        var hall: [String: [HallHour]]
        var days: [LocalDate]
        var minutesPerFTE: Int
        var today: LocalDate
        var mode: OrganisationalMode
        var departments: Set<String>

        func plan(growth: Double, target: WaitTarget, period: ReportPeriod) -> ReportTable {
            let plan = StaffingPlan.compute(
                quotas: quotas, people: people, work: work, hall: hall, target: target, workingDays: days, minutesPerFTE: minutesPerFTE,
                growth: growth, today: today, mode: mode)
            return ReportTable(
                report: "staffing-plan", period: period, groupBy: "department", columns: StaffingPlan.columns, rows: plan.map(\.cells))
        }
    }

    /// The staffing plan of a period (docs/reports.md, staffing-plan): per department and
    /// category, the quota in force at the period's end, the people and their full-time
    /// equivalents over its working days, the work measured and the FTE it needs with
    /// `growth`, and the tours at the desk ending within 90 days of today.
    public func staffingPlan(period: ReportPeriod, growth: Double = 1, target: WaitTarget = WaitTarget()) async throws -> ReportTable {
        // The plan walks the period's days (and each person's over them): a year at most, or a
        // far `to` would keep the reader busy for minutes (found by the contract).
        guard period.to.daysSinceEpoch - period.from.daysSinceEpoch < 366 else {
            throw DeskError.inconsistent([FieldError("to", "a staffing plan covers at most a year (366 days)")])
        }
        let now = clock()
        return try await read { db in try self.planInputs(db, period: period, now: now).plan(growth: growth, target: target, period: period)
        }
    }

    func planInputs(_ db: any SQLSession, period: ReportPeriod, now: Date) throws -> PlanInputs {
        let (centre, time) = try self.workingTime(db)
        let today = time.clock.local(now).date
        var days: [LocalDate] = []
        var day = period.from
        while day <= period.to {
            if time.calendar.isWorkingDay(day) { days.append(day) }
            day = day.adding(days: 1)
        }
        let minutesPerFTE = days.reduce(0) { $0 + time.calendar.periods(on: $1).reduce(0) { $0 + $1.minutes } }
        let (start, end) = period.instants(time.clock)
        let quotas = try Row.fetchAll(db, sql: "SELECT * FROM quota").map(Quota.init(row:)).filter { $0.valid(on: period.to) }
        // People, not clients: kiosks, displays and integrations are machines.
        let people = try Row.fetchAll(db, sql: "SELECT * FROM staff WHERE role IN ('admin', 'supervisor', 'officer', 'handler')")
            .map(Staff.init(row:)).filter { $0.active || $0.career.leftOn != nil }
        // The route work: the working minutes each step was held in its department (claimed →
        // handed on) for steps handed on in the period.
        var work: [String: Int] = [:]
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT department, coalesce(claimed_at, entered_at) AS held, left_at FROM ticket_step
                WHERE left_at >= ? AND left_at < ?
                """, arguments: [start.storedSeconds, end.storedSeconds])
        {
            let held = Date(storedSeconds: row["held"])
            let left = Date(storedSeconds: row["left_at"])
            work[row["department"], default: 0] += time.workingMinutes(from: held, to: left)
        }
        // The hall: per department (of the counter that called the number) and local hour of
        // issue, the numbers issued on an average day the hall issued any, and the mean service
        // time (called → finished) of those served — as the `staffing` report measures them.
        let hallDays = max(
            1,
            try Int.fetchOne(
                db, sql: "SELECT count(DISTINCT day) FROM queue_number WHERE issued_at >= ? AND issued_at < ?",
                arguments: [start.storedSeconds, end.storedSeconds]) ?? 0)
        let offset = time.clock.timeZone.secondsFromGMT(for: now)
        var hall: [String: [HallHour]] = [:]
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT c.department, cast(strftime('%H', q.issued_at + ?, 'unixepoch') AS integer) AS hour, count(*) AS issued,
                    avg(CASE WHEN q.state = 'served' THEN (q.finished_at - q.called_at) / 60.0 END) AS serviceMinutes
                FROM queue_number q JOIN counter c ON c.number = q.counter
                WHERE q.issued_at >= ? AND q.issued_at < ? AND c.department IS NOT NULL
                GROUP BY c.department, hour ORDER BY c.department, hour
                """, arguments: [offset, start.storedSeconds, end.storedSeconds])
        {
            hall[row["department"], default: []].append(
                HallHour(
                    hour: row["hour"], arrivalsPerDay: Double(row["issued"] as Int? ?? 0) / Double(hallDays),
                    serviceMinutes: max(row["serviceMinutes"] as Double? ?? 0, 0.1)))
        }
        let departments = Set(try String.fetchAll(db, sql: "SELECT code FROM department"))
        return PlanInputs(
            quotas: quotas, people: people, work: work, hall: hall, days: days, minutesPerFTE: minutesPerFTE, today: today,
            mode: centre.mode, departments: departments)
    }

    /// A restructuring scenario: the plan of its period with its moves and quota changes
    /// applied in memory, stored under its name. Nothing live changes.
    public func createScenario(_ request: ScenarioRequest, actor: String) async throws -> Scenario {
        var validator = Validator()
        let name = Text.requiredName(request.name, field: "name", maxLength: 100, into: &validator)
        let period = ReportPeriod(period: request.period)
        validator.check(period != nil, "period", "must be a year (2026), a quarter (2026-Q4) or a month (2026-11)")
        let growth = request.growth ?? 1
        validator.check(growth.isFinite && (0.1...10).contains(growth), "growth", "must be a factor from 0.1 to 10")
        let target = WaitTarget(minutes: request.targetWaitMinutes ?? 15, share: request.targetShare ?? 0.8)
        validator.check((1...600).contains(target.minutes), "targetWaitMinutes", "must be 1 to 600 minutes")
        validator.check(target.share > 0 && target.share < 1, "targetShare", "must be a share between 0 and 1, e.g. 0.8")
        for (index, move) in (request.moves ?? []).enumerated() {
            validator.check((1...10_000).contains(move.count), "moves[\(index)].count", "must be 1 to 10000 people")
        }
        for (index, change) in (request.quotaChanges ?? []).enumerated() {
            validator.check((-100_000...100_000).contains(change.delta), "quotaChanges[\(index)].delta", "must be -100000 to 100000")
        }
        try validator.finish()
        let now = clock()
        return try await write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM staffing_scenario WHERE name = ?", arguments: [name]) == nil else {
                throw DeskError.duplicate(entity: "scenario", id: name)
            }
            var inputs = try self.planInputs(db, period: period!, now: now)
            var relations = Validator()
            for (index, move) in (request.moves ?? []).enumerated() {
                for (side, code) in [("from", move.from), ("to", move.to)] {
                    if let code { relations.check(inputs.departments.contains(code), "moves[\(index)].\(side)", "no department \(code)") }
                }
            }
            for (index, change) in (request.quotaChanges ?? []).enumerated() {
                if let code = change.department {
                    relations.check(inputs.departments.contains(code), "quotaChanges[\(index)].department", "no department \(code)")
                }
                let inForce = inputs.quotas.filter { $0.department == change.department && $0.category == change.category }
                    .reduce(0) { $0 + $1.headcount }
                relations.check(
                    inForce + change.delta >= 0, "quotaChanges[\(index)].delta", "would leave a quota of \(inForce + change.delta) people")
                inputs.quotas.append(
                    Quota(
                        id: 0, department: change.department, category: change.category, headcount: change.delta,
                        decision: "scenario \(name)", validFrom: period!.from))
            }
            try relations.finishInconsistent()
            inputs.people = try ScenarioRequest.apply(request.moves ?? [], to: inputs.people, presentOn: inputs.days.last)
            let scenario = Scenario(
                name: name, request: request, plan: try Self.named(inputs.plan(growth: growth, target: target, period: period!), db),
                createdAt: Date(storedSeconds: now.storedSeconds), createdBy: actor)
            try db.execute(
                sql: "INSERT INTO staffing_scenario (name, request, plan, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
                arguments: [name, APIJSON.text(request), APIJSON.text(scenario.plan), now.storedSeconds, actor])
            return scenario
        }
    }

    /// The stored scenarios, newest first, or one by name (404 if none).
    public func scenarios() async throws -> [Scenario] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM staffing_scenario ORDER BY created_at DESC, name").map(Self.scenario)
        }
    }

    public func scenario(_ name: String) async throws -> Scenario {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM staffing_scenario WHERE name = ?", arguments: [name]) else {
                throw DeskError.notFound(entity: "scenario", id: name)
            }
            return try Self.scenario(row)
        }
    }

    static func scenario(_ row: Row) throws -> Scenario {
        Scenario(
            name: row["name"], request: try APIJSON.decoder.decode(ScenarioRequest.self, from: Data((row["request"] as String).utf8)),
            plan: try APIJSON.decoder.decode(ReportTable.self, from: Data((row["plan"] as String).utf8)),
            createdAt: Date(storedSeconds: row["created_at"]), createdBy: row["created_by"])
    }

    /// Two scenarios side by side: per department and category, each figure of the one and of
    /// the other.
    public func compareScenarios(_ first: String, _ second: String) async throws -> ReportTable {
        let a = try await scenario(first)
        let b = try await scenario(second)
        let figures = ["quota", "headcount", "fte", "neededFte", "surplus"]
        var rows: [String: [String: ReportValue]] = [:]
        for (suffix, scenario) in [("A", a), ("B", b)] {
            for row in scenario.plan.rows {
                let key = "\(row["group"]?.description ?? "-")|\(row["category"]?.description ?? "")"
                var line =
                    rows[key] ?? ["group": row["group"] ?? .null, "name": row["name"] ?? .null, "category": row["category"] ?? .null]
                for figure in figures { line[figure + suffix] = row[figure] ?? .null }
                rows[key] = line
            }
        }
        let columns = ["group", "name", "category"] + figures.flatMap { [$0 + "A", $0 + "B"] }
        let ordered = rows.sorted { $0.key < $1.key }.map { entry in
            var line = entry.value
            for column in columns where line[column] == nil { line[column] = .null }
            return line
        }
        return ReportTable(
            report: "staffing-scenarios \(a.name) | \(b.name)", period: a.plan.period, groupBy: "department", columns: columns,
            rows: ordered)
    }
}
