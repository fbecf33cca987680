import Foundation
import GRDB
import Testing

@testable import ServiceDesk

@Suite("Schema")
struct SchemaTests {
    static let schemaFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("schema")

    @Test(
        "the embedded migrations are exactly the files of schema/ (SQLite) and schema/postgres/ (PostgreSQL), in order, byte for byte",
        arguments: [("", Schema.migrations), ("postgres", Schema.postgres)])
    func embeddedMatchesFolder(_ folder: String, _ migrations: [Schema.Migration]) throws {
        let folder = Self.schemaFolder.appendingPathComponent(folder)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(migrations.map { $0.name + ".sql" } == files)
        for migration in migrations {
            let text = try String(contentsOf: folder.appendingPathComponent(migration.name + ".sql"), encoding: .utf8)
            #expect(migration.sql == text, "\(migration.name) differs from its file")
        }
    }

    @Test("migration files are numbered NNNN_name.sql without gaps", arguments: [Schema.migrations, Schema.postgres])
    func numbering(_ migrations: [Schema.Migration]) {
        for (index, migration) in migrations.enumerated() {
            let number = String(format: "%04d", index + 1)
            #expect(migration.name.hasPrefix(number + "_"), "\(migration.name) should start with \(number)_")
        }
    }

    @Test("no CHECK or view fills a temporary table with a list of constants at each write; the CHECKs refuse what they refused (0037)")
    func noTemporaryLists() async throws {
        let database = try AppDatabase.inMemory()
        let hot = [
            // An intake's ticket, its first step and its notice; a walk-in number issued and called;
            // a ticket's online figures counted again.
            "INSERT INTO ticket (code, service, service_version, channel, applicant, description, priority, state, received_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            "INSERT INTO ticket_step (ticket, visit, position, department, entered_at, due_at, grade) VALUES (?, ?, ?, ?, ?, ?, ?)",
            "INSERT INTO outbox (message_id, gateway, ticket, kind, channel, recipient, text, state, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
            "INSERT INTO queue_number (label, day, service, priority, state, issued_at, issued_by) VALUES (?, ?, ?, 'normal', 'waiting', ?, ?)",
            "UPDATE queue_number SET state = 'called', called_at = ?, counter = ? WHERE id = ? AND state = 'waiting'",
            "UPDATE ticket SET state = ?, outcome = ?, rating = ?, timeliness = ?, channel = ?, priority = ? WHERE code = ?",
            "SELECT * FROM online_ticket WHERE ticket = ?",
        ]
        try await database.read { db in
            // `x IN ('a', 'b', 'c')`: three constants or more fill a temporary b-tree each time.
            let list = try Regex(#"IN \('[^()']*',[^()]*,[^()]*\)"#)
            for row in try db.fetchRows(sql: "SELECT name, sql FROM sqlite_schema WHERE type IN ('table', 'view') AND sql IS NOT NULL") {
                let sql: String = row["sql"]
                #expect(sql.firstMatch(of: list) == nil, "\(row["name"] as String) keeps a list of constants")
            }
            for sql in hot {
                let blanks = SQLArguments(Array(repeating: nil as String?, count: sql.filter { $0 == "?" }.count))
                let operations = try db.fetchRows(sql: "EXPLAIN " + sql, arguments: blanks, cached: false).map { $0["opcode"] as String }
                // The statement's own program (its CHECKs among it), up to the first trigger's
                // (each begins with Init): the triggers' rollups have their own temporary tables,
                // for the rows of a kind each one counts, behind a condition an intake skips.
                let program = operations.prefix(1) + operations.dropFirst().prefix { $0 != "Init" }
                #expect(program.contains("Halt"), "\(sql) was explained")
                #expect(!program.contains("OpenEphemeral"), "\(sql) opens a temporary table")
            }
            let check = try String.fetchOne(db, sql: "PRAGMA integrity_check")
            #expect(check == "ok")
        }
        // The conditions mean what they meant: a state, a channel or a role outside the list is
        // refused, NULL where the column allows it passes, every listed value passes.
        let failures = [
            "INSERT INTO staff (username, name, role, employment, created_at, updated_at) VALUES ('x', 'X', 'boss', 'contract', 0, 0)",
            "INSERT INTO staff (username, name, role, employment, created_at, updated_at) VALUES ('y', 'Y', 'officer', 'volunteer', 0, 0)",
            "INSERT INTO queue_number (label, day, service, priority, state, issued_at, issued_by) VALUES ('A001', '2026-12-03', 'S', 'normal', 'lost', 0, 'x')",
        ]
        for sql in failures {
            await #expect {
                try await database.write { db in try db.execute(sql: sql) }
            } throws: { error in
                "\(error)".contains("CHECK constraint failed")
            }
        }
        let allowed = try await database.write { db in
            try ["admin", "supervisor", "officer", "handler", "integration", "kiosk", "display"].enumerated().map { index, role in
                try db.execute(
                    sql: "INSERT INTO staff (username, name, role, employment, created_at, updated_at) VALUES (?, 'X', ?, ?, 0, 0)",
                    arguments: ["check.\(index)", role, ["civil-servant", "public-employee", "contract"][index % 3]])
                return role
            }
        }
        #expect(allowed.count == 7)
    }

    @Test("a fresh database has every migration applied")
    func migrated() throws {
        let database = try AppDatabase.inMemory()
        #expect(try database.appliedMigrations() == Schema.migrations.map(\.name))
    }
}
