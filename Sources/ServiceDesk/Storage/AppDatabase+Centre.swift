import Foundation
import GRDB

/// `POST /api/v1/centre/mode`.
public struct ModeChangeRequest: Codable, Sendable {
    public var mode: String?
    public var dryRun: Bool?
    /// Needed when switching to public-service-unit mode, if the centre has none yet.
    public var autonomyGroup: Int?
    /// Also say what the switch does to people, quotas and fees (`StaffingImpact`).
    public var staffing: Bool?

    public init(mode: String, dryRun: Bool = false, autonomyGroup: Int? = nil, staffing: Bool? = nil) {
        self.staffing = staffing
        self.mode = mode
        self.dryRun = dryRun
        self.autonomyGroup = autonomyGroup
    }
}

/// The answer to a mode change or its dry run.
public struct ModeChangeResult: Codable, Equatable, Sendable {
    public var from: OrganisationalMode
    public var to: OrganisationalMode
    public var dryRun: Bool
    /// True when the mode was switched (never on a dry run, never with conflicts).
    public var changed: Bool
    public var conflicts: [ModeConflict]
    /// Asked with `staffing`: what the switch does to people, quotas and fees.
    public var staffing: StaffingImpact?
}

extension AppDatabase {
    public func centre() async throws -> Centre {
        try await read(Self.centre)
    }

    static func centre(_ db: any SQLSession) throws -> Centre {
        guard let row = try db.fetchRow(sql: "SELECT * FROM centre WHERE id = 1") else {
            throw DeskError.notFound(entity: "centre", id: "1")
        }
        return Centre(row: row)
    }

    public func updateCentre(_ patch: CentrePatch, actor: String) async throws -> Centre {
        let now = clock()
        return try await write { db in
            let before = try Self.centre(db)
            let after = try patch.applied(to: before)
            guard after != before else { return before }
            try Self.store(db, centre: after, at: now)
            try EventLog.append(
                db, at: now, actor: actor, action: "centre.update", entity: "centre", entityId: after.code,
                detail: Self.changes(from: before, to: after))
            return after
        }
    }

    /// Checks the whole configuration against the target mode; switches only when nothing
    /// conflicts and it is not a dry run. Recorded with who did it.
    public func changeMode(_ request: ModeChangeRequest, actor: String) async throws -> ModeChangeResult {
        var validator = Validator()
        let target = OrganisationalMode(rawValue: request.mode ?? "")
        validator.check(target != nil, "mode", "must be administrative-body or public-service-unit")
        if let group = request.autonomyGroup {
            validator.check((1...4).contains(group), "autonomyGroup", "must be 1, 2, 3 or 4")
            validator.check(target != .administrativeBody, "autonomyGroup", "applies only in public-service-unit mode")
        }
        try validator.finish()
        let now = clock()
        let dryRun = request.dryRun ?? false
        return try await write { db in
            var configuration = try Self.configuration(db)
            let from = configuration.centre.mode
            // An administrative body has no autonomy group; a public service unit keeps the one
            // it had or takes the one given.
            configuration.centre.autonomyGroup =
                target == .administrativeBody ? nil : (request.autonomyGroup ?? configuration.centre.autonomyGroup)
            configuration.centre.mode = target!
            let conflicts = ModeRules.conflicts(in: configuration, for: target!)
            var result = ModeChangeResult(
                from: from, to: target!, dryRun: dryRun, changed: !dryRun && conflicts.isEmpty && from != target, conflicts: conflicts)
            if request.staffing == true {
                let today = try self.workingTime(db).1.clock.local(now).date
                let quotas = try Row.fetchAll(db, sql: "SELECT * FROM quota").map(Quota.init(row:)).filter { $0.valid(on: today) }
                result.staffing = StaffingImpact.of(configuration, quotas: quotas, switchingTo: target!)
            }
            guard result.changed else { return result }
            try Self.store(db, centre: configuration.centre, at: now)
            try EventLog.append(
                db, at: now, actor: actor, action: "centre.mode", entity: "centre", entityId: configuration.centre.code,
                detail: [
                    "from": from.rawValue, "to": target!.rawValue,
                    "autonomyGroup": configuration.centre.autonomyGroup.map(String.init) ?? "none",
                ])
            return result
        }
    }

    static func store(_ db: any SQLSession, centre: Centre, at now: Date) throws {
        try db.cachedExecute(
            sql: """
                UPDATE centre SET code = ?, name = ?, mode = ?, autonomy_group = ?, timezone = ?, intake_cutoff = ?,
                apology_lead_days = ?, at_risk_days = ?, issuing_body = ?, place = ?, on_behalf_of = ?, contact_phone = ?, updated_at = ?,
                acceptance_limit = ?, reopen_days = ?, reception_limit = ?
                WHERE id = 1
                """,
            arguments: [
                centre.code, centre.name, centre.mode.rawValue, centre.autonomyGroup, centre.timezone, centre.intakeCutoff.description,
                centre.apologyLeadDays, centre.atRiskDays, centre.issuingBody, centre.place, centre.onBehalfOf, centre.contactPhone,
                now.storedSeconds, centre.acceptanceLimit.description, centre.reopenDays, centre.receptionLimit.description,
            ])
    }

    /// The configuration in force, for the mode rules.
    static func configuration(_ db: any SQLSession) throws -> Configuration {
        Configuration(
            centre: try centre(db),
            departments: try Row.fetchAll(db, sql: "SELECT * FROM department").map(Department.init(row:)),
            staff: try Row.fetchAll(db, sql: "SELECT * FROM staff").map(Staff.init(row:)),
            services: try services(db, filter: ServiceFilter(), limit: nil),
            openTickets: try Row.fetchAll(
                db, sql: "SELECT code, charges FROM ticket WHERE state IN \(Ticket.State.openSQL) AND charges <> '[]'"
            ).map { row in
                (row["code"], (try? APIJSON.decoder.decode([Charge].self, from: Data((row["charges"] as String).utf8))) ?? [])
            })
    }

    /// Every configuration write ends with this check, inside its transaction: the stored
    /// configuration always satisfies the current mode. A conflict of the entity being written
    /// is a `409 inconsistent` naming its fields (the same entity fits the other mode); one of
    /// another entity (a department change that would break a service) is a conflict listing
    /// it. Either way the transaction rolls back.
    static func enforceMode(_ db: any SQLSession, writing entity: String, id: String) throws {
        let configuration = try configuration(db)
        let conflicts = ModeRules.conflicts(in: configuration, for: configuration.centre.mode)
        guard !conflicts.isEmpty else { return }
        if conflicts.allSatisfy({ $0.entity == entity && $0.id == id }) {
            throw DeskError.inconsistent(conflicts.map { FieldError($0.field, $0.message) })
        }
        throw DeskError.modeConflicts(conflicts)
    }

    /// A small JSON-able diff for the audit trail: field → "before → after".
    static func changes<T: Encodable>(from before: T, to after: T) -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        guard let old = try? JSONSerialization.jsonObject(with: encoder.encode(before)) as? [String: Any],
            let new = try? JSONSerialization.jsonObject(with: encoder.encode(after)) as? [String: Any]
        else { return [:] }
        var result: [String: String] = [:]
        for key in Set(old.keys).union(new.keys) {
            let was = old[key].map { "\($0)" } ?? "null"
            let now = new[key].map { "\($0)" } ?? "null"
            if was != now { result[key] = "\(was) → \(now)" }
        }
        return result
    }
}

// MARK: - Calendar

extension AppDatabase {
    public func calendar() async throws -> WorkingCalendar {
        try await read(Self.calendar)
    }

    /// The calendar with what an administrator must hear about it today (SPEC §3): a year
    /// whose holidays were never loaded.
    public func calendarOverview() async throws -> CalendarOverview {
        let now = clock()
        return try await read { db in
            let (_, time) = try self.workingTime(db)
            return CalendarOverview(calendar: time.calendar, warnings: time.calendar.warnings(today: time.clock.local(now).date))
        }
    }

    /// The due calculator (SPEC §3): what a ticket received at `from` (RFC 3339, or local time
    /// `YYYY-MM-DD HH:MM` read with the centre's cached clock) with `limit` would get — the
    /// service's cut-off setting and the channel decide whether the cut-off applies. Without a
    /// limit, the service's own. Every bad field is reported at once.
    public func dueCalculation(from: String?, limit limitText: String?, service code: String?, channel: Ticket.Channel) async throws
        -> DueAnswer
    {
        try await read { db in
            let (_, time) = try self.workingTime(db)
            var validator = Validator()
            let received = from.flatMap { time.clock.instant(parsing: $0) }
            validator.check(received != nil, "from", "is required: an RFC 3339 timestamp, or local time YYYY-MM-DD HH:MM")
            let asked = limitText.flatMap(TimeLimit.init)
            validator.check(limitText == nil || asked != nil, "limit", "must be 'N d' or 'N h', e.g. '3 d'")
            try validator.finish()
            let service = try code.map { try Self.service(db, $0) }
            guard let received, let limit = asked ?? service?.timeLimit else {
                throw DeskError.validation([FieldError("limit", "is required without a service: 'N d' or 'N h'")])
            }
            // The service's setting, or the default for its kind (a procedure without a service) and
            // the limit asked about.
            let setting = service?.cutoff ?? Service.cutoffByDefault(kind: service?.kind ?? .procedure, limit: limit)
            let cutoff = Reception.cutoffApplies(setting: setting, channel: channel)
            let computation = Reception.due(receivedAt: received, limit: limit, cutoff: cutoff, time: time)
            return DueAnswer(
                receivedAt: received, limit: limit, service: service?.code, channel: channel, cutoffApplied: cutoff,
                computation: computation, clock: time.clock)
        }
    }

    static func calendar(_ db: any SQLSession) throws -> WorkingCalendar {
        var hours: [Weekday: [WorkingPeriod]] = [:]
        for row in try db.fetchRows(sql: "SELECT weekday, start, \"end\" FROM working_period ORDER BY weekday, start") {
            guard let weekday = Weekday(isoNumber: row["weekday"]), let start = TimeOfDay(row["start"] as String),
                let end = TimeOfDay(row["end"] as String)
            else { continue }
            hours[weekday, default: []].append(WorkingPeriod(start: start, end: end))
        }
        let days = try db.fetchRows(sql: "SELECT date, kind, name FROM calendar_day ORDER BY date").compactMap { row -> CalendarDay? in
            guard let date = LocalDate(row["date"] as String), let kind = CalendarDayKind(rawValue: row["kind"]) else { return nil }
            return CalendarDay(date: date, kind: kind, name: row["name"])
        }
        return WorkingCalendar(hours: hours, days: days)
    }

    /// Replaces the weekly hours and, when `days` is given, the whole list of dated days.
    public func replaceCalendar(_ update: CalendarUpdate, actor: String) async throws -> WorkingCalendar {
        var validator = Validator()
        WorkingCalendar.validate(hours: update.hours, into: &validator)
        let days = (update.days ?? []).map { CalendarDay(date: $0.date, kind: $0.kind, name: Text.clean($0.name)) }
        var seen = Set<LocalDate>()
        for (index, day) in days.enumerated() {
            WorkingCalendar.validate(day: day, field: "days[\(index)]", into: &validator)
            validator.check(seen.insert(day.date).inserted, "days[\(index)].date", "\(day.date) is listed twice")
        }
        try validator.finish()
        let now = clock()
        defer { calendarCache.clear() }  // again once committed (see CalendarCache)
        return try await write { db in
            calendarCache.clear()
            try db.cachedExecute(sql: "DELETE FROM working_period")
            try Self.storeHours(db, update.hours)
            if update.days != nil {
                try db.cachedExecute(sql: "DELETE FROM calendar_day")
                for day in days { try Self.insert(db, day: day) }
            }
            try EventLog.append(
                db, at: now, actor: actor, action: "calendar.replace", entity: "calendar", entityId: "calendar",
                detail: ["days": update.days.map { "\($0.count)" } ?? "kept"])
            return try Self.calendar(db)
        }
    }

    public func addCalendarDay(_ day: CalendarDay, actor: String) async throws -> CalendarDay {
        let day = CalendarDay(date: day.date, kind: day.kind, name: Text.clean(day.name))
        var validator = Validator()
        WorkingCalendar.validate(day: day, field: "day", into: &validator)
        try validator.finish()
        let now = clock()
        defer { calendarCache.clear() }  // again once committed (see CalendarCache)
        return try await write { db in
            if try Self.exists(db, "calendar_day", "date", day.date.description) {
                throw DeskError.duplicate(entity: "calendar day", id: day.date.description)
            }
            try Self.insert(db, day: day)
            calendarCache.clear()
            try EventLog.append(
                db, at: now, actor: actor, action: "calendar.day.add", entity: "calendar", entityId: day.date.description,
                detail: ["kind": day.kind.rawValue, "name": day.name])
            return day
        }
    }

    public func removeCalendarDay(_ date: LocalDate, actor: String) async throws {
        let now = clock()
        defer { calendarCache.clear() }  // again once committed (see CalendarCache)
        try await write { db in
            try db.cachedExecute(sql: "DELETE FROM calendar_day WHERE date = ?", arguments: [date.description])
            guard db.changesCount == 1 else { throw DeskError.notFound(entity: "calendar day", id: date.description) }
            calendarCache.clear()
            try EventLog.append(db, at: now, actor: actor, action: "calendar.day.remove", entity: "calendar", entityId: date.description)
        }
    }

    static func storeHours(_ db: any SQLSession, _ hours: [Weekday: [WorkingPeriod]]) throws {
        for (weekday, periods) in hours {
            for period in periods {
                try db.cachedExecute(
                    sql: "INSERT INTO working_period (weekday, start, \"end\") VALUES (?, ?, ?)",
                    arguments: [weekday.isoNumber, period.start.description, period.end.description])
            }
        }
    }

    static func insert(_ db: any SQLSession, day: CalendarDay) throws {
        try db.cachedExecute(
            sql: "INSERT INTO calendar_day (date, kind, name) VALUES (?, ?, ?)",
            arguments: [day.date.description, day.kind.rawValue, day.name])
    }
}
