import Foundation
import GRDB
import NIOCore
import PostgresNIO
import Synchronization
import Testing

@testable import ServiceDesk

/// A centre's database on PostgreSQL (issue 18, first part; docs/postgresql.md): the model's
/// migrations, `deskcli db migrate|check|copy` and `audit verify|anchor` on a real server of the
/// test's own (`PostgresServer`).
@Suite("PostgreSQL: the model, the check, the copy from SQLite")
struct PostgresTests {
    /// The PostgreSQL migrations, by name.
    static let migrations = [
        "0001_model", "0002_rollup_triggers", "0003_sqlite_functions", "0004_search_words_and_scalars", "0005_calendar_generation",
        "0006_rate_windows",
    ]

    @Test("a PostgreSQL URL: user, host, port, database, sslmode and PGPASSWORD as libpq reads them; anything else refused")
    func location() throws {
        let plain = try PostgresLocation(url: "postgres://desk@db.example:6432/centre", environment: [:])
        #expect(plain.host == "db.example" && plain.port == 6432 && plain.username == "desk" && plain.database == "centre")
        #expect(plain.password == nil && plain.tls == .prefer)
        let full = try PostgresLocation(
            url: "postgresql://desk:p%40ss@10.0.0.5/tt?sslmode=verify-full", environment: ["PGPASSWORD": "other"])
        #expect(full.port == 5432 && full.password == "p@ss" && full.tls == .verifyFull)
        #expect(full.redacted == "postgres://desk@10.0.0.5:5432/tt")
        #expect(try PostgresLocation(url: "postgres://desk@h/d?sslmode=disable", environment: ["PGPASSWORD": "x"]).password == "x")
        // Decoded once: a password may hold a '%'; an IPv6 host loses its brackets (and gets them back in messages).
        let literal = try PostgresLocation(url: "postgres://d%20sk:ab%2541@[::1]:5433/c%C3%A0", environment: [:])
        #expect(literal.username == "d sk" && literal.password == "ab%41" && literal.host == "::1" && literal.database == "cà")
        #expect(literal.redacted == "postgres://d sk@[::1]:5433/cà")
        for bad in [
            "desk.sqlite", "postgres://h/d", "postgres://desk@h", "postgres://desk@h/", "postgres://desk@/d",
            "postgres://desk@h/d?sslmode=maybe", "postgres://desk@h/d?timeout=3", "postgres://desk@h:0/d",
        ] {
            #expect(throws: PostgresStoreError.self, "\(bad)") { try PostgresLocation(url: bad, environment: [:]) }
        }
    }

    @Test("a migration file splits into statements: semicolons in strings, names, comments and dollar-quoted bodies stay inside")
    func statements() {
        let sql = """
            -- a comment; with a semicolon
            CREATE TABLE "a;b" (x text DEFAULT 'it''s; here');
            /* block; comment */ INSERT INTO t VALUES ('$$;');
            CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no; never'; END $$;
            CREATE FUNCTION g() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$;
            ;
            PREPARE p AS SELECT a$b FROM t WHERE x = $1;
            SELECT 1
            """
        let parts = SQLStatements.split(sql)
        #expect(parts.count == 6, "\(parts)")
        #expect(parts[4] == "PREPARE p AS SELECT a$b FROM t WHERE x = $1")
        #expect(parts[0].hasSuffix("CREATE TABLE \"a;b\" (x text DEFAULT 'it''s; here')"))
        #expect(parts[1].hasSuffix("INSERT INTO t VALUES ('$$;')"))
        #expect(parts[2].hasSuffix("END $$"))
        #expect(parts[3].hasSuffix("SELECT 1; $body$"))
        #expect(parts[5] == "SELECT 1")
        // The model itself: every statement of it is one the server took (migrate, below).
        #expect(SQLStatements.split(Schema.postgres[0].sql).count > 100)
    }

    @Test(
        "db migrate on PostgreSQL: the model applied once, again nothing; a database of a newer ServiceDesk refused; check",
        .enabled(if: PostgresServer.enabled))
    func migrate() async throws {
        let server = try await PostgresServer.start()
        defer { server.stop() }
        let url = try await server.createDatabase()
        let store = try await PostgresStore.connect(try PostgresLocation(url: url))
        var report = try await store.check()
        #expect(report.appliedMigrations.isEmpty && report.pendingMigrations == Self.migrations && !report.healthy)
        await #expect(throws: PostgresStoreError.self) { try await store.verifyEventChain() }
        // Two instances starting at once, each with its connection: one migrates, the other waits
        // for its lock and finds it done.
        @Sendable func migrateAsAnInstance() async throws -> [String] {
            let instance = try await PostgresStore.connect(try PostgresLocation(url: url))
            let applied = try await instance.migrate()
            await instance.close()
            return applied
        }
        async let first = migrateAsAnInstance()
        async let second = migrateAsAnInstance()
        #expect(try await first == Self.migrations)
        #expect(try await second == Self.migrations)
        let applied = try server.psql(url, "SELECT name, applied_at FROM desk_migration")
        #expect(try await store.migrate() == Self.migrations)
        #expect(try server.psql(url, "SELECT name, applied_at FROM desk_migration") == applied)  // not applied again
        report = try await store.check()
        #expect(report.healthy && report.eventChain?.checked == 0 && report.server.hasPrefix("PostgreSQL "))
        #expect(report.rollups?.built == false)  // no centre yet: nothing counted, nothing to compare
        // What the SQLite migrations insert is there, and the search folds Vietnamese as ServiceDesk does.
        #expect(try server.psql(url, "SELECT count(*) FROM severity_class") == "3\n")
        for name in ["Đặng Thị Ngọc Ánh", "NGUYỄN VĂN ĐỨC", "Phản ánh đèn đường hỏng", "Hồ Chí Minh"] {
            #expect(try server.psql(url, "SELECT desk_fold('\(name)')") == TextFolding.fold(name) + "\n", "\(name)")
        }
        try server.psql(url, "INSERT INTO desk_migration (name) VALUES ('0099_from_the_future')")
        func newer(_ error: any Error) -> Bool { (error as? PostgresStoreError)?.description.contains("0099_from_the_future") == true }
        await #expect(performing: { try await store.migrate() }, throws: newer)
        await #expect(performing: { try await store.verifyEventChain() }, throws: newer)
        await #expect(performing: { try await store.chainAnchor() }, throws: newer)
        report = try await store.check()
        #expect(report.unknownMigrations == ["0099_from_the_future"] && !report.healthy)
        await store.close()

        // A database that would sort text otherwise than SQLite (or not hold it as UTF-8) is refused.
        let latin = try await server.createDatabase(options: "ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0")
        let refused = try await PostgresStore.connect(try PostgresLocation(url: latin))
        await #expect {
            try await refused.migrate()
        } throws: { ($0 as? PostgresStoreError)?.description.contains("--locale=C") == true }
        #expect(try server.psql(latin, "SELECT to_regclass('desk_migration') IS NULL") == "t\n")
        await refused.close()
    }

    /// A file with a centre, the example catalogue, a seeded history and the events they wrote.
    static func centre(at path: String, tickets: Int) async throws -> AppDatabase {
        let database = try AppDatabase.open(path: path, schema: .migrate)
        _ = try database.bootstrap()
        _ = try await Demo.load(into: database, actor: "test")
        _ = try database.seed(
            tickets: tickets, from: LocalDate("2026-09-01")!, to: LocalDate("2026-10-31")!, seed: 7, actor: "test")
        // The report rollups built, as deskd builds them at its start.
        try await database.prepareReportRollups()
        return database
    }

    @Test(
        "db copy: a centre moves row for row and value for value; the chain verifies with the file's head; a second copy refused",
        .enabled(if: PostgresServer.enabled))
    func copy() async throws {
        let server = try await PostgresServer.start()
        defer { server.stop() }
        let scratch = try Scratch()
        let source = try await Self.centre(at: scratch.path("desk.sqlite"), tickets: 1500)
        // Reals, and scans whose bytes (12 × 1 MiB) take more than one batch.
        try await source.writer.write { db in
            try db.execute(
                sql:
                    "UPDATE ticket SET location_lat = 21.0285 + (received_at % 997) * 0.0001, location_long = 105.8542 WHERE received_at % 7 = 0"
            )
            let ticket = try String.fetchOne(db, sql: "SELECT min(code) FROM ticket")
            for index in 0..<12 {
                let bytes = Data((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) })
                try db.execute(
                    sql: """
                        INSERT INTO stored_file (ticket, slot, document, content_type, size, sha256, bytes, uploaded_at, uploaded_by)
                        VALUES (?, 'document', ?, 'application/pdf', ?, ?, ?, 1790000000, 'test')
                        """,
                    arguments: [ticket, index, bytes.count, "\(index)", bytes])
            }
        }
        let url = try await server.createDatabase()
        let store = try await PostgresStore.connect(try PostgresLocation(url: url))
        try await store.migrate()
        let generation = try await source.writer.read { db in try Int64.fetchOne(db, sql: "SELECT value FROM catalogue_generation") }
        let report = try await store.copy(from: source)
        #expect(try server.psql(url, "SELECT value FROM catalogue_generation") == "\(generation ?? 0)\n")
        #expect(report.rollups == .compared)
        // Every value of every table, as the model's column type reads it; the multisets of minutes
        // the file holds as blobs, decoded here into the rows PostgreSQL keeps them as.
        for table in try await store.modelTables() {
            let names = table.columns.map { "\"\($0.name)\"" }.joined(separator: ", ")
            let fileRows = try await source.writer.read { db in
                guard let unfolded = PostgresStore.unfolded.first(where: { $0.into == table.name }) else {
                    return try Row.fetchAll(db, sql: "SELECT \(names) FROM \"\(table.name)\"").map { row in
                        zip(table.columns, row.databaseValues).map { Self.canonical($0.1, $0.0.kind) }
                    }
                }
                var rows: [[String]] = []
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \(unfolded.table)") {
                    let keys = zip(unfolded.keys, table.columns).map { Self.canonical(row[$0.0] as DatabaseValue, $0.1.kind) }
                    for blob in unfolded.blobs {
                        for (value, count) in CountedValues(decoding: [UInt8](row[blob] as Data))?.valueCounts ?? [(-1, -1)] {
                            rows.append(keys + [blob, "\(value)", "\(count)"])
                        }
                    }
                }
                return rows
            }.sorted { $0.lexicographicallyPrecedes($1) }
            if PostgresStore.countedTables.contains(table.name) { #expect(!fileRows.isEmpty, "\(table.name)") }
            var copiedRows: [[String]] = []
            for try await row in try await store.run("SELECT \(names) FROM \"\(table.name)\"") {
                copiedRows.append(try zip(table.columns, row).map { try Self.canonical($0.1, $0.0.kind) })
            }
            copiedRows.sort { $0.lexicographicallyPrecedes($1) }
            #expect(copiedRows == fileRows, "\(table.name)")
        }

        let fileCounts = try await source.writer.read { db in
            try source.modelTables(db).map { ($0, try Int.fetchOne(db, sql: "SELECT count(*) FROM \"\($0)\"") ?? -1) }
        }
        #expect(report.tables.map(\.name).sorted() == fileCounts.map(\.0).sorted())
        #expect(try server.psql(url, "SELECT utc_offset FROM report_rollup") == "25200\n")
        for (table, rows) in fileCounts {
            #expect(report.tables.first { $0.name == table }?.rows == rows, "\(table)")
            #expect(try server.psql(url, "SELECT count(*) FROM \"\(table)\"") == "\(rows)\n", "\(table)")
        }
        #expect(try #require(fileCounts.first { $0.0 == "ticket" }).1 == 1500)
        #expect(try server.psql(url, "SELECT count(*), sum(length(bytes)) FROM stored_file") == "12|12582912\n")
        #expect(try server.psql(url, "SELECT count(*) > 100 FROM ticket WHERE location_lat > 21") == "t\n")

        let head = try #require(try source.chainAnchor())
        #expect(report.eventChain.intact && report.eventChain.checked == Int(head.eventId))
        #expect(report.head?.eventId == head.eventId && report.head?.hash == head.hash)
        #expect(try await store.chainAnchor()?.hash == head.hash)
        // Rows PostgreSQL numbers from now on follow the file's.
        let nextApplicant = try server.psql(url, "INSERT INTO applicant (kind, name, created_at) VALUES ('person', 'Mới', 0) RETURNING id")
        #expect(
            Int64(Text.trimmed(nextApplicant))
                == (try await source.writer.read { db in try Int64.fetchOne(db, sql: "SELECT max(id) FROM applicant") ?? 0 }) + 1)

        await #expect {
            try await store.copy(from: source)
        } throws: { ($0 as? PostgresStoreError)?.description.contains("already holds a centre") == true }
        await store.close()
        try source.close()
    }

    @Test(
        "report rollups on PostgreSQL: the same writes on both engines leave the same rollups; the rebuild agrees; a file whose rollups disagree is not copied; one without them gets them counted",
        .enabled(if: PostgresServer.enabled))
    func rollupsKeptAlike() async throws {
        let server = try await PostgresServer.start()
        defer { server.stop() }
        let scratch = try Scratch()
        let source = try await Self.centre(at: scratch.path("desk.sqlite"), tickets: 900)

        // The same statements on both engines, each touching what a trigger counts: a ticket's
        // groups, its days, its minutes, its rating and return, its progress, its charges; route
        // steps; payments (put in, changed, moved to another ticket, taken out); the portal's
        // acknowledgement; a result file; an online reception; tickets put in and taken out.
        let picked = try await source.read { db in
            (
                resolved: try String.fetchAll(db, sql: "SELECT code FROM ticket WHERE resolved_at IS NOT NULL ORDER BY code LIMIT 40"),
                returned: try String.fetchAll(db, sql: "SELECT code FROM ticket WHERE returned_at IS NOT NULL ORDER BY code DESC LIMIT 2"),
                charged: try String.fetchAll(
                    db, sql: "SELECT code FROM ticket WHERE charge_lines > 0 AND accepted_at IS NOT NULL ORDER BY code DESC LIMIT 12"),
                departments: try String.fetchAll(db, sql: "SELECT code FROM department ORDER BY code"),
                steps: try Row.fetchAll(
                    db,
                    sql:
                        "SELECT ticket, visit FROM ticket_step WHERE left_at IS NOT NULL AND ticket_resolved_at IS NOT NULL ORDER BY ticket, visit LIMIT 12"
                ).map { "ticket = '\($0[0] as String)' AND visit = \($0[1] as Int64)" }
            )
        }
        try #require(picked.resolved.count == 40 && picked.returned.count == 2 && picked.charged.count == 12)
        try #require(
            picked.departments.count >= 2 && picked.steps.count == 12,
            "\(picked.departments.count) departments, \(picked.steps.count) steps")
        let (resolved, charged, steps) = (picked.resolved, picked.charged, picked.steps)

        // The centre moved, then the same writes on both.
        let url = try await server.createDatabase()
        try await PostgresStore.with(url: url) { store in
            try await store.migrate()
            #expect(try await store.copy(from: source).rollups == .compared)
            var statements: [String] = []
            for (index, code) in resolved[0..<10].enumerated() {
                statements.append(
                    "UPDATE ticket SET department = '\(picked.departments[index % picked.departments.count])', holder = NULL WHERE code = '\(code)'"
                )
            }
            for code in resolved[10..<20] {
                statements.append(
                    "UPDATE ticket SET resolved_at = resolved_at + 90000, handling_working_minutes = handling_working_minutes + 13, paused_minutes = paused_minutes + 5 WHERE code = '\(code)'"
                )
            }
            for code in resolved[20..<30] {
                statements.append(
                    "UPDATE ticket SET rating = 'dissatisfied', returned_at = resolved_at + 7200, state = 'returned' WHERE code = '\(code)'"
                )
            }
            for code in resolved[30..<35] {
                statements.append(
                    "UPDATE ticket SET handling_calendar_minutes = NULL, timeliness = 'late', apologised_at = resolved_at WHERE code = '\(code)'"
                )
            }
            for code in resolved[35..<40] {
                statements.append(
                    "UPDATE ticket SET resolved_at = NULL, handling_working_minutes = NULL, state = 'in-progress' WHERE code = '\(code)'")
            }
            for (index, code) in charged[0..<6].enumerated() {
                statements.append(
                    "INSERT INTO payment (ticket, line, kind, amount, method, at, collected_by) SELECT code, 0, '\(index % 2 == 0 ? "paid" : "exempt")', 12000, 'online', accepted_at + \(86400 * (index + 40)), 'test' FROM ticket WHERE code = '\(code)'"
                )
            }
            statements += [
                "UPDATE ticket SET charge_le_phi = charge_le_phi + 5000 WHERE code = '\(charged[6])'",
                "UPDATE ticket SET charge_lines = 0 WHERE code = '\(charged[7])'",
                "UPDATE ticket SET holder = NULL, channel = 'post' WHERE code = '\(charged[8])'",
                "UPDATE payment SET amount = amount + 1000, method = 'cash' WHERE ticket = '\(charged[0])'",
                "UPDATE payment SET kind = 'paid' WHERE ticket = '\(charged[1])'",
                "UPDATE payment SET ticket = '\(charged[9])' WHERE ticket = '\(charged[2])'",
                "DELETE FROM payment WHERE ticket = '\(charged[3])'",
                "INSERT INTO sync_ack (ticket, event_id, portal_status, acked_at, acked_by) SELECT code, 1, 9, received_at, 'test' FROM ticket WHERE code = '\(resolved[0])' AND NOT EXISTS (SELECT 1 FROM sync_ack WHERE ticket = '\(resolved[0])')",
                "INSERT INTO sync_ack (ticket, event_id, portal_status, acked_at, acked_by) SELECT code, 1, 4, received_at, 'test' FROM ticket WHERE code = '\(resolved[1])' AND NOT EXISTS (SELECT 1 FROM sync_ack WHERE ticket = '\(resolved[1])')",
                "UPDATE sync_ack SET portal_status = 10 WHERE ticket = '\(resolved[0])'",
                "DELETE FROM sync_ack WHERE ticket = '\(resolved[1])'",
                "INSERT INTO stored_file (id, ticket, slot, content_type, size, sha256, uploaded_at, uploaded_by) SELECT 900001, code, 'result', 'application/pdf', 3, 'abc', received_at + 86400 * 60, 'test' FROM ticket WHERE code = '\(resolved[2])'",
                "UPDATE ticket SET result_file = 900001 WHERE code = '\(resolved[2])'",
                "UPDATE stored_file SET uploaded_at = uploaded_at + 86400 WHERE id = 900001",
                "INSERT INTO event (id, at, actor, action, entity, entity_id, detail, prev_hash, hash) SELECT 900001, received_at + 86400 * 70, 'test', 'ticket.receive', 'ticket', code, '{\"receptionGrade\":\"late\"}', 'x', 'y' FROM ticket WHERE code = '\(resolved[3])'",
                "UPDATE ticket_step SET claimed_at = NULL WHERE \(steps[0])",
                "UPDATE ticket_step SET department = '\(picked.departments[0])' WHERE \(steps[1])",
                "UPDATE ticket_step SET department = '\(picked.departments[1])' WHERE \(steps[2])",
                "UPDATE ticket_step SET left_at = left_at + 7200 WHERE \(steps[3])",
                "UPDATE ticket_step SET ticket_resolved_at = ticket_resolved_at + 86400 * 3 WHERE \(steps[4])",
                "UPDATE ticket_step SET left_at = NULL WHERE \(steps[5])",
                "DELETE FROM ticket_step WHERE \(steps[6])",
                "INSERT INTO ticket_step (ticket, visit, position, department, entered_at, claimed_at, left_at, ticket_resolved_at) SELECT ticket, visit + 100, position, department, entered_at, claimed_at, left_at + 600, ticket_resolved_at FROM ticket_step WHERE \(steps[7])",
                "UPDATE ticket SET accepted_at = accepted_at + 86400 * 2 WHERE code = '\(charged[10])'",
                "UPDATE ticket SET received_at = received_at - 86400 WHERE code = '\(resolved[4])'",
                "UPDATE ticket SET closed_at = accepted_at + 86400 * 500 WHERE code = '\(charged[11])'",
            ]
            for (index, copy) in ["Z-1", "Z-2", "Z-3"].enumerated() {
                statements.append(
                    """
                    INSERT INTO ticket (code, service, service_version, channel, applicant, priority, state, received_at, created_by, accepted_at,
                        resolved_at, returned_at, handling_working_minutes, handling_calendar_minutes, timeliness, rating, department, holder,
                        charge_lines, charge_le_phi, charge_phi)
                    SELECT '\(copy)', service, service_version, 'web', applicant, priority, state, received_at, created_by, accepted_at,
                        resolved_at, returned_at, handling_working_minutes, handling_calendar_minutes, timeliness, rating, department, holder,
                        1, 50000, \(index * 1000) FROM ticket WHERE code = '\(picked.returned[index % 2])'
                    """)
            }
            statements += [
                "INSERT INTO payment (ticket, line, kind, amount, method, at, collected_by) SELECT code, 0, 'paid', 50000, 'online', accepted_at + 600, 'test' FROM ticket WHERE code = 'Z-2'",
                "DELETE FROM payment WHERE ticket = 'Z-2'",
                "DELETE FROM ticket WHERE code = 'Z-2'",
                "DELETE FROM ticket WHERE code = 'Z-3'",
            ]
            for statement in statements {
                try await source.writer.write { db in try db.execute(sql: statement) }
                try await store.run(PostgresQuery(unsafeSQL: statement))
            }
            let counted = try server.psql(url, "SELECT (SELECT count(*) FROM handling_minutes), (SELECT count(*) FROM online_counted)")
            try await store.verifyRollups(against: source)
            // The bounds the reports read rows by grew alike (the longest life by 500 days).
            let bounds = "utc_offset, longest_life, online_latest, online_longest_lag, revenue_latest, revenue_longest_lag"
            let fileBounds = try await source.read { db in
                try Row.fetchOne(db, sql: "SELECT \(bounds) FROM report_rollup")!.databaseValues.map { "\($0)" }
            }
            let ourBounds = try server.psql(url, "SELECT \(bounds) FROM report_rollup")
            #expect(ourBounds == fileBounds.joined(separator: "|") + "\n")
            #expect(Int64(fileBounds[1])! >= 500 * 86400)

            // Counted afresh from the rows on PostgreSQL: the same rollups again.
            try server.psql(url, "SELECT desk_rollups_rebuild(utc_offset) FROM report_rollup")
            #expect(
                try server.psql(url, "SELECT (SELECT count(*) FROM handling_minutes), (SELECT count(*) FROM online_counted)") == counted)
            try await store.verifyRollups(against: source)

            // db check counts them afresh beside those kept: they agree.
            let check = try await store.check()
            #expect(check.rollups?.built == true && check.rollups?.problem == nil)

            // One count off on PostgreSQL, or in the file: found, named; db check finds it too, and
            // changes nothing (its count is rolled back).
            try server.psql(
                url,
                "UPDATE handling_minutes SET times = times + 1 WHERE (kind, day, key, measure, minutes) = (SELECT kind, day, key, measure, minutes FROM handling_minutes ORDER BY 1, 2, 3, 4, 5 LIMIT 1)"
            )
            await #expect {
                try await store.verifyRollups(against: source)
            } throws: { ($0 as? PostgresStoreError)?.description.contains("in handling_minutes: 1 row(s) only on PostgreSQL") == true }
            let problem = try await store.check().rollups?.problem ?? ""
            #expect(problem.contains("in handling_minutes: 1 row(s) only in the count") && problem.contains("1 only among those kept"))
            await #expect(throws: PostgresStoreError.self) { try await store.verifyRollups(against: source) }
        }

        try await source.writer.write { db in
            try db.execute(
                sql:
                    "UPDATE progress_rollup SET tickets = tickets + 1 WHERE (kind, day, key, code) IN (SELECT kind, day, key, code FROM progress_rollup ORDER BY day LIMIT 1)"
            )
        }
        let second = try await server.createDatabase()
        try await PostgresStore.with(url: second) { refused in
            try await refused.migrate()
            await #expect {
                try await refused.copy(from: source)
            } throws: { ($0 as? PostgresStoreError)?.description.contains("differ from the file's in progress_rollup") == true }
        }
        #expect(try server.psql(second, "SELECT (SELECT count(*) FROM ticket), (SELECT count(*) FROM progress_rollup)") == "0|0\n")
        try source.close()

        // A file whose rollups are not built (rows of an older offset left, a blob among them not
        // even a multiset): PostgreSQL counts them at the centre's offset, as deskd does at start.
        let plain = try await Self.centre(at: scratch.path("plain.sqlite"), tickets: 300)
        try await plain.writer.write { db in
            try db.execute(sql: "UPDATE report_rollup SET utc_offset = NULL; UPDATE handling_rollup SET working = X'FF'")
        }
        let third = try await server.createDatabase()
        try await PostgresStore.with(url: third) { store in
            try await store.migrate()
            #expect(try await store.copy(from: plain).rollups == .counted)
            try await plain.prepareReportRollups()
            try await store.verifyRollups(against: plain)
        }
        #expect(try server.psql(third, "SELECT utc_offset, count(*) > 0 FROM report_rollup, handling_minutes GROUP BY 1") == "25200|t\n")
        try plain.close()
    }

    /// A value as the model's column type holds it: the file's as the copy converts it, the
    /// server's as it comes back.
    static func canonical(_ value: DatabaseValue, _ kind: PostgresStore.Column.Kind) -> String {
        switch (value.storage, kind) {
        case (.null, _): "∅"
        case (.int64(let number), .bigint): "\(number)"
        case (.int64(let number), .double): "\(Double(number))"
        case (.int64(let number), .text): number.description
        case (.double(let number), .double): "\(number)"
        case (.double(let number), .bigint): "\(Int64(number))"
        case (.string(let text), _): text
        case (.blob(let data), _): data.hexString
        default: "?\(value)"
        }
    }

    static func canonical(_ cell: PostgresCell, _ kind: PostgresStore.Column.Kind) throws -> String {
        switch kind {
        case .bigint: try cell.decode(Int64?.self).map { "\($0)" } ?? "∅"
        case .double: try cell.decode(Double?.self).map { "\($0)" } ?? "∅"
        case .text: try cell.decode(String?.self) ?? "∅"
        case .bytea: try cell.decode(ByteBuffer?.self).map { Data($0.readableBytesView).hexString } ?? "∅"
        }
    }

    @Test(
        "a copy that cannot finish commits nothing: a value that does not fit, a model that differs, a target not migrated",
        .enabled(if: PostgresServer.enabled))
    func copyAllOrNothing() async throws {
        let server = try await PostgresServer.start()
        defer { server.stop() }
        let scratch = try Scratch()
        let source = try await Self.centre(at: scratch.path("desk.sqlite"), tickets: 3000)

        let unmigrated = try await PostgresStore.connect(try PostgresLocation(url: try await server.createDatabase()))
        await #expect {
            try await unmigrated.copy(from: source)
        } throws: { ($0 as? PostgresStoreError)?.description.contains("db migrate") == true }
        await unmigrated.close()

        // A text where the model has an integer, in the last of 3,000 tickets: thousands of rows
        // are already sent when it fails.
        try await source.writer.write { db in
            try db.execute(sql: "UPDATE ticket SET early_return = 'soon' WHERE code = (SELECT max(code) FROM ticket)")
        }
        let url = try await server.createDatabase()
        let store = try await PostgresStore.connect(try PostgresLocation(url: url))
        try await store.migrate()
        await #expect {
            try await store.copy(from: source)
        } throws: { ($0 as? PostgresStoreError)?.description.contains("ticket.early_return") == true }
        for table in ["centre", "ticket", "applicant", "event", "service"] {
            #expect(try server.psql(url, "SELECT count(*) FROM \(table)") == "0\n", "\(table)")
        }
        #expect(try server.psql(url, "SELECT count(*) FROM severity_class") == "3\n")

        try await source.writer.write { db in try db.execute(sql: "UPDATE ticket SET early_return = NULL WHERE early_return = 'soon'") }
        try server.psql(url, "ALTER TABLE staff DROP COLUMN backup")
        await #expect {
            try await store.copy(from: source)
        } throws: {
            ($0 as? PostgresStoreError)?.description == "staff has columns [\"backup\"] only in the file and [] only in PostgreSQL"
        }
        #expect(try server.psql(url, "SELECT count(*) FROM centre") == "0\n")
        try server.psql(url, "ALTER TABLE staff ADD COLUMN backup text REFERENCES staff (username) DEFERRABLE")

        // A ticket of a department the file never had (its keys were off): PostgreSQL finds it
        // at the commit, after every row went in — and the commit fails whole.
        try await source.writer.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "UPDATE ticket SET department = 'nowhere' WHERE code = (SELECT min(code) FROM ticket)")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        await #expect {
            try await store.copy(from: source)
        } throws: { ($0 as? PostgresStoreError)?.description.contains("foreign key") == true }
        #expect(try server.psql(url, "SELECT count(*) FROM ticket") == "0\n")
        try await source.writer.write { db in
            try db.execute(sql: "UPDATE ticket SET department = NULL WHERE department = 'nowhere'")
        }

        // Cancelled (deskcli interrupted) before it began, and half-way — once the first tables
        // with rows are in: nothing committed (not even an empty centre in place of the
        // migrations' rows), and the file's read transaction over (the pool's close waits for its
        // readers: a reader left behind would hang this test).
        @Sendable func copyCancelled(afterTables: Int?) async throws -> [String] {
            let store = try await PostgresStore.connect(try PostgresLocation(url: url))
            if afterTables == nil { withUnsafeCurrentTask { $0?.cancel() } }
            var done: [String] = []
            do {
                _ = try await store.copy(from: source) { table, rows in
                    if rows > 0 { done.append(table) }
                    if done.count == afterTables { withUnsafeCurrentTask { $0?.cancel() } }
                }
            } catch {
                await store.close()
                return done
            }
            await store.close()
            throw CLIRunError("the copy was not cancelled")
        }
        #expect(try await Task { try await copyCancelled(afterTables: nil) }.value.isEmpty)
        #expect(try server.psql(url, "SELECT count(*) FROM severity_class") == "3\n")
        // (The parts already read ahead may still go in before the copy notices: a few more tables.)
        let tablesWithRows = try await source.writer.read { db in
            try source.modelTables(db).filter { try Int.fetchOne(db, sql: "SELECT count(*) FROM \"\($0)\"") ?? 0 > 0 }.count
        }
        let before = try await Task { try await copyCancelled(afterTables: 3) }.value.count
        #expect(before >= 3 && before < tablesWithRows, "\(before) of \(tablesWithRows) tables in before it stopped")
        for table in ["centre", "ticket", "applicant", "department"] {
            #expect(try server.psql(url, "SELECT count(*) FROM \(table)") == "0\n", "\(table)")
        }
        #expect(try server.psql(url, "SELECT count(*) FROM severity_class") == "3\n")
        await store.close()
        try source.close()
    }

    @Test(
        "the audit chain on PostgreSQL: append-only; an edit behind the server's back, a cut tail against an anchor, found",
        .enabled(if: PostgresServer.enabled))
    func chain() async throws {
        let server = try await PostgresServer.start()
        defer { server.stop() }
        let scratch = try Scratch()
        let source = try await Self.centre(at: scratch.path("desk.sqlite"), tickets: 50)
        let url = try await server.createDatabase()
        let store = try await PostgresStore.connect(try PostgresLocation(url: url))
        try await store.migrate()
        let report = try await store.copy(from: source)
        let head = try #require(report.head)
        #expect(head.eventId > 3)

        #expect(throws: CLIRunError.self) { try server.psql(url, "UPDATE event SET actor = 'someone' WHERE id = 3") }
        #expect(throws: CLIRunError.self) { try server.psql(url, "DELETE FROM event WHERE id = \(head.eventId)") }
        #expect(try await store.verifyEventChain(anchors: [head]).intact)

        try server.psql(url, "ALTER TABLE event DISABLE TRIGGER event_no_delete; DELETE FROM event WHERE id = \(head.eventId)")
        #expect(try await store.verifyEventChain().intact)  // a cut tail: only an anchor shows it
        let cut = try await store.verifyEventChain(anchors: [head])
        #expect(cut.brokenAt == head.eventId && cut.reason?.contains("no longer in the chain") == true)

        try server.psql(url, "ALTER TABLE event DISABLE TRIGGER event_no_update; UPDATE event SET actor = 'someone' WHERE id = 3")
        let edited = try await store.verifyEventChain()
        #expect(edited.brokenAt == 3 && edited.checked == 2 && edited.reason?.contains("altered") == true)
        #expect(try await store.check().healthy == false)
        await store.close()
        try source.close()
    }
}

extension PostgresTests {
    @Test(
        "a centre moved with the real binaries: deskd takes dossiers over HTTP, deskcli migrates, copies, checks and verifies on PostgreSQL, then deskd serves the centre from the server; init, demo seed, privacy purge and replay-durations work there; file-only commands refuse a postgres:// URL in one line",
        .enabled(if: PostgresServer.enabled))
    func movedWithTheBinaries() async throws {
        let server = try await PostgresServer.start()
        defer { server.stop() }
        let scratch = try Scratch()
        let file = scratch.path("desk.sqlite")
        let daemon = try RunningDaemon(database: file, scratch: scratch, arguments: ["--demo"])
        try await daemon.waitUntilReady()
        let token = try #require(daemon.printedAdminToken)
        for number in 0..<25 {
            let body = Data(
                #"{"service":"HD-TTHC","channel":"web","applicant":{"name":"Trần Thị Chuyển \#(number)","phone":"0912345678"},"description":"Phản ánh \#(number): đèn đường hỏng"}"#
                    .utf8)
            let answer = try await HTTP.send("POST", daemon.baseURL.appendingPathComponent("api/v1/tickets"), token: token, body: body)
            #expect(answer.status == 201, "\(answer.text)")
        }
        #expect(await daemon.stop() == 0)
        let tickets = try await DatabaseQueue(path: file).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM ticket") ?? 0 }
        #expect(tickets >= 25)

        let anchor = try await deskcli(["audit", "anchor", "--database", file], scratch: scratch)
        #expect(anchor.status == 0)
        try anchor.output.write(toFile: scratch.path("anchors.txt"), atomically: true, encoding: .utf8)
        let url = try await server.createDatabase()

        let early = try await deskcli(["db", "copy", "--from", file, "--to", url], scratch: scratch)
        #expect(early.status == 1 && early.error.contains("deskcli db migrate") && early.error.split(separator: "\n").count == 1)
        let migrated = try await deskcli(["db", "migrate", "--database", url], scratch: scratch)
        #expect(
            migrated.status == 0 && migrated.output.contains("6 migration(s) applied, latest 0006_rate_windows"), "\(migrated)")
        let copied = try await deskcli(["db", "copy", "--from", file, "--to", url], scratch: scratch)
        #expect(copied.status == 0, "\(copied.error)")
        let head = anchor.output.split(separator: " ")
        #expect(copied.output.contains("audit chain intact") && copied.output.contains("head \(head[1]) \(head[2])"), "\(copied.output)")
        #expect(try server.psql(url, "SELECT count(*) FROM ticket") == "\(tickets)\n")

        let verified = try await deskcli(
            ["audit", "verify", "--database", url, "--anchor", scratch.path("anchors.txt")], scratch: scratch)
        #expect(verified.status == 0 && verified.output.contains("1 anchor(s) found"), "\(verified)")
        let checked = try await deskcli(["db", "check", "--database", url], scratch: scratch)
        #expect(
            checked.status == 0 && checked.output.contains("intact (") && checked.output.contains("agree with the rows (counted afresh)"),
            "\(checked)")
        let again = try await deskcli(["db", "copy", "--from", file, "--to", url], scratch: scratch)
        #expect(again.status == 1 && again.error.contains("already holds a centre"))

        let backup = try await deskcli(["db", "backup", "--database", url, scratch.path("copy.sqlite")], scratch: scratch)
        #expect(backup.status == 1 && backup.error.contains("pg_dump"))
        let fromServer = try await deskcli(["db", "copy", "--from", url, "--to", url], scratch: scratch)
        #expect(fromServer.status == 1 && fromServer.error.contains("works on a SQLite file"), "\(fromServer)")
        // The commands that work on a centre's data work on the server too.
        let purge = try await deskcli(["privacy", "purge", "--database", url, "--older-than", "5y"], scratch: scratch)
        #expect(purge.status == 0 && purge.output.hasPrefix("pseudonymised 0 applicant(s)"), "\(purge)")
        let replayed = try await deskcli(["report", "replay-durations", "--database", url], scratch: scratch)
        #expect(replayed.status == 0 && replayed.output.contains("0 ticket(s) changed"), "\(replayed)")
        let fresh = try await server.createDatabase()
        let initialised = try await deskcli(["init", "--database", fresh], scratch: scratch)
        #expect(initialised.status == 0 && initialised.output.hasPrefix("admin token: "), "\(initialised)")
        let seeded = try await deskcli(
            ["demo", "seed", "--database", fresh, "--tickets", "300", "--from", "2026-01-05", "--to", "2026-01-30"], scratch: scratch)
        #expect(seeded.status == 0 && seeded.output.hasPrefix("seeded 300 tickets"), "\(seeded)")
        #expect(try server.psql(fresh, "SELECT count(*) FROM ticket") == "300\n")
        let twice = try await deskcli(["init", "--database", fresh], scratch: scratch)
        #expect(twice.status == 1 && twice.error.contains("already initialised"), "\(twice)")
        let unreachable = try await deskcli(
            ["db", "check", "--database", "postgres://desk@127.0.0.1:\(try freePort())/none?sslmode=disable"], scratch: scratch)
        #expect(unreachable.status == 1 && unreachable.error.hasPrefix("error: cannot connect to postgres://desk@127.0.0.1:"))

        // The centre served from the server by the same deskd, its admin token copied with it.
        let served = try RunningDaemon(database: url, scratch: scratch)
        try await served.waitUntilReady()
        let listed = try await HTTP.send("GET", served.baseURL.appendingPathComponent("api/v1/tickets"), token: token)
        #expect(listed.status == 200, "\(listed.text.prefix(300))")
        let body = Data(
            #"{"service":"HD-TTHC","channel":"web","applicant":{"name":"Lê Văn Mới","phone":"0912345678"},"description":"Sau khi chuyển"}"#
                .utf8)
        let taken = try await HTTP.send("POST", served.baseURL.appendingPathComponent("api/v1/tickets"), token: token, body: body)
        #expect(taken.status == 201, "\(taken.text)")
        let code = try #require(taken.text.firstMatch(of: #/"code":"([^"]+)"/#)?.1)
        let read = try await HTTP.send("GET", served.baseURL.appendingPathComponent("api/v1/tickets/\(code)"), token: token)
        #expect(read.status == 200 && read.text.contains("Lê Văn Mới"), "\(read.text.prefix(300))")
        #expect(await served.stop() == 0)
        #expect(try server.psql(url, "SELECT count(*) FROM ticket") == "\(tickets + 1)\n")

        // A server that does not answer: deskd stops at once, in one line that names it.
        let unreachableURL = "postgresql://desk@127.0.0.1:\(try freePort())/x?sslmode=disable"
        let refused = try RunningDaemon(database: unreachableURL, scratch: scratch)
        let deadline = Date().addingTimeInterval(20)
        while refused.process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!refused.process.isRunning, "deskd did not stop at an unreachable server")
        await refused.stop()
        #expect(refused.process.terminationStatus != 0)
        let said = (try? String(contentsOfFile: refused.stderrPath, encoding: .utf8)) ?? ""
        #expect(said.contains("cannot connect to postgres://desk@127.0.0.1:"), "\(said)")
    }
}

extension PostgresTests {
    @Test(
        "a privacy purge on PostgreSQL as on the file: the applicant of a long-closed dossier pseudonymised, found no more by name, its remembered answer forgotten; the open one kept; the chain intact",
        .enabled(if: PostgresServer.enabled))
    func purgeAlike() async throws {
        let server = try await PostgresServer.start()
        defer { server.stop() }
        let url = try await server.migratedDatabase()
        let hanoi = LocalClock(identifier: "Asia/Ho_Chi_Minh")!
        let now = Mutex(hanoi.instant(LocalDate("2020-03-02")!, minute: 9 * 60))
        let clock: @Sendable () -> Date = { now.withLock { $0 } }
        var outcomes: [[String]] = []
        for database in [
            try AppDatabase.inMemory(clock: clock), try await AppDatabase.connect(postgres: url, clock: clock, patience: .seconds(60)),
        ] {
            now.withLock { $0 = hanoi.instant(LocalDate("2020-03-02")!, minute: 9 * 60) }
            _ = try database.bootstrap()
            _ = try await Demo.load(into: database, actor: "admin")
            let admin = try await database.staff("admin")
            func take(_ name: String, key: String) async throws -> String {
                let request = IntakeRequest(service: "HD-TTHC", applicant: ApplicantDraft(name: name, phone: "0912345678"))
                guard
                    case .created(let result, _) = try await database.intake(
                        request, actor: admin, idempotency: IdempotencyContext(key: key, fingerprint: "f-\(key)"))
                else { throw CLIRunError("replayed") }
                return result.receipt.code
            }
            let old = try await take("Đặng Thị Cũ", key: "old")
            _ = try await database.perform(.withdraw, on: old, ActionRequest(), actor: admin)
            let open = try await take("Lê Văn Mở", key: "open")
            now.withLock { $0 = hanoi.instant(LocalDate("2026-11-30")!, minute: 9 * 60) }
            let cutoff = hanoi.instant(LocalDate("2021-11-30")!, minute: 0)
            let dry = try await database.purgePersonalData(closedBefore: cutoff, dryRun: true, actor: "admin")
            let done = try await database.purgePersonalData(closedBefore: cutoff, dryRun: false, actor: "admin")
            func found(_ text: String) async throws -> Int {
                var query = TicketQuery()
                query.text = text
                return try await database.tickets(query, page: try PageRequest(), viewer: admin).items.count
            }
            let purged = try await database.ticket(old, viewer: admin)
            outcomes.append([
                "\(dry.applicants) \(done.applicants)", "dang \(try await found("dang")) mo \(try await found("le van mo"))",
                "remembered answers \(try await database.read { db in try String.fetchAll(db, sql: "SELECT key FROM idempotency ORDER BY key") })",
                "\(purged.applicant?.name.hasPrefix("Người nộp #") == true) \(purged.applicant?.phone ?? "no phone") \(purged.ticket.state)",
                try await database.ticket(open, viewer: admin).applicant?.name ?? "",
                "chain intact \(try database.verifyEventChain().intact)",
                "again \(try await database.purgePersonalData(closedBefore: cutoff, dryRun: false, actor: "admin").applicants)",
            ])
            _ = try database.close()
        }
        #expect(
            outcomes[0] == [
                "1 1", "dang 0 mo 1", #"remembered answers ["open"]"#, "true no phone withdrawn", "Lê Văn Mở",
                "chain intact true", "again 0",
            ], "\(outcomes[0])")
        #expect(outcomes[1] == outcomes[0], "PostgreSQL: \(outcomes[1])")
    }
}
