import Foundation
import GRDB

public struct ServiceFilter: Sendable {
    public var kind: Service.Kind?
    public var active: Bool?
    /// Services whose route passes through this department.
    public var department: String?
    public init(kind: Service.Kind? = nil, active: Bool? = nil, department: String? = nil) {
        self.kind = kind
        self.active = active
        self.department = department
    }
}

extension AppDatabase {
    public func services(_ filter: ServiceFilter = ServiceFilter(), page: PageRequest) async throws -> Page<Service> {
        try await read { db in
            let rows = try Self.services(db, filter: filter, after: page.cursor, limit: page.limit + 1)
            return Page(rows: rows, limit: page.limit, key: \.code)
        }
    }

    public func service(_ code: String) async throws -> Service {
        try await read { db in try Self.service(db, code) }
    }

    /// One service with its route and charges (fixed, cached statements: intake reads it every time).
    static func service(_ db: any SQLSession, _ code: String) throws -> Service {
        guard let row = try db.fetchRow(sql: "SELECT * FROM service WHERE code = ?", arguments: [code]) else {
            throw DeskError.notFound(entity: "service", id: code)
        }
        var service = Service(row: row)
        service.route = try db.fetchRows(sql: "SELECT * FROM service_step WHERE service = ? ORDER BY position", arguments: [code]).map(
            RouteStep.init(row:))
        service.charges = try db.fetchRows(sql: "SELECT * FROM service_charge WHERE service = ? ORDER BY position", arguments: [code])
            .compactMap(Charge.init(row:))
        return service
    }

    /// Services with their routes and charges: three queries, whatever the number of services.
    static func services(
        _ db: any SQLSession, filter: ServiceFilter, after cursor: String? = nil, only code: String? = nil, limit: Int?
    ) throws -> [Service] {
        var sql = "SELECT * FROM service WHERE code > ?"
        var arguments: SQLArguments = [cursor ?? ""]
        if let code {
            sql += " AND code = ?"
            arguments += [code]
        }
        if let kind = filter.kind {
            sql += " AND kind = ?"
            arguments += [kind.rawValue]
        }
        if let active = filter.active {
            sql += " AND active = ?"
            arguments += [active]
        }
        if let department = filter.department {
            sql += " AND code IN (SELECT service FROM service_step WHERE department = ?)"
            arguments += [department]
        }
        sql += " ORDER BY code"
        if let limit {
            sql += " LIMIT ?"
            arguments += [limit]
        }
        var services = try Row.fetchAll(db, sql: sql, arguments: arguments).map(Service.init(row:))
        guard let first = services.first?.code, let last = services.last?.code else { return [] }
        var steps: [String: [RouteStep]] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT * FROM service_step WHERE service BETWEEN ? AND ? ORDER BY service, position", arguments: [first, last])
        {
            steps[row["service"], default: []].append(
                RouteStep(
                    department: row["department"], allowance: (row["allowance"] as String?).flatMap(TimeLimit.init), task: row["task"]))
        }
        var charges: [String: [Charge]] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT * FROM service_charge WHERE service BETWEEN ? AND ? ORDER BY service, position", arguments: [first, last])
        {
            guard let kind = Charge.Kind(rawValue: row["kind"]), let remittance = Charge.Remittance(rawValue: row["remittance"]) else {
                continue
            }
            charges[row["service"], default: []].append(
                Charge(kind: kind, amount: row["amount"], remittance: remittance, label: row["label"]))
        }
        for index in services.indices {
            services[index].route = steps[services[index].code] ?? []
            services[index].charges = charges[services[index].code] ?? []
        }
        return services
    }

    public func createService(_ draft: ServiceDraft, actor: String) async throws -> Service {
        let service = try draft.validated()
        let now = clock()
        return try await write { db in
            if try Self.exists(db, "service", "code", service.code) {
                throw DeskError.duplicate(entity: "service", id: service.code)
            }
            try Self.checkRoute(db, of: service)
            try self.checkAllowances(db, of: service)
            try db.cachedExecute(
                sql: """
                    INSERT INTO service (code, name, kind, time_limit, deciding_step, legal_basis, supplement_rule, queue_prefix, keywords,
                    attributes, active, version, created_at, updated_at, applies_cutoff, field)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)
                    """,
                arguments: [
                    service.code, service.name, service.kind.rawValue, service.timeLimit.description, service.decidingStep,
                    service.legalBasis, service.supplementRule.rawValue, service.queuePrefix, service.keywords.joined(separator: ","),
                    APIJSON.text(service.attributes), service.active, now.storedSeconds, now.storedSeconds, service.cutoff,
                    service.field,
                ])
            try Self.storeRouteAndCharges(db, of: service)
            try Self.enforceMode(db, writing: "service", id: service.code)
            try EventLog.append(
                db, at: now, actor: actor, action: "service.create", entity: "service", entityId: service.code, detail: service)
            return service
        }
    }

    /// Updates a catalogue entry; any change bumps its `version` (tickets keep the version
    /// they were received under).
    public func updateService(_ code: String, _ patch: ServicePatch, actor: String) async throws -> Service {
        let now = clock()
        return try await write { db in
            let before = try Self.service(db, code)
            var after = try patch.applied(to: before)
            guard after != before else { return before }
            after.version = before.version + 1
            if after.route != before.route || (after.active && !before.active) { try Self.checkRoute(db, of: after) }
            if after.route != before.route || after.timeLimit != before.timeLimit { try self.checkAllowances(db, of: after) }
            try db.cachedExecute(
                sql: """
                    UPDATE service SET name = ?, kind = ?, time_limit = ?, deciding_step = ?, legal_basis = ?, supplement_rule = ?,
                    queue_prefix = ?, keywords = ?, attributes = ?, active = ?, version = ?, updated_at = ?, applies_cutoff = ?,
                    field = ? WHERE code = ?
                    """,
                arguments: [
                    after.name, after.kind.rawValue, after.timeLimit.description, after.decidingStep, after.legalBasis,
                    after.supplementRule.rawValue, after.queuePrefix, after.keywords.joined(separator: ","),
                    APIJSON.text(after.attributes), after.active, after.version, now.storedSeconds, after.cutoff, after.field,
                    code,
                ])
            try db.cachedExecute(sql: "DELETE FROM service_step WHERE service = ?", arguments: [code])
            try db.cachedExecute(sql: "DELETE FROM service_charge WHERE service = ?", arguments: [code])
            try Self.storeRouteAndCharges(db, of: after)
            try Self.enforceMode(db, writing: "service", id: code)
            try EventLog.append(
                db, at: now, actor: actor, action: "service.update", entity: "service", entityId: code,
                detail: Self.changes(from: before, to: after))
            return after
        }
    }

    /// Every route step names an existing, active department.
    static func checkRoute(_ db: any SQLSession, of service: Service) throws {
        var errors: [FieldError] = []
        for (index, step) in service.route.enumerated() {
            let active = try db.fetchValue(Bool.self, sql: "SELECT active FROM department WHERE code = ?", arguments: [step.department])
            switch active {
            case nil: errors.append(FieldError("route[\(index)].department", "no department '\(step.department)'"))
            case false?: errors.append(FieldError("route[\(index)].department", "department '\(step.department)' is inactive"))
            case true?: break
            }
        }
        if !errors.isEmpty { throw DeskError.inconsistent(errors) }
    }

    /// The steps' allowances fit in the time limit, counted in this calendar's working day.
    func checkAllowances(_ db: any SQLSession, of service: Service) throws {
        let calendar = try calendarCache.calendar(catalogue: try CatalogueCache.generation(db)) { try Self.calendar(db) }
        var validator = Validator()
        RouteRules.checkAllowances(of: service, calendar: calendar, into: &validator)
        try validator.finish()
    }

    static func storeRouteAndCharges(_ db: any SQLSession, of service: Service) throws {
        try db.cachedExecute(
            sql: "UPDATE service SET components = ?, online_level = ? WHERE code = ?",
            arguments: [APIJSON.text(service.components), service.online?.rawValue, service.code])
        for (position, step) in service.route.enumerated() {
            try db.cachedExecute(
                sql: "INSERT INTO service_step (service, position, department, allowance, task) VALUES (?, ?, ?, ?, ?)",
                arguments: [service.code, position, step.department, step.allowance?.description, step.task])
        }
        for (position, charge) in service.charges.enumerated() {
            try db.cachedExecute(
                sql: "INSERT INTO service_charge (service, position, kind, amount, remittance, label) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [service.code, position, charge.kind.rawValue, charge.amount, charge.remittance.rawValue, charge.label])
        }
    }
}
