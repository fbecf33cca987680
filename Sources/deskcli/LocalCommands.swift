import ArgumentParser
import Foundation
import ServiceDesk

/// Opens the database file for the local commands, turning failures into one plain line. Only
/// `init`, `db migrate` and `demo seed` (which creates a database) migrate; the others need the
/// schema of this binary and say so.
func openDatabase(_ path: String, mustExist: Bool = true, schema: AppDatabase.SchemaPolicy = .requireCurrent) throws -> AppDatabase {
    if PostgresLocation.isPostgres(path) {
        throw CLIFailure("this command works on a SQLite file, not on PostgreSQL (docs/postgresql.md)")
    }
    if mustExist && !FileManager.default.fileExists(atPath: path) {
        throw CLIFailure("no database at \(path)")
    }
    do {
        return try AppDatabase.open(path: path, schema: schema)
    } catch let error as DeskError {
        throw CLIFailure("cannot open \(path): \(error.summary)")
    } catch {
        throw CLIFailure("cannot open \(path): \(error)")
    }
}

/// Opens the centre's database for the commands that work on either engine: a file as
/// `openDatabase` does, or the database a `postgres://…` URL names, which must be at this binary's
/// schema (with `.migrate`, its missing migrations are applied first, as `db migrate` does).
func openCentre(_ path: String, mustExist: Bool = true, schema: AppDatabase.SchemaPolicy = .requireCurrent) async throws -> AppDatabase {
    guard PostgresLocation.isPostgres(path) else { return try openDatabase(path, mustExist: mustExist, schema: schema) }
    if schema == .migrate { _ = try await withPostgres(path) { try await $0.migrate() } }
    return try await AppDatabase.connect(postgres: path)
}

struct Init: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a database (a file or postgres://…) with its centre and admin, printing the admin token once (no daemon needed).")

    @OptionGroup var database: DatabaseOption
    @Option(help: "Write the admin token to this file (mode 0600) instead of printing it.") var tokenFile: String?

    func run() async throws {
        let database = try await openCentre(database.path, mustExist: false, schema: .migrate)
        let bootstrap = try database.bootstrap()
        try database.close()
        // A server's URL is named without its password.
        let name = (try? PostgresLocation(url: self.database.path))?.redacted ?? self.database.path
        guard let token = bootstrap.adminToken else {
            throw CLIFailure("\(name) is already initialised; nothing created")
        }
        if let tokenFile {
            try AdminTokenFile.write(token, to: tokenFile)
            print("initialised \(name); admin token written to \(tokenFile)")
        } else {
            print("admin token: \(token)")
        }
    }
}

/// Connects to the PostgreSQL database a `--database postgres://…` names, runs `body`, and
/// closes (its failures, `PostgresStoreError`, are one plain line: `DeskCLI.main`).
func withPostgres<Result>(_ url: String, _ body: (PostgresStore) async throws -> Result) async throws -> Result {
    try await PostgresStore.with(url: url, body)
}

struct DBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Work on the database directly (a SQLite file, or PostgreSQL where said).",
        subcommands: [Migrate.self, Backup.self, Check.self, Copy.self])

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply the embedded schema migrations that are not applied yet (SQLite or postgres://…).")
        @OptionGroup var database: DatabaseOption

        func run() async throws {
            if PostgresLocation.isPostgres(database.path) {
                print(
                    try await withPostgres(database.path) {
                        let applied = try await $0.migrate()
                        return "\($0.location.redacted): \(applied.count) migration(s) applied, latest \(applied.last ?? "none")"
                    })
                return
            }
            let database = try openDatabase(database.path, mustExist: false, schema: .migrate)
            let applied = try database.appliedMigrations()
            try database.close()
            print("\(self.database.path): \(applied.count) migration(s) applied, latest \(applied.last ?? "none")")
        }
    }

    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Copy the database consistently, even while deskd runs.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "Destination file (must not exist).") var destination: String

        func run() async throws {
            if PostgresLocation.isPostgres(database.path) {
                throw CLIFailure(
                    "on PostgreSQL, back up with the server's own tools: pg_dump --format=custom --file=FILE URL (docs/postgresql.md)")
            }
            guard !FileManager.default.fileExists(atPath: destination) else { throw CLIFailure("\(destination) already exists") }
            let database = try openDatabase(database.path, schema: .untouched)
            do {
                try database.backup(to: destination)
            } catch {
                throw CLIFailure("backup failed: \(error)")
            }
            try database.close()
            print("backed up \(self.database.path) to \(destination)")
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Check integrity, foreign keys, migrations and the audit chain (on PostgreSQL: migrations, the chain and the report rollups)."
        )
        @OptionGroup var database: DatabaseOption
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            if PostgresLocation.isPostgres(database.path) {
                let report = try await withPostgres(database.path) { try await $0.check() }
                if json {
                    Output.json(try APIClient.encoder.encode(report))
                } else {
                    Output.fields([
                        ("server", report.server),
                        Self.migrations(report.appliedMigrations, pending: report.pendingMigrations, unknown: report.unknownMigrations),
                        Self.chain(report.eventChain),
                        (
                            "report rollups",
                            report.rollups.map { $0.built ? $0.problem ?? "agree with the rows (counted afresh)" : "not built" }
                                ?? "not checked (not this ServiceDesk's schema)"
                        ),
                    ])
                }
                if !report.healthy { throw CLIFailure("the database has problems (see above)") }
                return
            }
            let database = try openDatabase(database.path)
            let report = try database.check()
            try database.close()
            if json {
                Output.json(try APIClient.encoder.encode(report))
            } else {
                Output.fields([
                    ("integrity", report.integrity.joined(separator: "; ")),
                    ("foreign keys", report.foreignKeyViolations == 0 ? "ok" : "\(report.foreignKeyViolations) violation(s)"),
                    Self.migrations(report.appliedMigrations, pending: report.pendingMigrations),
                    Self.chain(report.eventChain),
                ])
            }
            if !report.healthy { throw CLIFailure("the database has problems (see above)") }
        }

        /// The migrations' line, the same on both engines.
        static func migrations(_ applied: [String], pending: [String], unknown: [String] = []) -> (String, String) {
            (
                "migrations",
                "\(applied.count) applied" + (pending.isEmpty ? "" : ", pending: \(pending.joined(separator: ", "))")
                    + (unknown.isEmpty ? "" : ", from a newer ServiceDesk: \(unknown.joined(separator: ", "))")
            )
        }

        /// The audit chain's line; nil: not walked (not this ServiceDesk's schema).
        static func chain(_ chain: ChainVerification?) -> (String, String) {
            (
                "audit chain",
                chain.map { $0.intact ? "intact (\($0.checked) events)" : $0.reason ?? "broken" }
                    ?? "not checked (not this ServiceDesk's schema)"
            )
        }
    }

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a centre from its SQLite file into a new PostgreSQL database, proved by counts and the audit chain.",
            discussion: """
                The target must be migrated and hold no centre: createdb --encoding=UTF8 --locale=C --template=template0 desk; \
                deskcli db migrate --database postgres://USER@HOST/desk; \
                then deskcli db copy --from deskd.sqlite --to postgres://USER@HOST/desk. One transaction: committed only once every \
                table has the file's row count, the report rollups PostgreSQL counts from the rows equal the file's, and the audit \
                chain verifies with the file's head. Safe while deskd runs on the file \
                (it reads one snapshot); what deskd writes afterwards is not copied, so stop it first to move a centre.
                """)
        @Option(help: "The SQLite file to copy from.") var from: String
        @Option(help: "The PostgreSQL database to copy into, postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE.") var to: String

        func run() async throws {
            guard PostgresLocation.isPostgres(to) else { throw CLIFailure("--to must be a postgres:// URL") }
            let source = try openDatabase(from)
            let line: String
            do {
                line = try await withPostgres(to) { store in
                    // Each table as it goes in, on standard error: a large centre takes minutes.
                    let report = try await store.copy(from: source) { table, rows in
                        FileHandle.standardError.write(Data("\(table): \(rows) row(s)\n".utf8))
                    }
                    let rollups =
                        switch report.rollups {
                        case .compared: "report rollups counted again, equal to the file's; "
                        case .counted: "report rollups counted (the file had them not built); "
                        case .notBuilt: ""
                        }
                    return
                        "copied \(from) to \(store.location.redacted): \(report.tables.count) tables, \(report.rows) rows; "
                        + rollups
                        + "audit chain intact (\(report.eventChain.checked) events)"
                        + (report.head.map { ", head \($0.eventId) \($0.hash)" } ?? "")
                }
            } catch {
                _ = try? source.close()
                throw error
            }
            try source.close()
            print(line)
        }
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "The tamper-evident audit trail.", subcommands: [Verify.self, Anchor.self, Trail.self])

    struct Trail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A ticket's audit trail (same as 'ticket events').")
        @OptionGroup var global: GlobalOptions
        @Argument var code: String

        func run() async throws { try await TicketCommand.trail(code, global) }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Walk the whole event chain in the database (a file or postgres://…) and report the first broken link.",
            discussion:
                "With --anchor FILE (lines printed by 'deskcli audit anchor'), also prove that every anchored event is still in the chain with its hash: a deleted tail or a rewritten chain fails."
        )
        @OptionGroup var database: DatabaseOption
        @Option(help: "A file of anchors kept outside the database (repeatable).") var anchor: [String] = []

        func run() async throws {
            var anchors: [ChainAnchor] = []
            for file in anchor {
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw CLIFailure("cannot read \(file)") }
                let parsed = ChainAnchor.parse(text)
                guard !parsed.contains(where: { $0 == nil }) else { throw CLIFailure("\(file) has a malformed anchor line") }
                anchors += parsed.compactMap { $0 }
            }
            let result: ChainVerification
            if PostgresLocation.isPostgres(database.path) {
                result = try await withPostgres(database.path) { try await $0.verifyEventChain(anchors: anchors) }
            } else {
                let database = try openDatabase(database.path)
                result = try database.verifyEventChain(anchors: anchors)
                try database.close()
            }
            guard result.intact else {
                throw CLIFailure("audit chain broken after \(result.checked) good event(s): \(result.reason ?? "")")
            }
            print("audit chain intact: \(result.checked) event(s) verified" + (anchors.isEmpty ? "" : ", \(anchors.count) anchor(s) found"))
        }
    }

    struct Anchor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the head of the audit chain (event id and hash) as one line, to keep outside the database.",
            discussion:
                "Append it to a file kept elsewhere (the day's tracking book, a supervisor's mail): deskcli audit anchor >> anchors.txt; later, deskcli audit verify --anchor anchors.txt."
        )
        @OptionGroup var database: DatabaseOption

        func run() async throws {
            let anchor: ChainAnchor?
            if PostgresLocation.isPostgres(database.path) {
                anchor = try await withPostgres(database.path) { try await $0.chainAnchor() }
            } else {
                let database = try openDatabase(database.path)
                anchor = try database.chainAnchor()
                try database.close()
            }
            guard let anchor else { throw CLIFailure("the audit chain is empty: nothing to anchor") }
            print(anchor.line)
        }
    }
}

struct PrivacyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "privacy", abstract: "Personal data after its retention period.", subcommands: [Purge.self])

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pseudonymise the applicants whose tickets all closed before the retention period (a file or postgres://…).",
            discussion: "Statistics, tickets and the audit chain are unchanged. Example: deskcli privacy purge --older-than 5y --dry-run")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Retention period: N followed by d (days), m (months) or y (years), e.g. 5y.") var olderThan: String
        @Flag(help: "Only count who would be pseudonymised.") var dryRun = false

        func run() async throws {
            guard let cutoff = Self.cutoff(olderThan, now: Date()) else {
                throw ValidationError("--older-than must be N d, N m or N y, e.g. 5y")
            }
            let database = try await openCentre(database.path)
            let report = try await database.purgePersonalData(closedBefore: cutoff, dryRun: dryRun, actor: "deskcli")
            try database.close()
            print(
                "\(dryRun ? "would pseudonymise" : "pseudonymised") \(report.applicants) applicant(s) whose tickets all closed before \(ISO8601DateFormatter().string(from: cutoff))"
            )
        }

        static func cutoff(_ text: String, now: Date) -> Date? {
            let trimmed = text.replacingOccurrences(of: " ", with: "")
            guard let unit = trimmed.last, let amount = Int(trimmed.dropLast()), amount > 0 else { return nil }
            var components = DateComponents()
            switch unit {
            case "d": components.day = -amount
            case "m": components.month = -amount
            case "y": components.year = -amount
            default: return nil
            }
            return Calendar(identifier: .gregorian).date(byAdding: components, to: now)
        }
    }
}

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Data to try things on.", subcommands: [Seed.self])

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fill a database with a synthetic, deterministic history for the reports (a file or postgres://…; stop deskd first).",
            discussion: """
                On a new file it first creates the centre (printing the admin token) and loads the example catalogue. \
                Example: deskcli demo seed --database big.sqlite --tickets 1000000 --from 2025-01-01 --to 2026-10-31
                """)
        @OptionGroup var database: DatabaseOption
        @Option(help: "How many tickets.") var tickets = 10_000
        @Option(help: "First day, YYYY-MM-DD.") var from = "2026-01-01"
        @Option(help: "Last day, YYYY-MM-DD.") var to = "2026-10-31"
        @Option(help: "Seed of the pseudo-random generator (same seed, same history).") var seed: UInt64 = 1

        func run() async throws {
            guard let first = LocalDate(from), let last = LocalDate(to), first <= last else {
                throw ValidationError("--from and --to must be dates YYYY-MM-DD, from not after to")
            }
            guard (1...10_000_000).contains(tickets) else { throw ValidationError("--tickets must be 1 to 10,000,000") }
            let database = try await openCentre(database.path, mustExist: false, schema: .migrate)
            if let token = try database.bootstrap().adminToken { print("admin token: \(token)") }
            if try await database.services(page: try PageRequest(limit: 1)).items.isEmpty {
                _ = try await Demo.load(into: database, actor: "deskcli")
            }
            let started = Date()
            let report: SeedReport
            do {
                report = try database.seed(tickets: tickets, from: first, to: last, seed: seed, actor: "deskcli")
            } catch let error as DeskError {
                throw CLIFailure(error.summary)
            }
            try database.close()
            print(
                "seeded \(report.tickets) tickets and \(report.queueNumbers) walk-in numbers, \(report.from) to \(report.to), in \(Int(Date().timeIntervalSince(started))) s"
            )
        }
    }
}

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay-durations",
        abstract:
            "Recompute the stored handling and waiting durations from the event log over the current calendar (a file or postgres://…).",
        discussion: "Run it after a calendar correction (a holiday added late); reports then count with the corrected calendar.")
    @OptionGroup var database: DatabaseOption

    func run() async throws {
        let database = try await openCentre(database.path)
        let changed = try database.replayDurations(actor: "deskcli")
        try database.close()
        print("recomputed durations; \(changed) ticket(s) changed")
    }
}
