import Foundation
import Logging
import PostgresNIO

/// A centre's database on a PostgreSQL server (issue 18; docs/postgresql.md): its migrations
/// (`schema/postgres/`), its check and the audit chain's walk, and the copy of a centre from its
/// SQLite file (`PostgresStore+Copy.swift`). One connection, used by one task at a time: its
/// transactions are statements on that connection, so the type is deliberately not `Sendable`.
/// For `deskcli`; the daemon's reads and writes run through `PostgresEngine`.
public final class PostgresStore {
    public let location: PostgresLocation
    let connection: PostgresConnection
    let logger: Logger

    private init(location: PostgresLocation, connection: PostgresConnection, logger: Logger) {
        self.location = location
        self.connection = connection
        self.logger = logger
    }

    /// Connects to `url`, runs `body`, and closes the connection however `body` ends (a
    /// connection dropped open is a postgres-nio assertion on a debug build).
    public static func with<Result>(url: String, _ body: (PostgresStore) async throws -> Result) async throws -> Result {
        let store = try await connect(try PostgresLocation(url: url))
        let result: Result
        do {
            result = try await body(store)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
        return result
    }

    /// Connects, turning the driver's failures into one sentence that names the server.
    public static func connect(_ location: PostgresLocation, logger: Logger = Logger(label: "ServiceDesk.postgres")) async throws
        -> PostgresStore
    {
        do {
            let connection = try await PostgresConnection.connect(configuration: try location.configuration(), id: 1, logger: logger)
            // The model lives in the schema `public`, whatever the role's own search path says.
            try await connection.query("SET search_path TO public", logger: logger)
            return PostgresStore(location: location, connection: connection, logger: logger)
        } catch {
            throw PostgresStoreError("cannot connect to \(location.redacted): \(Self.describe(error))")
        }
    }

    public func close() async {
        try? await connection.close()
    }

    // MARK: Migrations

    /// Where applied migrations are recorded (GRDB's `grdb_migrations` on SQLite).
    static let migrationTable = "desk_migration"
    /// Tables of the server alone, not of a centre's model: the migrations applied, and the rate
    /// limits' windows (0006). `db copy` and the model's comparison leave them out.
    static let serverTables = [migrationTable, "rate_window"]
    /// Held while migrating, so that two instances started at once migrate one after the other.
    static let migrationLock: Int64 = 0x6465_736B_6D69_6772  // "deskmigr"

    /// The migrations applied, in order; none on a database never migrated.
    public func appliedMigrations() async throws -> [String] {
        try await statements { try Self.appliedMigrations($0) }
    }

    /// The migrations applied, read on `db` (the daemon's engine reads them so at its start).
    static func appliedMigrations(_ db: any SQLSession) throws -> [String] {
        guard try db.fetchValue(Bool.self, sql: "SELECT to_regclass('public.\(migrationTable)') IS NOT NULL") == true else { return [] }
        return try db.fetchValues(String.self, sql: "SELECT name FROM \(migrationTable) ORDER BY name")
    }

    /// The database's schema against this binary's: what is applied, what is missing, and what a
    /// newer ServiceDesk applied that this one does not know.
    struct SchemaState {
        var applied: [String]
        var pending: [String] { Schema.postgres.map(\.name).filter { !applied.contains($0) } }
        var unknown: [String] { applied.filter { name in !Schema.postgres.contains { $0.name == name } } }

        /// This binary's schema exactly, or the sentence that says why not.
        func require(_ location: PostgresLocation) throws {
            if let newer = unknown.first {
                throw PostgresStoreError(
                    "\(location.redacted) has migration \(newer), which this ServiceDesk does not know: it was migrated by a newer version")
            }
            guard pending.isEmpty else {
                throw PostgresStoreError(
                    "\(location.redacted) is not at this ServiceDesk's schema (pending: \(pending.joined(separator: ", "))): run deskcli db migrate --database URL"
                )
            }
        }
    }

    func schemaState() async throws -> SchemaState { SchemaState(applied: try await appliedMigrations()) }

    /// Applies the embedded PostgreSQL migrations not applied yet, each in its own transaction
    /// (PostgreSQL's DDL is transactional: a migration applies whole or not at all). Refuses a
    /// database migrated by a newer ServiceDesk, a server older than 13 (trusted `unaccent`), and
    /// a database whose text does not sort as SQLite's does (byte order: the `C` collation, UTF-8).
    @discardableResult
    public func migrate() async throws -> [String] {
        let version = try await value(Int32.self, "SELECT current_setting('server_version_num')::int") ?? 0
        guard version >= 130_000 else {
            throw PostgresStoreError("\(location.redacted) runs PostgreSQL \(version / 10000); ServiceDesk needs 13 or later")
        }
        for try await (encoding, collation) in try await run(
            "SELECT pg_encoding_to_char(encoding)::text, datcollate::text FROM pg_database WHERE datname = current_database()"
        ).decode((String, String).self) {
            guard encoding == "UTF8", collation == "C" || collation == "POSIX" || collation == "C.UTF-8" || collation == "C.utf8" else {
                throw PostgresStoreError(
                    "\(location.redacted) is \(encoding) sorted by \(collation); ServiceDesk needs UTF8 sorted byte by byte, as SQLite does: createdb --encoding=UTF8 --locale=C --template=template0 NAME"
                )
            }
        }
        try await run("SELECT pg_advisory_lock(\(Self.migrationLock))")
        do {
            try await run(
                "CREATE TABLE IF NOT EXISTS \(Self.migrationTable) (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
            let state = SchemaState(applied: try await appliedMigrations())
            if !state.unknown.isEmpty { try state.require(location) }
            for migration in Schema.postgres where !state.applied.contains(migration.name) {
                try await transaction {
                    for statement in SQLStatements.split(migration.sql) {
                        do {
                            try await self.run(statement)
                        } catch let error as PostgresStoreError {
                            let first = statement.split(separator: "\n").first { !$0.hasPrefix("--") } ?? ""
                            throw PostgresStoreError("migration \(migration.name) failed at '\(first)': \(error.description)")
                        }
                    }
                    try await self.run(
                        PostgresQuery(unsafeSQL: "INSERT INTO \(Self.migrationTable) (name) VALUES ($1)", binds: Self.binds(migration.name))
                    )
                }
            }
        } catch {
            _ = try? await run("SELECT pg_advisory_unlock(\(Self.migrationLock))")
            throw error
        }
        try await run("SELECT pg_advisory_unlock(\(Self.migrationLock))")
        return try await appliedMigrations()
    }

    // MARK: Check and the audit chain

    /// What `deskcli db check` reports for a PostgreSQL database. The server keeps its own
    /// pages and enforces the foreign keys itself; what is ServiceDesk's to check is that the
    /// schema is this binary's, that the audit chain holds and that the report rollups agree with
    /// the rows.
    public struct CheckReport: Codable, Sendable {
        public var server: String
        public var appliedMigrations: [String]
        public var pendingMigrations: [String]
        /// Applied by a newer ServiceDesk: this one does not know what they changed.
        public var unknownMigrations: [String]
        /// nil: not walked, the schema not being this binary's.
        public var eventChain: ChainVerification?
        /// The report rollups against a count afresh; nil: not compared, the schema not being this binary's.
        public var rollups: RollupCheck?
        public var healthy: Bool {
            pendingMigrations.isEmpty && unknownMigrations.isEmpty && eventChain?.intact == true && rollups?.problem == nil
        }
    }

    public func check() async throws -> CheckReport {
        let state = try await schemaState()
        let server = try await value(String.self, "SHOW server_version") ?? "?"
        let current = state.pending.isEmpty && state.unknown.isEmpty
        return CheckReport(
            server: "PostgreSQL \(server)", appliedMigrations: state.applied, pendingMigrations: state.pending,
            unknownMigrations: state.unknown, eventChain: current ? try await walkChain(anchors: []) : nil,
            rollups: current ? try await checkRollups() : nil)
    }

    /// Walks the whole event chain (`deskcli audit verify`), as on SQLite (`ChainWalk`).
    public func verifyEventChain(anchors: [ChainAnchor] = []) async throws -> ChainVerification {
        try await schemaState().require(location)
        return try await walkChain(anchors: anchors)
    }

    /// `EventLog.verify`, the walk SQLite's chain gets, in the transaction open on the connection.
    func walkChain(anchors: [ChainAnchor]) async throws -> ChainVerification {
        try await statements { try EventLog.verify($0, anchors: anchors) }
    }

    /// The head of the audit chain, to be kept outside the database (`ChainAnchor`).
    public func chainAnchor(at now: Date = Date()) async throws -> ChainAnchor? {
        try await schemaState().require(location)
        return try await head(at: now)
    }

    func head(at now: Date) async throws -> ChainAnchor? {
        try await statements { try EventLog.anchor($0, at: now) }
    }

    // MARK: Running statements

    @discardableResult
    func run(_ sql: String) async throws -> PostgresRowSequence {
        try await run(PostgresQuery(unsafeSQL: sql))
    }

    @discardableResult
    func run(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        do {
            return try await connection.query(query, logger: logger)
        } catch {
            throw PostgresStoreError(Self.describe(error))
        }
    }

    func value<Value: PostgresDecodable & Sendable>(_ type: Value.Type, _ sql: String) async throws -> Value? {
        for try await value in try await run(sql).decode(Value.self) { return value }
        return nil
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    func transaction<Result>(_ body: () async throws -> Result) async throws -> Result {
        try await run("BEGIN")
        let result: Result
        do {
            result = try await body()
        } catch {
            _ = try? await run("ROLLBACK")
            throw error
        }
        try await run("COMMIT")
        return result
    }

    // MARK: The storage's own code (`SQLSession`)

    /// Held by every writing transaction until it ends (`pg_advisory_xact_lock`): writes run one
    /// after another across every instance, as SQLite's single writer runs them, so what they read
    /// first — the chain's head, the day's last number — is still the latest when they write.
    static let writersLock: Int64 = 0x6465_736B_7772_6974  // "deskwrit"

    /// Runs `body` — storage code shared with SQLite — on this store's connection, inside whatever
    /// transaction is open on it (`statements(on:)`).
    func statements<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        try await Self.statements(on: connection, logger: logger, body)
    }

    /// Runs `body` on `connection` on a thread of its own: its statements are waited for one by one
    /// (`PostgresSession`), which an event loop or Swift's cooperative pool must never do.
    static func statements<T: Sendable>(
        on connection: PostgresConnection, logger: Logger, _ body: @escaping @Sendable (PostgresSession) throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Result {
                        do {
                            return try body(PostgresSession(connection: connection, logger: logger))
                        } catch let error as PSQLError {
                            throw Self.storageError(error)
                        }
                    })
            }
        }
    }

    /// What a transaction of the storage's does.
    enum Access: Sendable {
        /// Several statements that see one state of the database (`REPEATABLE READ`, read only).
        case read
        /// A change, made under the writers' lock (`writersLock`).
        case write
    }

    /// Runs `body` in one transaction of its own: committed when it returns, rolled back when it
    /// throws.
    func transaction<T: Sendable>(_ access: Access, _ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        try await Self.transaction(access, on: connection, logger: logger, body)
    }

    static func transaction<T: Sendable>(
        _ access: Access, on connection: PostgresConnection, logger: Logger, _ body: @escaping @Sendable (any SQLSession) throws -> T
    ) async throws -> T {
        try await statements(on: connection, logger: logger) { session in try inTransaction(access, session, body) }
    }

    /// `body` in one transaction on `session`, waited for on this thread (never an event loop's).
    /// Whatever fails — the writers' lock, the body, the commit — the connection is left outside
    /// any transaction. A transaction a failed statement aborted is never reported as committed:
    /// PostgreSQL answers its `COMMIT` with a rollback (a body that went on past an error, as SQLite
    /// allows, must not be acknowledged).
    static func inTransaction<T>(
        _ access: Access, _ session: PostgresSession, timing: WriteTiming? = nil, _ body: (any SQLSession) throws -> T
    ) throws -> T {
        do {
            switch access {
            case .read: try session.execute(sql: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            case .write: try session.execute(sql: "BEGIN; SELECT pg_advisory_xact_lock(?)", arguments: [Self.writersLock])
            }
            timing?.locked()
            let result = try body(session)
            timing?.committing()
            try session.execute(sql: "COMMIT")
            timing?.committed()
            guard session.lastCommand == "COMMIT" else {
                throw PostgresStoreError("the transaction was rolled back by the server (a statement in it had failed)")
            }
            return result
        } catch {
            try? session.execute(sql: "ROLLBACK")
            throw error
        }
    }

    static func binds(_ values: String...) -> PostgresBindings {
        var bindings = PostgresBindings()
        for value in values { bindings.append(value) }
        return bindings
    }

    /// What the storage throws for a server's error: a number out of `bigint`'s range (SQLSTATE
    /// 22003: a sum over years, a value stored before the bounds) is the library's clear conflict,
    /// as an overflow found in Swift is (`AppDatabase.plus`), not a failure of the server; any other
    /// is `PostgresStoreError` with the server's message.
    static func storageError(_ error: PSQLError) -> any Error {
        if error.serverInfo?[.sqlState] == "22003" {
            return DeskError.conflict("a total or a number is out of the range the database keeps (\(describe(error)))")
        }
        return PostgresStoreError(describe(error))
    }

    /// The server's own message where there is one (`PSQLError` hides it from `description`).
    static func describe(_ error: any Error) -> String {
        if let error = error as? PostgresStoreError { return error.description }
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                let detail = error.serverInfo?[.detail].map { " (\($0))" } ?? ""
                return message + detail
            }
            return "\(error.code)" + (error.underlying.map { ": \($0)" } ?? "")
        }
        return "\(error)"
    }
}

/// Splits SQL into its statements: the driver sends one statement per query (the extended
/// protocol). Semicolons inside quotes, comments and dollar-quoted bodies are not ends. Each
/// statement comes as pieces that are code or not (`PostgresSQL` numbers placeholders in code
/// only). Not handled, and not used in `schema/postgres/` or the storage: nested block comments and
/// `BEGIN ATOMIC` bodies (write functions with `$$` bodies).
enum SQLStatements {
    /// A run of a statement: code, or a string, quoted name, comment or dollar-quoted body.
    struct Piece {
        var scalars: [Unicode.Scalar] = []
        var isCode: Bool
    }

    /// A migration file's statements, trimmed.
    static func split(_ sql: String) -> [String] {
        pieces(sql).map { statement in
            Text.trimmed(String(String.UnicodeScalarView(statement.flatMap(\.scalars))))
        }
    }

    /// The statements of `sql` (those with something besides comments and blanks), as pieces.
    static func pieces(_ sql: String) -> [[Piece]] {
        var statements: [[Piece]] = []
        var current: [Piece] = []
        var hasCode = false
        let scalars = Array(sql.unicodeScalars)
        var index = 0
        func flush() {
            if hasCode { statements.append(current) }
            current = []
            hasCode = false
        }
        func append(_ scalars: some Sequence<Unicode.Scalar>, code: Bool) {
            if current.last?.isCode != code { current.append(Piece(isCode: code)) }
            current[current.count - 1].scalars.append(contentsOf: scalars)
        }
        func lastScalar() -> Unicode.Scalar? { current.last?.scalars.last }
        while index < scalars.count {
            let scalar = scalars[index]
            let next: Unicode.Scalar? = index + 1 < scalars.count ? scalars[index + 1] : nil
            if scalar == "-" && next == "-" {  // a comment to the end of the line
                let end = scalars[index...].firstIndex(of: "\n") ?? scalars.count
                append(scalars[index..<end], code: false)
                index = end
                continue
            }
            if scalar == "/" && next == "*" {  // a block comment
                var end = index + 2
                while end < scalars.count && !(scalars[end] == "*" && end + 1 < scalars.count && scalars[end + 1] == "/") { end += 1 }
                end = min(end + 2, scalars.count)
                append(scalars[index..<end], code: false)
                index = end
                continue
            }
            if scalar == "'" || scalar == "\"" {  // a string or a quoted name ('' and "" stay inside)
                hasCode = true
                var end = index + 1
                while end < scalars.count {
                    end += 1
                    if scalars[end - 1] == scalar {
                        if end < scalars.count && scalars[end] == scalar { end += 1 } else { break }
                    }
                }
                append(scalars[index..<end], code: false)
                index = end
                continue
            }
            if scalar == "$", !(lastScalar().map(Self.isNamePart) ?? false), let tagEnd = scalars[(index + 1)...].firstIndex(of: "$"),
                scalars[(index + 1)..<tagEnd].allSatisfy(Self.isNamePart),
                tagEnd == index + 1 || !("0"..."9").contains(scalars[index + 1])
            {  // a dollar-quoted body: $$ … $$ or $tag$ … $tag$ (not $1, not a$b)
                let tag = Array(scalars[index...tagEnd])
                hasCode = true
                var end = tagEnd + 1
                while end < scalars.count {
                    if scalars[end] == "$", end + tag.count <= scalars.count, Array(scalars[end..<(end + tag.count)]) == tag {
                        end += tag.count
                        break
                    }
                    end += 1
                }
                append(scalars[index..<end], code: false)
                index = end
                continue
            }
            if scalar == ";" {
                flush()
                index += 1
                continue
            }
            if !scalar.properties.isWhitespace { hasCode = true }
            append(CollectionOfOne(scalar), code: true)
            index += 1
        }
        flush()
        return statements
    }

    static func isNamePart(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
    }
}

/// When a write on PostgreSQL held the writers' lock, ran its body and committed (the figures of
/// `/metrics`' single writer, `WriterStatistics`): instants read on the thread that runs it.
final class WriteTiming {
    private(set) var lockedAt: ContinuousClock.Instant?
    private(set) var committingAt: ContinuousClock.Instant?
    private(set) var committedAt: ContinuousClock.Instant?
    private(set) var cpuAtLock: UInt64 = 0
    private(set) var cpuAtCommit: UInt64 = 0

    func locked() {
        lockedAt = .now
        cpuAtLock = GroupCommit.threadCPUNanoseconds()
    }

    func committing() {
        committingAt = .now
        cpuAtCommit = GroupCommit.threadCPUNanoseconds()
    }

    func committed() { committedAt = .now }
}
