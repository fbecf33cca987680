import Foundation
import GRDB

public struct DepartmentFilter: Sendable {
    public var kind: Department.Kind?
    public var active: Bool?
    public init(kind: Department.Kind? = nil, active: Bool? = nil) {
        self.kind = kind
        self.active = active
    }
}

extension AppDatabase {
    public func departments(_ filter: DepartmentFilter = DepartmentFilter(), page: PageRequest) async throws -> Page<Department> {
        try await read { db in
            var sql = "SELECT * FROM department WHERE code > ?"
            var arguments: SQLArguments = [page.cursor ?? ""]
            if let kind = filter.kind {
                sql += " AND kind = ?"
                arguments += [kind.rawValue]
            }
            if let active = filter.active {
                sql += " AND active = ?"
                arguments += [active]
            }
            sql += " ORDER BY code LIMIT ?"
            arguments += [page.limit + 1]
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments).map(Department.init(row:))
            return Page(rows: rows, limit: page.limit, key: \.code)
        }
    }

    public func department(_ code: String) async throws -> Department {
        try await read { db in try Self.department(db, code) }
    }

    static func department(_ db: any SQLSession, _ code: String) throws -> Department {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM department WHERE code = ?", arguments: [code]) else {
            throw DeskError.notFound(entity: "department", id: code)
        }
        return Department(row: row)
    }

    public func createDepartment(_ draft: DepartmentDraft, actor: String) async throws -> Department {
        let department = try draft.validated()
        let now = clock()
        return try await write { db in
            if try Self.exists(db, "department", "code", department.code) {
                throw DeskError.duplicate(entity: "department", id: department.code)
            }
            try db.execute(
                sql:
                    "INSERT INTO department (code, name, kind, decides, active, created_at, updated_at, contact) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    department.code, department.name, department.kind.rawValue, department.decides, department.active, now.storedSeconds,
                    now.storedSeconds, department.contact,
                ])
            try EventLog.append(
                db, at: now, actor: actor, action: "department.create", entity: "department", entityId: department.code, detail: department)
            return department
        }
    }

    /// Updates a department. Deactivating one that an active service still routes through is
    /// refused (intake on that service would have nowhere to go); a change that breaks a mode
    /// rule for a service or staff member (say, `decides: false` under a deciding step) is refused with the list.
    public func updateDepartment(_ code: String, _ patch: DepartmentPatch, actor: String) async throws -> Department {
        let now = clock()
        return try await write { db in
            let before = try Self.department(db, code)
            let after = try patch.applied(to: before)
            guard after != before else { return before }
            if before.active && !after.active {
                let services = try String.fetchAll(
                    db,
                    sql: """
                        SELECT DISTINCT s.code FROM service_step st JOIN service s ON s.code = st.service
                        WHERE st.department = ? AND s.active = 1 ORDER BY s.code
                        """,
                    arguments: [code])
                if !services.isEmpty {
                    throw DeskError.conflict(
                        "department \(code) is on the route of active services \(services.joined(separator: ", ")); change or deactivate them first"
                    )
                }
            }
            try db.execute(
                sql: "UPDATE department SET name = ?, kind = ?, decides = ?, active = ?, updated_at = ?, contact = ? WHERE code = ?",
                arguments: [after.name, after.kind.rawValue, after.decides, after.active, now.storedSeconds, after.contact, code])
            try Self.enforceMode(db, writing: "department", id: code)
            try EventLog.append(
                db, at: now, actor: actor, action: "department.update", entity: "department", entityId: code,
                detail: Self.changes(from: before, to: after))
            return after
        }
    }
}
