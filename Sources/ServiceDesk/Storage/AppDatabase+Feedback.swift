import Foundation
import GRDB

/// The feedback flow's settings and records (migration 0018, docs/feedback.md): severity
/// classes and the forwardings of an item.
extension AppDatabase {
    /// The severity classes, in their order.
    public func severityClasses() async throws -> [SeverityClass] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM severity_class ORDER BY position, code").map(SeverityClass.init(row:))
        }
    }

    /// Creates or replaces a severity class. Tickets already classed keep the terms they were
    /// given.
    public func putSeverityClass(_ code: String, _ draft: SeverityClassDraft, actor: String) async throws -> SeverityClass {
        let value = try draft.validated(code: code)
        let now = clock()
        return try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO severity_class (code, name, time_limit, round_the_clock, position) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (code) DO UPDATE SET name = excluded.name, time_limit = excluded.time_limit,
                        round_the_clock = excluded.round_the_clock, position = excluded.position
                    """,
                arguments: [value.code, value.name, value.timeLimit?.description, value.roundTheClock, value.position])
            try EventLog.append(
                db, at: now, actor: actor, action: "severity-class.put", entity: "severity-class", entityId: value.code, detail: value)
            return value
        }
    }

    /// The class an intake names; an unknown one is a 409 (the name is well formed, the
    /// catalogue has no such class).
    static func severityClass(_ db: any SQLSession, _ code: String) throws -> SeverityClass {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM severity_class WHERE code = ?", arguments: [code]) else {
            throw DeskError.inconsistent([FieldError("severity", "no severity class \(code); see GET /api/v1/severity-classes")])
        }
        return SeverityClass(row: row)
    }

    /// A ticket's forwardings, for whoever may see the ticket.
    public func forwards(of code: String, viewer: Staff) async throws -> [Forward] {
        try await read { db in
            _ = try Self.visibleTicket(db, code, viewer: viewer)
            return try Self.forwards(db, code)
        }
    }
}
