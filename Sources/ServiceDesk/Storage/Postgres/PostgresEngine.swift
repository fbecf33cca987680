import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The daemon's storage on a PostgreSQL server (issue 18): a pool of connections (postgres-nio's
/// `PostgresClient`), each read and write one transaction on one of them, running the storage's
/// own code (`SQLSession`) as SQLite's writer and readers run it. Writes take the writers' lock
/// (`PostgresStore.writersLock`), so writes of every instance on the database run one after
/// another, as on SQLite's single writer; reads see one state each (`REPEATABLE READ`).
final class PostgresEngine: Sendable {
    let location: PostgresLocation
    private let client: PostgresClient
    private let running: Task<Void, Never>
    private let logger: Logger
    /// A connection of its own for the synchronous API (`writeNow`, `readNow`: the first start's
    /// bootstrap, the seeding, `deskcli`), one caller at a time: its statements are waited for on
    /// the caller's thread, with no task of Swift's pool to wait for.
    private let synchronous: PostgresConnection
    private let synchronousLock = NSLock()
    /// The writes of this instance as `/metrics` counts SQLite's single writer: one transaction
    /// each, its time holding the writers' lock (run: the body; commit: the `COMMIT`), its CPU.
    private let counted = Mutex(WriterStatistics())
    private let commitObserver = CommitObserver()

    var statistics: WriterStatistics { counted.withLock { $0 } }

    func observeCommits(_ observer: @escaping @Sendable (Duration) -> Void) {
        commitObserver.set(observer)
    }

    private init(
        location: PostgresLocation, client: PostgresClient, running: Task<Void, Never>, synchronous: PostgresConnection, logger: Logger
    ) {
        self.location = location
        self.client = client
        self.running = running
        self.synchronous = synchronous
        self.logger = logger
    }

    /// Connects the pool and proves the server answers, with the model at this binary's schema.
    static func connect(
        _ location: PostgresLocation, maximumConnections: Int = 8, patience: Duration = .seconds(10),
        logger: Logger = Logger(label: "ServiceDesk.postgres")
    ) async throws -> PostgresEngine {
        let client = PostgresClient(
            configuration: location.clientConfiguration(maximumConnections: maximumConnections), backgroundLogger: logger)
        let running = Task { await client.run() }
        let synchronous: PostgresConnection
        do {
            synchronous = try await PostgresConnection.connect(configuration: try location.configuration(), id: 0, logger: logger)
            try await synchronous.query("SET search_path TO public", logger: logger)
        } catch {
            running.cancel()
            throw PostgresStoreError("cannot connect to \(location.redacted): \(PostgresStore.describe(error))")
        }
        let engine = PostgresEngine(location: location, client: client, running: running, synchronous: synchronous, logger: logger)
        do {
            // The pool retries a server that does not answer without end: the first read is given
            // `patience`, so that a wrong URL stops deskd in one line instead of leaving it waiting.
            let applied = try await withThrowingTaskGroup(of: [String]?.self) { group in
                group.addTask {
                    try await engine.read { db in try PostgresStore.appliedMigrations(db) }
                }
                group.addTask {
                    try await Task.sleep(for: patience)
                    return nil
                }
                let first = try await group.next()!
                group.cancelAll()
                guard let first else {
                    throw PostgresStoreError("cannot connect to \(location.redacted): no answer within \(patience.components.seconds) s")
                }
                return first
            }
            try PostgresStore.SchemaState(applied: applied).require(location)
        } catch {
            await engine.close()
            if let error = error as? PostgresStoreError { throw error }
            throw PostgresStoreError("cannot connect to \(location.redacted): \(PostgresStore.describe(error))")
        }
        return engine
    }

    /// An engine let go without `close()`: its own connection is closed and kept until it is
    /// (postgres-nio requires a connection closed before it goes), and the pool told to stop.
    deinit {
        let connection = synchronous
        if !connection.isClosed { connection.close().whenComplete { _ in withExtendedLifetime(connection) {} } }
        running.cancel()
    }

    /// Closes every connection of the pool.
    func close() async {
        try? await synchronous.close()
        running.cancel()
        _ = await running.value
    }

    /// Closes every connection, waited for on this thread (never an event loop's): the pool is
    /// told to stop and ends by itself.
    func closeNow() {
        try? synchronous.close().wait()
        running.cancel()
    }

    /// `body` in one transaction on the synchronous connection, waited for on this thread.
    func now<T>(_ access: PostgresStore.Access, _ body: (any SQLSession) throws -> T) throws -> T {
        synchronousLock.lock()
        defer { synchronousLock.unlock() }
        do {
            return try PostgresStore.inTransaction(access, PostgresSession(connection: synchronous, logger: logger), body)
        } catch let error as PSQLError {
            throw PostgresStore.storageError(error)
        }
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        try await transaction(.write, body)
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        try await transaction(.read, body)
    }

    /// Counts one request of `client` in its window of `scope` and returns the window's count,
    /// for every instance alike (the table `rate_window`, 0006). One statement on its own, outside
    /// the writers' lock: the row's upsert is atomic, and the window is timed by the server's
    /// clock, so instances whose clocks differ count one window. A window found over is started
    /// again; now and then the windows over are deleted.
    func countRequest(scope: String, client key: String, window: Duration) async throws -> Int {
        let milliseconds = Int64(window.components.seconds * 1000 + window.components.attoseconds / 1_000_000_000_000_000)
        let rows = try await client.query(
            """
            INSERT INTO rate_window AS w (scope, client, started, count)
            VALUES (\(scope), \(key), (extract(epoch FROM statement_timestamp()) * 1000)::bigint, 1)
            ON CONFLICT (scope, client) DO UPDATE SET
                started = CASE WHEN w.started <= EXCLUDED.started - \(milliseconds) THEN EXCLUDED.started ELSE w.started END,
                count = CASE WHEN w.started <= EXCLUDED.started - \(milliseconds) THEN 1 ELSE w.count + 1 END
            RETURNING count
            """, logger: logger)
        var count = 1
        for try await value in rows.decode(Int.self) { count = value }
        if count == 1 && Int.random(in: 0..<256) == 0 {
            _ = try await client.query(
                """
                DELETE FROM rate_window WHERE scope = \(scope) AND started <= (extract(epoch FROM statement_timestamp()) * 1000)::bigint - \(milliseconds)
                """, logger: logger)
        }
        return count
    }

    private func transaction<T: Sendable>(
        _ access: PostgresStore.Access, _ body: @escaping @Sendable (any SQLSession) throws -> T
    ) async throws -> T {
        let logger = logger
        guard access == .write else {
            return try await client.withConnection { connection in
                try await PostgresStore.transaction(access, on: connection, logger: logger, body)
            }
        }
        return try await client.withConnection { connection in
            try await PostgresStore.statements(on: connection, logger: logger) { session in
                let timing = WriteTiming()
                do {
                    let result = try PostgresStore.inTransaction(access, session, timing: timing, body)
                    self.count(timing, failed: false)
                    return result
                } catch {
                    self.count(timing, failed: true)
                    throw error
                }
            }
        }
    }

    private func count(_ timing: WriteTiming, failed: Bool) {
        guard let locked = timing.lockedAt else { return }
        let end = timing.committedAt ?? .now
        let committing = timing.committingAt ?? end
        let commit = end - committing
        counted.withLock {
            $0.batches += 1
            $0.jobs += 1
            if failed { $0.failedBatches += 1 }
            $0.runNanoseconds += Self.nanoseconds(committing - locked)
            $0.commitNanoseconds += Self.nanoseconds(commit)
            if timing.cpuAtCommit >= timing.cpuAtLock { $0.runCPUNanoseconds += timing.cpuAtCommit - timing.cpuAtLock }
        }
        if !failed, timing.committedAt != nil { commitObserver.tell(commit) }
    }

    private static func nanoseconds(_ duration: Duration) -> UInt64 {
        UInt64(max(0, duration.components.seconds)) * 1_000_000_000 + UInt64(max(0, duration.components.attoseconds / 1_000_000_000))
    }
}
