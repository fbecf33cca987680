import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// What the checkpointer has done since start (`/metrics`): checkpoints that copied pages.
public struct CheckpointStatistics: Sendable, Equatable {
    /// Checkpoints run on the checkpointer's own connection.
    public var checkpoints = 0
    /// Their wall time: copying the WAL's pages into the file and its fsync.
    public var nanoseconds: UInt64 = 0
    /// Checkpoints the writer ran itself after a commit, copying what the checkpointer had not
    /// yet copied, so that the WAL starts again from its beginning.
    public var onWriter = 0
    /// Their wall time on the writer (part of its commit: every waiting write shares it).
    public var onWriterNanoseconds: UInt64 = 0
    /// Checkpoints that failed with an error (not merely `SQLITE_BUSY`: another connection
    /// checkpointing at the time); the next commit tries again.
    public var failed = 0

    public init() {}
}

/// Folds the WAL into the database file on a connection of its own, beside the single writer.
///
/// SQLite's own auto-checkpoint runs inside the commit that takes the WAL past 1,000 pages: the
/// writer copies every page of the WAL into the file and syncs it before it answers that commit
/// and takes the next batch, so every write queued behind it waits too — on the hall's open-loop
/// calls, a stall of several milliseconds every ~150 commits, where a call's whole answer takes
/// two (docs/benchmarks.md). This takes its place (`sqlite3_wal_hook` on the writer's connection
/// replaces SQLite's auto-checkpoint): after each commit the writer only counts the pages added
/// since the last checkpoint, and once they reach the same 1,000 it hands a `PASSIVE` checkpoint
/// to this connection, which runs it while the writer goes on committing (a passive checkpoint
/// takes no lock a writer or a reader needs).
///
/// SQLite starts the WAL again from its beginning only at a commit that finds all of it copied
/// and no reader inside it — which a checkpoint racing a busy writer seldom leaves: the WAL would
/// grow without end. So once the WAL is `restartLength` long and no checkpoint is under way here,
/// the writer copies what this connection has not yet copied — what was committed during its
/// last run — itself, after a commit (a `PASSIVE` checkpoint of its own, timed in the commit), and
/// the next commit starts the WAL again unless a reader is still inside it. Past `writerLimit`
/// with a checkpoint only queued here, not begun (this connection's thread starved), the writer
/// copies the rest itself. Only one connection may checkpoint at a time, and an explicit one
/// (`TRUNCATE` after a purge, at close) fails at once with `SQLITE_BUSY` while this one runs:
/// `paused(_:)` holds this one back meanwhile.
final class Checkpointer: Sendable {
    /// Pages added to the WAL that start a checkpoint: SQLite's own default.
    static let threshold: Int32 = 1000
    /// The WAL's length (pages) at which the writer copies what is left, so that it starts again.
    static let restartLength: Int32 = 4 * threshold
    /// The WAL's length past which the writer copies what is left even with a checkpoint queued here.
    static let writerLimit: Int32 = 16 * threshold

    private struct State {
        /// The WAL's pages copied into the file when the last checkpoint ended.
        var copied: Int32 = 0
        /// The WAL's length at the writer's last commit: a shorter one means it started again.
        var length: Int32 = 0
        /// How many times the WAL has started again: a checkpoint that ended in an earlier WAL
        /// says nothing of what is copied in this one.
        var generation = 0
        /// A checkpoint handed to this connection and not yet ended; `started` once it runs.
        var queued = false
        var started = false
        /// Held back by `paused(_:)` (a count: pauses may overlap) or closed for good.
        var pauses = 0
        var closed = false

        mutating func walStartedAgain() {
            copied = 0
            length = 0
            generation += 1
        }
    }

    /// What the writer's hook holds: this object weakly, so that a database dropped without
    /// `close()` lets its checkpointer (and its connection) go; only this small box is kept.
    private final class HookContext: Sendable {
        weak let checkpointer: Checkpointer?
        init(_ checkpointer: Checkpointer) { self.checkpointer = checkpointer }
    }

    private let connection: DatabaseQueue
    private let state = Mutex(State())
    private let counted = Mutex(CheckpointStatistics())
    /// The hook's context on the writer's connection (set once by `attach`, taken by `close`).
    private let hooked = Mutex<Unmanaged<HookContext>?>(nil)

    var statistics: CheckpointStatistics { counted.withLock { $0 } }

    /// Opens the checkpointer's connection on a database file already in WAL mode.
    init(path: String) throws {
        var configuration = GRDB.Configuration()
        configuration.label = "ServiceDesk.checkpointer"
        // As the request handlers: below the writer, but not starved by the requests on a busy
        // machine (the WAL grows while it waits).
        configuration.qos = .default
        configuration.busyMode = .timeout(5)
        connection = try DatabaseQueue(path: path, configuration: configuration)
    }

    /// Installs the hook on the writer's connection, in place of SQLite's auto-checkpoint. Call on
    /// the writer (inside one of its accesses), once.
    func attach(to db: Database) {
        let context = Unmanaged.passRetained(HookContext(self))
        hooked.withLock { $0 = context }
        sqlite3_wal_hook(
            db.sqliteConnection,
            { context, connection, _, pages in
                guard let context, let connection,
                    let checkpointer = Unmanaged<HookContext>.fromOpaque(context).takeUnretainedValue().checkpointer
                else { return SQLITE_OK }
                checkpointer.committed(pages: pages, writer: connection)
                return SQLITE_OK
            }, context.toOpaque())
    }

    /// After each commit of the writer, on the writer: `pages` is the WAL's length in pages.
    private func committed(pages: Int32, writer: OpaquePointer) {
        enum Action { case none, scheduled, foldHere }
        let action = state.withLock { state -> Action in
            // Shorter than at the last commit: SQLite has started the WAL again from its beginning.
            if pages < state.length || pages < state.copied { state.walStartedAgain() }
            state.length = pages
            guard !state.closed, state.pauses == 0 else { return .none }
            let pending = pages - state.copied
            guard pending > 0 else { return .none }
            if state.queued {
                return pages >= Self.writerLimit && !state.started ? .foldHere : .none
            }
            if pending < Self.threshold { return pages >= Self.restartLength ? .foldHere : .none }
            state.queued = true
            let generation = state.generation
            // Handed over under the lock, so that `paused(_:)` waits for it once it holds back.
            connection.asyncWriteWithoutTransaction { db in self.run(db, generation: generation) }
            return .scheduled
        }
        guard action == .foldHere else { return }
        var length: Int32 = 0
        var copied: Int32 = 0
        let started = ContinuousClock.now
        let code = sqlite3_wal_checkpoint_v2(writer, nil, SQLITE_CHECKPOINT_PASSIVE, &length, &copied)
        let elapsed = (ContinuousClock.now - started).nanoseconds
        let progressed = state.withLock { state in
            guard code == SQLITE_OK, copied > state.copied else { return false }
            state.copied = copied
            return true
        }
        counted.withLock { statistics in
            if code != SQLITE_OK && code != SQLITE_BUSY {
                statistics.failed += 1
            } else if progressed {
                statistics.onWriter += 1
                statistics.onWriterNanoseconds += elapsed
            }
        }
    }

    /// One passive checkpoint on this connection, handed over while the WAL was in `generation`.
    private func run(_ db: Database, generation: Int) {
        state.withLock { $0.started = true }
        let began = ContinuousClock.now
        let result = Result { try db.checkpoint(.passive).checkpointedFrameCount }
        let elapsed = (ContinuousClock.now - began).nanoseconds
        let progressed = state.withLock { state in
            defer { (state.queued, state.started) = (false, false) }
            guard case .success(let copied) = result, state.generation == generation, copied > state.copied else { return false }
            state.copied = Int32(clamping: copied)
            return true
        }
        counted.withLock { statistics in
            if case .failure(let error) = result, (error as? DatabaseError)?.resultCode != .SQLITE_BUSY {
                statistics.failed += 1
            } else if progressed {
                statistics.checkpoints += 1
                statistics.nanoseconds += elapsed
            }
        }
    }

    /// Runs `body`, an explicit checkpoint on the writer, while no checkpoint runs here (nor on
    /// the writer after its commits: `body`, on the writer too, runs between them). `body` may
    /// empty the WAL: what this connection had copied is counted afresh.
    func paused<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        state.withLock { $0.pauses += 1 }
        defer {
            state.withLock { state in
                state.pauses -= 1
                state.walStartedAgain()
            }
        }
        try await connection.writeWithoutTransaction { _ in }
        return try await body()
    }

    /// Removes the hook from the writer and closes the connection once a checkpoint under way
    /// has ended; the writer's commits then no longer checkpoint at all: call right before the
    /// writer closes.
    func close(writer: DatabasePool) throws {
        state.withLock { $0.closed = true }
        let context = hooked.withLock { hooked in
            defer { hooked = nil }
            return hooked
        }
        if let context {
            writer.writeWithoutTransaction { db in _ = sqlite3_wal_hook(db.sqliteConnection, nil, nil) }
            context.release()
        }
        try connection.close()
    }
}
