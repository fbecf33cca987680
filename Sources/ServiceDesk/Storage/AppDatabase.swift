import CSQLiteKeepMap
import Foundation
import GRDB
import GRDBSQLite
import Logging

/// The one owner of the database: schema, every read and every write. Each write is one
/// method and one transaction that also appends its audit event, so a `2xx` means the
/// change and its trace are both durable (`synchronous = FULL`).
public struct AppDatabase: Sendable {
    /// Where the centre's data lives, and what runs its reads and writes.
    enum Engine: Sendable {
        /// A file (or memory): GRDB's writer and readers; every write of the use cases through
        /// the group commit.
        case sqlite(any DatabaseWriter, GroupCommit)
        /// A PostgreSQL server, shared by every instance of `deskd` on it (issue 18).
        case postgres(PostgresEngine)
    }

    let engine: Engine
    /// Where "now" comes from; tests pass a fixed clock.
    public let clock: @Sendable () -> Date
    /// The working calendar as last read; calendar writes clear it.
    let calendarCache = CalendarCache()
    /// The centre and the services as last read, while the catalogue has not changed.
    let catalogue = CatalogueCache()
    /// Who the bearer tokens seen a moment ago are, until tokens or staff change (SQLite only).
    let tokens = TokenCache()
    /// Folds the WAL into the file beside the writer, in place of SQLite's auto-checkpoint on
    /// it (`Checkpointer`); a file opened by `open` has one, an in-memory database none.
    private(set) var checkpointer: Checkpointer?

    /// What opening a database does about its schema.
    public enum SchemaPolicy: Sendable {
        /// Apply the migrations it lacks (`deskd`, `deskcli init`, `deskcli db migrate`).
        case migrate
        /// It must be exactly at this binary's schema: a lacking migration is an error that
        /// names `deskcli db migrate` (the other local commands never migrate behind one's back).
        case requireCurrent
        /// Leave it as it is (a backup copies any schema).
        case untouched
    }

    /// Opens a database file in WAL mode with durable commits, migrating it by `schema`. A
    /// database written by a newer ServiceDesk (migrations this binary does not know) is refused
    /// by every policy but `untouched`.
    public static func open(
        path: String, schema: SchemaPolicy = .migrate, clock: @escaping @Sendable () -> Date = Date.init
    ) throws -> AppDatabase {
        // Before the first file opens: the readers keep their mapping of the file across commits,
        // and the WAL's frames are written in one write each (keepmap.c).
        let registered = desk_keepmap_register()
        guard registered == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: registered), message: "could not register the mapping-keeping VFS")
        }
        var configuration = configuration()
        // The single writer is what every write waits for: its queue runs above the readers and
        // the request handlers, so they do not preempt it on a busy machine (docs/benchmarks.md).
        configuration.writeTargetQueue = DispatchQueue(label: "ServiceDesk.writer", qos: .userInteractive)
        let pool = try DatabasePool(path: path, configuration: configuration)
        // Set on the writer once the pool is open (pragmas are per connection):
        // - `synchronous = FULL`: GRDB sets NORMAL while it sets up WAL, after `prepareDatabase`,
        //   so FULL set there would be silently lost.
        // - `temp_store = MEMORY`: inside a savepoint (a statement's own, or each write of a batch
        //   redone after a failure: `GroupCommit`) SQLite copies every page a write changes to the
        //   savepoint's journal; past 64 KiB that journal spills to a temporary file, and an intake's thirty-odd pages went through `pwrite` one
        //   by one — a quarter of its time on the single writer (docs/benchmarks.md). Kept in
        //   memory it is truncated at each release.
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        var database = try AppDatabase(pool, schema: schema, clock: clock)
        // Once migrated: from here on the writer's commits never run a checkpoint themselves.
        let checkpointer = try Checkpointer(path: path)
        pool.writeWithoutTransaction { db in checkpointer.attach(to: db) }
        database.checkpointer = checkpointer
        return database
    }

    /// A fresh in-memory database, migrated: one per test.
    public static func inMemory(clock: @escaping @Sendable () -> Date = Date.init) throws -> AppDatabase {
        try AppDatabase(DatabaseQueue(configuration: configuration()), clock: clock)
    }

    public init(_ writer: any DatabaseWriter, schema: SchemaPolicy = .migrate, clock: @escaping @Sendable () -> Date = Date.init) throws {
        self.clock = clock
        let cache = calendarCache
        // A transaction that fails to commit may have cleared and refilled the cache from its own,
        // rolled-back changes: forget it.
        engine = .sqlite(writer, GroupCommit(writer: writer, onFailure: { cache.clear() }))
        // The search folding's table is made on first use: here, not inside the first intake's write.
        _ = TextFolding.fold("ậ")
        guard schema != .untouched else { return }
        let applied = try writer.read { db in try Self.migrator.appliedIdentifiers(db) }
        let known = Schema.migrations.map(\.name)
        let unknown = applied.subtracting(known)
        guard unknown.isEmpty else {
            throw DeskError.conflict(
                "the database was written by a newer ServiceDesk (schema \(unknown.sorted().joined(separator: ", ")) unknown here); use that version"
            )
        }
        let missing = known.filter { !applied.contains($0) }
        if schema == .requireCurrent && !missing.isEmpty {
            throw DeskError.conflict(
                "the database lacks schema \(missing.joined(separator: ", ")); run deskcli db migrate first (nothing was changed)")
        }
        try Self.migrator.migrate(writer)
    }

    /// A centre's database on a PostgreSQL server, which must be at this binary's schema (`deskcli
    /// db migrate --database URL` applies it; `deskcli db copy` moves a centre there). A server that
    /// does not answer within `patience` is an error.
    public static func connect(
        postgres url: String, clock: @escaping @Sendable () -> Date = Date.init, maximumConnections: Int = 8,
        patience: Duration = .seconds(10)
    ) async throws -> AppDatabase {
        let engine = try await PostgresEngine.connect(
            try PostgresLocation(url: url), maximumConnections: maximumConnections, patience: patience)
        _ = TextFolding.fold("ậ")
        return AppDatabase(engine: .postgres(engine), clock: clock)
    }

    private init(engine: Engine, clock: @escaping @Sendable () -> Date) {
        self.engine = engine
        self.clock = clock
    }

    /// The GRDB writer of a database on SQLite: a `DatabasePool` (WAL) on disk, a `DatabaseQueue`
    /// in tests. What only SQLite has (backups, its checks, the tests' look inside) asks for it.
    public var writer: any DatabaseWriter {
        guard case .sqlite(let writer, _) = engine else { preconditionFailure("a database on PostgreSQL has no SQLite writer") }
        return writer
    }

    /// The SQLite writer, for what only a file has; on PostgreSQL `what` is refused in one line.
    func fileWriter(_ what: String) throws -> any DatabaseWriter {
        guard case .sqlite(let writer, _) = engine else { throw EngineGap(what: what) }
        return writer
    }

    /// The server's engine, for a database on PostgreSQL.
    var postgres: PostgresEngine? {
        if case .postgres(let engine) = engine { engine } else { nil }
    }

    /// Whether several processes may serve this database at once (a server), so that what one
    /// counts in memory — a rate limit — must be counted in the database instead.
    public var isShared: Bool { postgres != nil }

    /// Counts one request of `client` in its `window` of `scope` across every instance of a
    /// shared database and returns the window's count; nil on a file, whose one process counts
    /// in memory (deskd's `RateLimiter`).
    public func countRequest(scope: String, client: String, window: Duration) async throws -> Int? {
        try await postgres?.countRequest(scope: scope, client: client, window: window)
    }

    /// How much of the file each reader maps (`PRAGMA mmap_size`; SQLite caps it at its own
    /// compiled maximum, 2,147,418,112 bytes in Debian's library).
    static let readerMapSize: Int64 = 1 << 31

    static func configuration() -> GRDB.Configuration {
        var configuration = GRDB.Configuration()
        configuration.foreignKeysEnabled = true
        // Freed pages are overwritten: what the privacy purge erases is gone from the file too.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA secure_delete = ON")
            // The readers map the file (up to SQLite's compiled limit, 2 GiB): a report reading a
            // million tickets' index pages then finds them in the kernel's page cache without a
            // `pread` and a copy for each 4 KiB page, beyond each connection's 2 MB cache — a scan
            // spent more time in the kernel than in SQLite (docs/benchmarks.md). Writes still go
            // through `write` and the WAL, so durability is unchanged. SQLite drops a reader's
            // mapping whenever another connection has committed; the VFS registered by `open`
            // keeps it while the file's size is unchanged (keepmap.c), so a report after a write
            // does not fault every page in again.
            if db.configuration.readonly { try db.execute(sql: "PRAGMA mmap_size = \(Self.readerMapSize)") }
            // What the report rollups' triggers call (migration 0026, `ReportRollups.swift`).
            db.add(function: .countedAdd)
            db.add(function: .countedMerge)
        }
        configuration.busyMode = .timeout(5)
        configuration.label = "ServiceDesk"
        return configuration
    }

    /// GRDB's migrator over the embedded `schema/` files, in order.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in Schema.migrations {
            migrator.registerMigration(migration.name) { db in
                try db.execute(sql: migration.sql)
            }
        }
        return migrator
    }

    /// Names of the migrations applied to this database, in order.
    public func appliedMigrations() throws -> [String] {
        try fileWriter("the migrations of a file").read { db in try Self.migrator.appliedMigrations(db) }
    }

    /// Runs `body` as one atomic write (in a group-committed transaction; a failure leaves
    /// nothing of it: `GroupCommit`) and returns once it is durable. Library errors pass through
    /// unchanged. `body` may run twice — its batch redone after a write of it failed — so it does
    /// nothing outside the database it is given but fill caches kept by what they were read at.
    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        switch engine {
        case .sqlite(_, let committer): return try await committer.write { db in try body(SQLiteSession(db)) }
        case .postgres(let server):
            do {
                return try await server.write(body)
            } catch {
                // What the write read into the caches may have been rolled back with it.
                calendarCache.clear()
                throw error
            }
        }
    }

    /// Runs `work` in the write's transaction once every write of the batch has run
    /// (`GroupCommit.afterWrites`, for the full-text tables); at once on an engine without
    /// SQLite's per-savepoint segments.
    func afterWrites(_ db: any SQLSession, _ work: @escaping @Sendable (any SQLSession) throws -> Void) throws {
        guard let sqlite = db.sqlite, case .sqlite(_, let committer) = engine else { return try work(db) }
        try committer.afterWrites(sqlite) { db in try work(SQLiteSession(db)) }
    }

    /// Whether a row with this key exists; `table` and `column` are the callers' constants, never input.
    static func exists(_ db: any SQLSession, _ table: String, _ column: String, _ value: String) throws -> Bool {
        try db.fetchValue(Bool.self, sql: "SELECT 1 FROM \(table) WHERE \(column) = ?", arguments: [value]) == true
    }

    /// The single writer's work so far (`WriterStatistics`), for `/metrics`.
    public var writerStatistics: WriterStatistics {
        switch engine {
        case .sqlite(_, let committer): committer.statistics
        case .postgres(let server): server.statistics
        }
    }

    /// `observer` is told how long each group commit's `COMMIT` took on the single writer (the
    /// WAL's write and `fdatasync`, and a checkpoint the writer runs itself when the WAL has grown
    /// long): `deskd` keeps them as a histogram on `/metrics`.
    public func observeCommits(_ observer: @escaping @Sendable (Duration) -> Void) {
        switch engine {
        case .sqlite(_, let committer): committer.observeCommits(observer)
        case .postgres(let server): server.observeCommits(observer)
        }
    }

    /// The checkpoints made beside the writer so far, for `/metrics` (none in memory).
    public var checkpointStatistics: CheckpointStatistics { checkpointer?.statistics ?? CheckpointStatistics() }

    /// Folds the WAL into the file and empties it, on the writer (no write runs meanwhile), with
    /// the checkpointer held back: after a purge or a key rotation, so that what was erased is
    /// gone from the WAL too. Fails loudly — erasure is the point — when a reader keeps frames.
    func emptyWAL() async throws {
        // PostgreSQL's WAL is the server's, kept and recycled as its operators set it.
        guard postgres == nil, let pool = writer as? DatabasePool else { return }
        let empty = { @Sendable in try await pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) } }
        if let checkpointer { try await checkpointer.paused(empty) } else { try await empty() }
    }

    /// A write of `deskcli` and the seeding, waited for on the calling thread (one transaction of
    /// its own, outside the group commit).
    func writeNow<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        if let postgres { return try postgres.now(.write, body) }
        return try writer.write { db in try body(SQLiteSession(db)) }
    }

    /// A read waited for on the calling thread.
    func readNow<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        if let postgres { return try postgres.now(.read, body) }
        return try writer.read { db in try body(SQLiteSession(db)) }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        if let postgres { return try await postgres.read(body) }
        return try await writer.read { db in try body(SQLiteSession(db)) }
    }

    /// A read that is one statement: a single `SELECT` sees one committed state by itself, so it
    /// runs without the `BEGIN`/`COMMIT` that `read` wraps around several (GRDB prepares those two
    /// anew each time: ~20 µs, once paid by every authenticated request). Never for more than
    /// one statement — two could see different states.
    func readStatement<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        if let postgres { return try await postgres.read(body) }
        return try await writer.unsafeRead { db in try body(SQLiteSession(db)) }
    }
}

// MARK: - Bootstrap

extension AppDatabase {
    /// What a first start created.
    public struct Bootstrap: Sendable {
        /// The admin's token, shown once; nil when the database was already set up.
        public var adminToken: String?
    }

    /// On an empty database: the centre (administrative-body mode, default calendar) and an
    /// `admin` staff member with a token. Later calls create nothing.
    public func bootstrap() throws -> Bootstrap {
        let now = clock()
        return try writeNow { db in
            // The key that signs the QR seal of the printed forms, made on first start.
            _ = try Self.activeSigningKey(db, creatingAt: now)
            guard try db.fetchValue(Int.self, sql: "SELECT count(*) FROM centre") == 0 else {
                return Bootstrap(adminToken: nil)
            }
            let centre = Centre.bootstrap
            try db.cachedExecute(
                sql: """
                    INSERT INTO centre (id, code, name, mode, autonomy_group, timezone, intake_cutoff, created_at, updated_at)
                    VALUES (1, ?, ?, ?, NULL, ?, ?, ?, ?)
                    """,
                arguments: [
                    centre.code, centre.name, centre.mode.rawValue, centre.timezone, centre.intakeCutoff.description, now.storedSeconds,
                    now.storedSeconds,
                ])
            try Self.storeHours(db, WorkingCalendar.defaultHours)
            // The admin has no department and is a contract member, so the mode rules for
            // departments' staff do not bind it (SPEC §4).
            let admin = Staff(username: "admin", name: "Administrator", role: .admin, employment: .contract)
            try Self.insert(db, staff: admin, at: now)
            let token = TokenSecret.generate()
            let info = TokenInfo(id: TokenSecret.newIdentifier(), username: admin.username, label: "bootstrap", createdAt: now)
            try Self.insert(db, token: info, hash: TokenSecret.hash(token))
            try EventLog.append(
                db, at: now, actor: "system", action: "centre.bootstrap", entity: "centre", entityId: centre.code,
                detail: ["mode": centre.mode.rawValue, "admin": admin.username, "token": info.id])
            return Bootstrap(adminToken: token)
        }
    }

    /// Whether the database has its centre (a first start has happened).
    public func isInitialised() throws -> Bool {
        try readNow { db in try db.fetchValue(Int.self, sql: "SELECT count(*) FROM centre") == 1 }
    }
}

// MARK: - Health and maintenance

extension AppDatabase {
    /// A cheap query that proves the database answers (`/readyz`).
    public func ping() async throws {
        _ = try await read { db in try db.fetchValue(Int.self, sql: "SELECT 1") }
    }

    /// The writer's write-ahead log since its connection opened it: the writes that reached the
    /// file, and how many of them carried a whole frame — its header and its page, which SQLite
    /// asks for as two writes and the VFS layer of `open` joins (keepmap.c). Nil when the log was
    /// not opened through that layer (an in-memory database).
    func logWrites() throws -> (writes: Int64, framesJoined: Int64)? {
        try fileWriter("the WAL's writes").writeWithoutTransaction { db in
            var writes: Int64 = 0
            var joined: Int64 = 0
            guard desk_keepmap_log_counts(db.sqliteConnection, &writes, &joined) == SQLITE_OK else { return nil }
            return (writes, joined)
        }
    }

    /// The value of `PRAGMA synchronous` on the writer (2 = FULL).
    public func synchronousMode() throws -> Int {
        try fileWriter("PRAGMA synchronous").writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// What `deskcli db check` reports.
    public struct CheckReport: Codable, Sendable {
        public var integrity: [String]
        public var foreignKeyViolations: Int
        public var appliedMigrations: [String]
        public var pendingMigrations: [String]
        public var eventChain: ChainVerification
        public var healthy: Bool {
            integrity == ["ok"] && foreignKeyViolations == 0 && pendingMigrations.isEmpty && eventChain.intact
        }
    }

    public func check() throws -> CheckReport {
        try fileWriter("this check (deskcli db check --database URL checks a server)").read { db in
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            let violations = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").count
            let applied = try Self.migrator.appliedMigrations(db)
            let pending = Schema.migrations.map(\.name).filter { !applied.contains($0) }
            return CheckReport(
                integrity: integrity, foreignKeyViolations: violations, appliedMigrations: applied,
                pendingMigrations: pending, eventChain: try EventLog.verify(SQLiteSession(db)))
        }
    }

    /// Walks the whole event chain (`deskcli audit verify`).
    public func verifyEventChain(anchors: [ChainAnchor] = []) throws -> ChainVerification {
        try readNow { db in try EventLog.verify(db, anchors: anchors) }
    }

    /// The head of the audit chain, to be kept outside the database (`ChainAnchor`).
    public func chainAnchor() throws -> ChainAnchor? {
        let now = clock()
        return try readNow { db in try EventLog.anchor(db, at: now) }
    }

    /// A consistent copy of the database into a new file, safe while `deskd` writes
    /// (SQLite's online backup through a read transaction).
    public func backup(to path: String) throws {
        let writer = try fileWriter("deskcli db backup (on PostgreSQL: pg_dump)")
        let destination = try DatabaseQueue(path: path)
        try writer.backup(to: destination)
        try destination.close()
    }

    /// The audit trail of one entity, oldest first.
    public func events(entity: String, id: String) async throws -> [Event] {
        try await read { db in try EventLog.events(db, entity: entity, entityId: id) }
    }
}

extension AppDatabase {
    /// Closes the database cleanly: `deskd` once it has drained, `deskcli`'s local commands when
    /// done. The WAL is folded into the file first, so that the file alone holds every committed
    /// write once the process is gone (a copy of it is then whole): GRDB closes the writer before
    /// the read-only readers, and SQLite's own checkpoint at the last close needs a connection that
    /// may write — without this the WAL stayed, several MB, until the next start folded it in.
    ///
    /// `emptyingWAL` (the daemon, the file's owner) also empties the WAL (`TRUNCATE`), which holds
    /// SQLite's write lock while it waits for readers; a command running beside the daemon folds
    /// what it can without it (`PASSIVE`), never blocking the daemon's writes. Another process
    /// reading an older state (a backup under way) can keep frames in the WAL: nothing is lost —
    /// the next open folds them in — but the file alone is then not whole, and this says so.
    /// - Returns: whether every committed write is in the file itself.
    @discardableResult
    public func close(emptyingWAL: Bool = false) throws -> Bool {
        if let postgres {
            postgres.closeNow()
            return true
        }
        var whole = true
        if let pool = writer as? DatabasePool {
            do {
                try checkpointer?.close(writer: pool)
                let frames = try pool.writeWithoutTransaction { db in try db.checkpoint(emptyingWAL ? .truncate : .passive) }
                whole = frames.walFrameCount == frames.checkpointedFrameCount
            } catch {
                whole = false
            }
            try pool.close()
        } else if let queue = writer as? DatabaseQueue {
            try queue.close()
        }
        return whole
    }
}
