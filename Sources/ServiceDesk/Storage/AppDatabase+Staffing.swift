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
            stored.id = db.lastInsertedRowID
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

    /// The staffing plan of a period (docs/reports.md, staffing-plan): per department and
    /// category, the quota in force at the period's end, the people and their full-time
    /// equivalents over its working days, the work measured and the FTE it needs with
    /// `growth`, and the tours at the desk ending within 90 days of today.
    public func staffingPlan(period: ReportPeriod, growth: Double = 1) async throws -> ReportTable {
        let now = clock()
        return try await read { db in
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
            // The work: the working minutes each step was held in its department (claimed →
            // handed on) for steps handed on in the period, and the hall's service minutes
            // (started → finished) at counters of a department.
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
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT c.department, sum(q.finished_at - q.started_at) / 60 AS minutes FROM queue_number q JOIN counter c ON c.number = q.counter
                    WHERE q.state = 'served' AND q.started_at IS NOT NULL AND q.finished_at >= ? AND q.finished_at < ? AND c.department IS NOT NULL
                    GROUP BY c.department
                    """, arguments: [start.storedSeconds, end.storedSeconds])
            {
                work[row["department"], default: 0] += row["minutes"] as Int? ?? 0
            }
            let plan = StaffingPlan.compute(
                quotas: quotas, people: people, work: work, workingDays: days, minutesPerFTE: minutesPerFTE, growth: growth,
                today: today, mode: centre.mode)
            return ReportTable(
                report: "staffing-plan", period: period, groupBy: "department", columns: StaffingPlan.columns,
                rows: plan.map(\.cells))
        }
    }
}
