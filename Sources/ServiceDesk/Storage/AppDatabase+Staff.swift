import Foundation
import GRDB

public struct StaffFilter: Sendable {
    public var role: Role?
    public var department: String?
    public var active: Bool?
    public init(role: Role? = nil, department: String? = nil, active: Bool? = nil) {
        self.role = role
        self.department = department
        self.active = active
    }
}

/// Who a valid token belongs to.
public struct Principal: Codable, Equatable, Sendable {
    public var staff: Staff
    public var tokenId: String
    public var scope: TokenScope
}

extension AppDatabase {
    public func staffList(_ filter: StaffFilter = StaffFilter(), page: PageRequest) async throws -> Page<Staff> {
        try await read { db in
            var sql = "SELECT * FROM staff WHERE username > ?"
            var arguments: SQLArguments = [page.cursor ?? ""]
            if let role = filter.role {
                sql += " AND role = ?"
                arguments += [role.rawValue]
            }
            if let department = filter.department {
                sql += " AND department = ?"
                arguments += [department]
            }
            if let active = filter.active {
                sql += " AND active = ?"
                arguments += [active]
            }
            sql += " ORDER BY username LIMIT ?"
            arguments += [page.limit + 1]
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments).map(Staff.init(row:))
            return Page(rows: rows, limit: page.limit, key: \.username)
        }
    }

    public func staff(_ username: String) async throws -> Staff {
        try await read { db in try Self.staff(db, username) }
    }

    static func staff(_ db: any SQLSession, _ username: String) throws -> Staff {
        guard let row = try db.fetchRow(sql: "SELECT * FROM staff WHERE username = ?", arguments: [username]) else {
            throw DeskError.notFound(entity: "staff", id: username)
        }
        return Staff(row: row)
    }

    public func createStaff(_ draft: StaffDraft, actor: String) async throws -> Staff {
        let staff = try draft.validated()
        let now = clock()
        return try await write { db in
            if try Self.exists(db, "staff", "username", staff.username) {
                throw DeskError.duplicate(entity: "staff", id: staff.username)
            }
            try Self.checkDepartment(db, of: staff)
            try Self.checkBackup(db, of: staff)
            try Self.insert(db, staff: staff, at: now)
            try Self.enforceMode(db, writing: "staff", id: staff.username)
            try EventLog.append(
                db, at: now, actor: actor, action: "staff.create", entity: "staff", entityId: staff.username,
                detail: ["role": staff.role.rawValue, "department": staff.department ?? "none", "employment": staff.employment.rawValue])
            return staff
        }
    }

    public func updateStaff(_ username: String, _ patch: StaffPatch, actor: String) async throws -> Staff {
        let now = clock()
        // What the member's tokens answer changes with them: forgotten once this has committed.
        defer { tokens.changed() }
        return try await write { db in
            let before = try Self.staff(db, username)
            let after = try patch.applied(to: before)
            guard after != before else { return before }
            if after.department != before.department { try Self.checkDepartment(db, of: after) }
            if after.career.backup != before.career.backup { try Self.checkBackup(db, of: after) }
            if before.role == .admin && before.active && (after.role != .admin || !after.active) {
                let admins = try db.fetchValue(Int.self, sql: "SELECT count(*) FROM staff WHERE role = 'admin' AND active = 1") ?? 0
                if admins <= 1 {
                    throw DeskError.conflict("\(username) is the last active admin; make another admin first")
                }
            }
            try db.cachedExecute(
                sql: """
                    UPDATE staff SET name = ?, role = ?, department = ?, employment = ?, active = ?, updated_at = ?, home_agency = ?,
                    seniority_since = ?, seconded_from = ?, seconded_until = ?, active_from = ?, left_on = ?, backup = ? WHERE username = ?
                    """,
                arguments: [
                    after.name, after.role.rawValue, after.department, after.employment.rawValue, after.active, now.storedSeconds,
                    after.career.homeAgency, after.career.senioritySince?.description, after.career.secondedFrom?.description,
                    after.career.secondedUntil?.description, after.career.activeFrom?.description, after.career.leftOn?.description,
                    after.career.backup, username,
                ])
            try Self.enforceMode(db, writing: "staff", id: username)
            try EventLog.append(
                db, at: now, actor: actor, action: "staff.update", entity: "staff", entityId: username,
                detail: Self.changes(from: before, to: after).filter { $0.key != "name" })
            return after
        }
    }

    static func checkDepartment(_ db: any SQLSession, of staff: Staff) throws {
        guard let code = staff.department else { return }
        guard let row = try db.fetchRow(sql: "SELECT active FROM department WHERE code = ?", arguments: [code]) else {
            throw DeskError.inconsistent([FieldError("department", "no department '\(code)'")])
        }
        if !(row["active"] as Bool) {
            throw DeskError.inconsistent([FieldError("department", "department '\(code)' is inactive")])
        }
    }

    /// A named backup is another person on the staff (not a kiosk, screen or integration).
    static func checkBackup(_ db: any SQLSession, of staff: Staff) throws {
        guard let backup = staff.career.backup else { return }
        guard backup != staff.username else {
            throw DeskError.inconsistent([FieldError("career.backup", "a member cannot be their own backup")])
        }
        guard let role = try String.fetchOne(db, sql: "SELECT role FROM staff WHERE username = ?", arguments: [backup]) else {
            throw DeskError.inconsistent([FieldError("career.backup", "no staff member '\(backup)'")])
        }
        guard ["admin", "supervisor", "officer", "handler"].contains(role) else {
            throw DeskError.inconsistent([FieldError("career.backup", "'\(backup)' is a machine account (role \(role)), not a person")])
        }
    }

    static func insert(_ db: any SQLSession, staff: Staff, at now: Date) throws {
        try db.cachedExecute(
            sql:
                """
                INSERT INTO staff (username, name, role, department, employment, active, created_at, updated_at, home_agency, seniority_since,
                seconded_from, seconded_until, active_from, left_on, backup) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                staff.username, staff.name, staff.role.rawValue, staff.department, staff.employment.rawValue, staff.active,
                now.storedSeconds, now.storedSeconds, staff.career.homeAgency, staff.career.senioritySince?.description,
                staff.career.secondedFrom?.description, staff.career.secondedUntil?.description, staff.career.activeFrom?.description,
                staff.career.leftOn?.description, staff.career.backup,
            ])
    }
}

// MARK: - Tokens

extension AppDatabase {
    /// `authenticate(token:)`'s answer from memory, when it has one (a SQLite file; a token seen a
    /// moment ago): without an `await`, whose frame each request in flight would allocate.
    public func rememberedPrincipal(token: String) -> Principal? {
        guard postgres == nil else { return nil }
        return tokens.principal(hash: TokenSecret.hash(token))
    }

    /// The staff member behind a bearer token, if the token is known, not revoked and its
    /// owner active. Looked up by hash: the token itself is never stored.
    /// On a SQLite file a token seen a moment ago is answered from memory (`TokenCache`).
    public func authenticate(token: String) async throws -> Principal? {
        let hash = TokenSecret.hash(token)
        let cache = postgres == nil ? tokens : nil
        if let known = cache?.principal(hash: hash) { return known }
        let generation = cache?.current ?? 0
        let readAt = DispatchTime.now().uptimeNanoseconds
        let principal = try await readStatement { db -> Principal? in
            guard
                let row = try db.fetchRow(
                    sql: """
                        SELECT s.*, t.id AS token_id, t.scope AS token_scope FROM token t JOIN staff s ON s.username = t.username
                        WHERE t.hash = ? AND t.revoked_at IS NULL AND s.active = 1
                        """,
                    arguments: [hash])
            else { return nil }
            return Principal(staff: Staff(row: row), tokenId: row["token_id"], scope: TokenScope(rawValue: row["token_scope"]) ?? .api)
        }
        if let cache, let principal { cache.keep(principal, hash: hash, generation: generation, readAt: readAt) }
        return principal
    }

    /// Whether a token still authenticates (not revoked, its staff member active): what a
    /// long-lived stream checks now and then, so a revoked screen stops.
    public func tokenIsActive(id: String) async throws -> Bool {
        try await readStatement { db in
            try db.fetchValue(
                Bool.self,
                sql: """
                    SELECT 1 FROM token t JOIN staff s ON s.username = t.username
                    WHERE t.id = ? AND t.revoked_at IS NULL AND s.active = 1
                    """,
                arguments: [id]) == true
        }
    }

    public func createToken(for username: String, label: String?, scope: TokenScope = .api, actor: String) async throws -> IssuedToken {
        let now = clock()
        // At most 100 code points as sent (JSON Schema's maxLength).
        guard (label ?? "").unicodeScalars.count <= 100 else {
            throw DeskError.validation([FieldError("label", "must be at most 100 characters")])
        }
        let label = Text.clean(label) ?? "api"
        return try await write { db in
            let staff = try Self.staff(db, username)
            guard staff.active else { throw DeskError.conflict("\(username) is inactive; reactivate them before issuing a token") }
            if scope == .open311 && staff.role != .integration {
                throw DeskError.inconsistent([
                    FieldError("scope", "an Open311 key belongs to an integration member; \(username) is \(staff.role.rawValue)")
                ])
            }
            let token = TokenSecret.generate()
            let info = TokenInfo(id: TokenSecret.newIdentifier(), username: username, label: label, scope: scope, createdAt: now)
            try Self.insert(db, token: info, hash: TokenSecret.hash(token))
            try EventLog.append(
                db, at: now, actor: actor, action: "token.create", entity: "staff", entityId: username,
                detail: ["token": info.id, "label": label, "scope": scope.rawValue])
            return IssuedToken(token: token, info: info)
        }
    }

    public func tokens(for username: String) async throws -> [TokenInfo] {
        try await read { db in
            _ = try Self.staff(db, username)
            return try Row.fetchAll(db, sql: "SELECT * FROM token WHERE username = ? ORDER BY created_at, id", arguments: [username]).map(
                TokenInfo.init(row:))
        }
    }

    public func revokeToken(_ id: String, actor: String) async throws -> TokenInfo {
        let now = clock()
        // Remembered answers are forgotten once the revocation has committed.
        defer { tokens.changed() }
        return try await write { db in
            guard let row = try db.fetchRow(sql: "SELECT * FROM token WHERE id = ?", arguments: [id]) else {
                throw DeskError.notFound(entity: "token", id: id)
            }
            var info = TokenInfo(row: row)
            guard info.revokedAt == nil else { return info }
            try db.cachedExecute(sql: "UPDATE token SET revoked_at = ? WHERE id = ?", arguments: [now.storedSeconds, id])
            info.revokedAt = Date(storedSeconds: now.storedSeconds)
            try EventLog.append(
                db, at: now, actor: actor, action: "token.revoke", entity: "staff", entityId: info.username, detail: ["token": id])
            return info
        }
    }

    static func insert(_ db: any SQLSession, token: TokenInfo, hash: String) throws {
        try db.cachedExecute(
            sql: "INSERT INTO token (id, username, hash, label, scope, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [token.id, token.username, hash, token.label, token.scope.rawValue, token.createdAt.storedSeconds])
    }
}
