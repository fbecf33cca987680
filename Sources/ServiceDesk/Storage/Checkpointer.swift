import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// What the checkpointer has done since start (`/metrics`).
public struct CheckpointStatistics: Sendable, Equatable {
    /// Checkpoints run on the checkpointer's own connection.
    public var checkpoints = 0
    /// Their wall time: copying the WAL's pages into the file and its fsync.
    public var nanoseconds: UInt64 = 0
    /// Short checkpoints the writer ran itself after a commit, copying what the checkpointer had
    /// not yet copied, so that the WAL starts again from its beginning.
    public var onWriter = 0
    /// Their wall time on the writer, which every waiting write shares.
    public var onWriterNanoseconds: UInt64 = 0
    /// Checkpoints that failed (another process was checkpointing); the next commit tries again.
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
/// SQLite starts the WAL again from its beginning only at a commit that finds all of it copied —
/// which a checkpoint running beside a busy writer seldom leaves: the WAL would grow without end.
/// So once the WAL is `restartLength` long, the writer copies the few pages the checkpointer has
/// not yet copied itself, after a commit (a short `PASSIVE` checkpoint of its own), and the next
/// commit starts the WAL again; should too many be left, it hands the checkpointer another round
/// first. Past `writerLimit` (the checkpointer stalled, never expected) the writer copies whatever
/// is left, as SQLite would have. Only one connection may checkpoint at a time, and an explicit
/// one on another connection (`TRUNCATE` after a purge, at close) fails at once with `SQLITE_BUSY`
/// while this one runs: `paused(_:)` holds it back meanwhile.
final class Checkpointer: Sendable {
    /// Pages added to the WAL that start a checkpoint: SQLite's own default.
    static let threshold: Int32 = 1000
    /// The WAL's length (pages) at which the writer copies what is left, so that it starts again.
    static let restartLength: Int32 = 4 * threshold
    /// What the writer copies itself at most, unless the WAL reached `writerLimit`.
    static let writerShare: Int32 = threshold / 4
    /// The WAL's length past which the writer copies whatever is left.
    static let writerLimit: Int32 = 16 * threshold

    private struct State {
        /// The WAL's pages already copied into the file when the last checkpoint ended.
        var copied: Int32 = 0
        var running = false
        /// Held back by `paused(_:)` (a count: pauses may overlap) or closed for good.
        var pauses = 0
        var closed = false
    }

    private let connection: DatabaseQueue
    private let state = Mutex(State())
    private let counted = Mutex(CheckpointStatistics())
    /// The writer's connection, whose hook calls back here (set once by `attach`).
    private let hooked = Mutex<Unmanaged<Checkpointer>?>(nil)

    var statistics: CheckpointStatistics { counted.withLock { $0 } }

    /// Opens the checkpointer's connection on a database file already in WAL mode.
    init(path: String) throws {
        var configuration = GRDB.Configuration()
        configuration.label = "ServiceDesk.checkpointer"
        // Below the writer and the requests: what it does is catch up, not answer anyone.
        configuration.qos = .utility
        configuration.busyMode = .timeout(5)
        connection = try DatabaseQueue(path: path, configuration: configuration)
    }

    /// Installs the hook on the writer's connection, in place of SQLite's auto-checkpoint. Call on
    /// the writer (inside one of its accesses), once.
    func attach(to db: Database) {
        let context = hooked.withLock { hooked in
            // The hook's context keeps this object alive as long as the hook may be called;
            // `close()` removes the hook and lets it go.
            let context = Unmanaged.passRetained(self)
            hooked = context
            return context
        }
        sqlite3_wal_hook(
            db.sqliteConnection,
            { context, connection, _, pages in
                guard let context, let connection else { return SQLITE_OK }
                Unmanaged<Checkpointer>.fromOpaque(context).takeUnretainedValue().committed(pages: pages, writer: connection)
                return SQLITE_OK
            }, context.toOpaque())
    }

    /// After each commit of the writer, on the writer: `pages` is the WAL's length in pages.
    private func committed(pages: Int32, writer: OpaquePointer) {
        enum Action { case none, scheduled, foldHere }
        let action = state.withLock { state -> Action in
            if state.closed { return .none }
            // Fewer pages than were copied: SQLite has started the WAL again from its beginning.
            if pages < state.copied { state.copied = 0 }
            let pending = pages - state.copied
            guard !state.running, state.pauses == 0 else { return .none }
            if pages >= Self.writerLimit || (pages >= Self.restartLength && pending <= Self.writerShare) {
                return pending > 0 ? .foldHere : .none
            }
            guard pending >= Self.threshold || pages >= Self.restartLength else { return .none }
            state.running = true
            // Handed over under the lock, so that `paused(_:)` waits for it once it holds back.
            connection.asyncWriteWithoutTransaction { db in self.run(db) }
            return .scheduled
        }
        switch action {
        case .none, .scheduled:
            return
        case .foldHere:
            var length: Int32 = 0
            var copied: Int32 = 0
            let started = ContinuousClock.now
            let code = sqlite3_wal_checkpoint_v2(writer, nil, SQLITE_CHECKPOINT_PASSIVE, &length, &copied)
            let elapsed = (ContinuousClock.now - started).nanoseconds
            if code == SQLITE_OK { state.withLock { $0.copied = copied } }
            counted.withLock { statistics in
                if code == SQLITE_OK {
                    statistics.onWriter += 1
                    statistics.onWriterNanoseconds += elapsed
                } else {
                    statistics.failed += 1
                }
            }
        }
    }

    /// One passive checkpoint on this connection.
    private func run(_ db: Database) {
        let started = ContinuousClock.now
        let copied = try? db.checkpoint(.passive).checkpointedFrameCount
        let elapsed = (ContinuousClock.now - started).nanoseconds
        state.withLock { state in
            state.running = false
            if let copied { state.copied = Int32(clamping: copied) }
        }
        counted.withLock { statistics in
            if copied == nil {
                statistics.failed += 1
            } else {
                statistics.checkpoints += 1
                statistics.nanoseconds += elapsed
            }
        }
    }

    /// Runs `body` (an explicit checkpoint on another connection) while no checkpoint runs here.
    func paused<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        state.withLock { $0.pauses += 1 }
        defer { state.withLock { $0.pauses -= 1 } }
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
