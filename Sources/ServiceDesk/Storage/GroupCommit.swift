import GRDB
import GRDBSQLite
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the single writer has done since start: how many transactions, how many writes in them,
/// how long it spent running the writes, timed on the writer itself (and how much of that was its
/// thread's CPU time), and then committing them (the WAL's write and fsync, and a checkpoint the
/// writer runs itself). A transaction that fails to commit counts with its writes, without times.
/// `deskd` exports them on `/metrics`: busy time near one second per second means the single
/// writer is the limit.
public struct WriterStatistics: Sendable, Equatable {
    public var batches = 0
    public var jobs = 0
    public var runNanoseconds: UInt64 = 0
    public var commitNanoseconds: UInt64 = 0
    public var runCPUNanoseconds: UInt64 = 0
    /// Transactions that failed to commit (their writes were answered with the error).
    public var failedBatches = 0
    /// Transactions rolled back and run again with each write in its own savepoint, because a
    /// write failed after changing rows (`GroupCommit`): counted with the batches once.
    public var redoneBatches = 0

    public init() {}
}

/// Group commit: writes that arrive while a transaction is being committed wait for it, then
/// all run in the next transaction, and a single fsync makes them all durable. At low load a
/// write runs at once, alone; under concurrency the batches grow by themselves, with no timer and
/// no added wait.
///
/// One failing write must leave nothing of itself and take nothing of the others with it. A
/// savepoint around each write would do it, at a price every write pays: SQLite copies every page
/// a write changes inside a savepoint to the savepoint's journal first — a sixth of an intake's
/// time on the writer (docs/benchmarks.md) — for a rollback that almost never comes, as a write
/// checks what it is asked before it changes anything. So the writes of a batch run bare, one
/// after another, and a write that fails is judged by what it left:
/// - it changed no row (`sqlite3_total_changes64` unchanged — the rows of triggers and of the
///   full-text tables count too; a statement that fails undoes its own rows): it failed with
///   nothing to undo, and the batch goes on;
/// - it had changed rows: the batch's transaction is rolled back and the whole batch run again,
///   each write in its own savepoint as before, so the failing one rolls back only itself. A
///   write is a function of the database it is given: run again on the same state it does the
///   same (the caches it may have filled are cleared, as after a failed commit).
/// Writes change rows; the schema is the migrations', which run before the group commit does. A
/// change of the schema is no row: a write that changed it and then failed would keep it (none
/// does; reading the schema's version at every batch to catch one cost more than the savepoints).
/// Should SQLite roll the whole transaction back under a write (a full disk, an I/O error), GRDB
/// refuses every statement after it until the transaction ends: the batch fails as a failed
/// commit does, and no write after it commits on its own.
/// Every caller is answered only after the transaction holding its write has committed with
/// `synchronous = FULL`: a `2xx` is still a durable change. (One durable commit per request tops
/// out near 700/s on a disk with a slow fsync; committing concurrent requests together reaches
/// several thousand: docs/benchmarks.md.)
final class GroupCommit: Sendable {
    /// One write: runs inside the shared transaction, in a savepoint of its own when told to
    /// (`isolated`), and says what to do once the batch commits.
    struct Job: Sendable {
        let run: @Sendable (_ db: Database, _ isolated: Bool) -> Ran
        let fail: @Sendable (any Error) -> Void
    }

    /// What running a job left: its answer, given once the batch commits.
    enum Ran {
        case succeeded(answer: @Sendable () -> Void)
        /// Failed: its savepoint rolled back when isolated; run bare, whether it had changed rows.
        case failed(answer: @Sendable () -> Void, changedRows: Bool)
    }

    /// The batch run bare has a write to undo: rolled back, to be run again isolated.
    private struct Redo: Error {}

    /// A statement that waits for the end of the batch (`afterWrites`).
    typealias Tail = @Sendable (Database) throws -> Void

    private let writer: any DatabaseWriter
    private let onFailure: @Sendable () -> Void
    private let state = Mutex<(jobs: [Job], draining: Bool)>(([], false))
    /// The tail of the batch being run: open while its writes run, then run and emptied.
    private let tail = Mutex<(open: Bool, work: [Tail])>((false, []))
    private let counted = Mutex(WriterStatistics())
    /// Told how long each transaction's `COMMIT` took on the writer (`observeCommits`).
    private let commitObserver = CommitObserver()

    var statistics: WriterStatistics { counted.withLock { $0 } }

    /// Writes waiting for the next batch (for tests that need several in one batch).
    var waiting: Int { state.withLock { $0.jobs.count } }

    /// `observer` is told, for every transaction of the group commit that committed, how long its
    /// `COMMIT` took on the writer: writing the WAL and its `fdatasync`, and the checkpoint the
    /// writer runs itself when the WAL has grown long (`Checkpointer`) — so a disk that stalls
    /// shows as such (`deskd`: the `desk_writer_commit_seconds` histogram). Called before the
    /// writes are answered, so an answer's commit is already counted; a transaction that fails is
    /// not observed. Replaces any observer before.
    func observeCommits(_ observer: @escaping @Sendable (Duration) -> Void) {
        commitObserver.set(observer)
    }

    init(writer: any DatabaseWriter, onFailure: @escaping @Sendable () -> Void = {}) {
        self.writer = writer
        self.onFailure = onFailure
    }

    /// Runs `body` in the next transaction, alone or undone alone should it fail, and returns its
    /// result once committed.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job = Job(
                run: { db, isolated in
                    let mark = self.tail.withLock { $0.work.count }
                    let changes = sqlite3_total_changes64(db.sqliteConnection)
                    do {
                        let result = try isolated ? Self.inSavepoint(db) { try body(db) } : body(db)
                        return .succeeded { continuation.resume(returning: result) }
                    } catch {
                        // What the failed write left for the tail goes with the rest of it.
                        self.tail.withLock { $0.work.removeSubrange(mark...) }
                        return .failed(
                            answer: { continuation.resume(throwing: error) },
                            changedRows: sqlite3_total_changes64(db.sqliteConnection) != changes)
                    }
                },
                fail: { continuation.resume(throwing: $0) })
            enqueue(job)
        }
    }

    /// Runs `body` in a savepoint of the batch's transaction: released when it returns, rolled back
    /// (and released) when it throws, the error rethrown. GRDB's `inSavepoint` does the same but
    /// prepares its `SAVEPOINT` and `RELEASE` anew at every write — 6.5 % of an intake's time on
    /// the writer (`perf`, docs/benchmarks.md); these are prepared once per connection. Should
    /// SQLite have rolled the whole transaction back (a full disk, an I/O error), the savepoint is
    /// gone: its `RELEASE` fails and the write fails with it, as does the batch's commit.
    static func inSavepoint<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        try db.cachedStatement(sql: "SAVEPOINT job").execute()
        do {
            let value = try body()
            try db.cachedStatement(sql: "RELEASE SAVEPOINT job").execute()
            return value
        } catch {
            // The first error is the one to tell; a rollback that fails too leaves the
            // transaction to fail at its commit.
            try? db.cachedStatement(sql: "ROLLBACK TRANSACTION TO SAVEPOINT job").execute()
            try? db.cachedStatement(sql: "RELEASE SAVEPOINT job").execute()
            throw error
        }
    }

    /// Runs `work` in the current transaction once every write of the batch has run, outside any
    /// savepoint of theirs, in the order the writes asked; at once when called outside a batch. For the
    /// full-text tables: FTS5 writes its pending terms out as a new segment at every savepoint of a
    /// transaction it is part of, so a row added inside each write's savepoint cost a segment (and
    /// its merges) per write — the rows of a whole batch now make one (docs/benchmarks.md). Only
    /// for tables no write reads; a write that fails leaves nothing here.
    /// Should the tail itself fail, the batch's transaction fails with it, as a failed commit does:
    /// every write of the batch is answered with the error and nothing of it is kept.
    func afterWrites(_ db: Database, _ work: @escaping Tail) throws {
        let queued = tail.withLock { tail in
            guard tail.open else { return false }
            tail.work.append(work)
            return true
        }
        if !queued { try work(db) }
    }

    private func enqueue(_ job: Job) {
        let start = state.withLock { state in
            state.jobs.append(job)
            if state.draining { return false }
            state.draining = true
            return true
        }
        if start { writer.asyncWriteWithoutTransaction { db in self.drain(db) } }
    }

    /// One transaction holding `jobs`, committed: the answers to give, and the moment the writes
    /// had run (before the `COMMIT`). Run bare (`isolated` false), throws `Redo`, rolled back,
    /// when a write failed after changing rows. The time from `BEGIN` to the end of the writes,
    /// and the thread's CPU time in it, are added to `spent` (a rolled-back attempt's too).
    private func commit(
        _ jobs: [Job], in db: Database, isolated: Bool, spent: inout (run: UInt64, cpu: UInt64)
    ) throws -> (answers: [@Sendable () -> Void], ran: ContinuousClock.Instant) {
        var outcome: (answers: [@Sendable () -> Void], ran: ContinuousClock.Instant)?
        try db.inTransaction {
            let started = ContinuousClock.now
            let cpu = Self.threadCPUNanoseconds()
            defer {
                spent.run += (ContinuousClock.now - started).nanoseconds
                spent.cpu += Self.threadCPUNanoseconds() &- cpu
            }
            tail.withLock { $0 = (true, []) }
            defer { tail.withLock { $0 = (false, []) } }
            var answers: [@Sendable () -> Void] = []
            answers.reserveCapacity(jobs.count)
            for job in jobs {
                switch job.run(db, isolated) {
                case .succeeded(let answer):
                    answers.append(answer)
                case .failed(let answer, let changedRows):
                    if !isolated && changedRows { throw Redo() }
                    answers.append(answer)
                }
            }
            let work = tail.withLock { tail in
                defer { tail = (false, []) }
                return tail.work
            }
            for statement in work { try statement(db) }
            outcome = (answers, ContinuousClock.now)
            return .commit
        }
        return outcome!
    }

    /// Commits one batch of what waits, on the writer's queue (`db`), answers its writes, and comes
    /// back to the queue for the next batch while writes wait. Each batch runs as a block of the
    /// writer's serial queue of its own, so the other users of the writer (the reports' concurrent
    /// reads, the checkpoints, `writeNow`) keep their turns; the next batch starts on the same
    /// thread, without a hop through Swift's task pool and back (docs/benchmarks.md: those hops,
    /// under load, were a seventh of the writer's time).
    private func drain(_ db: Database) {
        let jobs = state.withLock { state in
            let jobs = state.jobs
            state.jobs = []
            if jobs.isEmpty { state.draining = false }
            return jobs
        }
        if jobs.isEmpty { return }
        let priority = WriterPriority.raise()
        defer { priority.restore() }
        do {
            var spent: (run: UInt64, cpu: UInt64) = (0, 0)
            var batch: (answers: [@Sendable () -> Void], ran: ContinuousClock.Instant)
            do {
                batch = try commit(jobs, in: db, isolated: false, spent: &spent)
            } catch is Redo {
                // Rolled back: what the writes read into the caches may have gone with it.
                onFailure()
                counted.withLock { $0.redoneBatches += 1 }
                batch = try commit(jobs, in: db, isolated: true, spent: &spent)
            }
            // Committed: the WAL written and synced (and a checkpoint, if the writer ran one).
            let committed = ContinuousClock.now
            counted.withLock { statistics in
                statistics.batches += 1
                statistics.jobs += jobs.count
                statistics.runNanoseconds += spent.run
                statistics.runCPUNanoseconds += spent.cpu
                statistics.commitNanoseconds += (committed - batch.ran).nanoseconds
            }
            commitObserver.tell(committed - batch.ran)
            for complete in batch.answers { complete() }
        } catch {
            counted.withLock { statistics in
                statistics.batches += 1
                statistics.jobs += jobs.count
                statistics.failedBatches += 1
            }
            onFailure()
            for job in jobs { job.fail(error) }
        }
        let more = state.withLock { state in
            if state.jobs.isEmpty { state.draining = false }
            return state.draining
        }
        if more { writer.asyncWriteWithoutTransaction { db in self.drain(db) } }
    }
}

/// The writer's thread runs its batches above the request handlers' threads (a lower nice value,
/// for the batch only: the thread is one of dispatch's and returns to the pool). Needs the right to
/// raise a thread's priority (root, `CAP_SYS_NICE`, or systemd's `LimitNICE=`); without it the
/// batch runs as before.
struct WriterPriority {
    static let boost: Int32 = -10
    private let previous: Int32?

    /// On Linux the nice value is the calling thread's (`setpriority` with 0 names the thread).
    static func raise() -> WriterPriority {
        #if os(Linux)
            let which = __priority_which_t(PRIO_PROCESS.rawValue)
            errno = 0
            let previous = getpriority(which, 0)
            guard errno == 0, previous > boost, setpriority(which, 0, boost) == 0 else { return WriterPriority(previous: nil) }
            return WriterPriority(previous: previous)
        #else
            return WriterPriority(previous: nil)
        #endif
    }

    func restore() {
        #if os(Linux)
            if let previous { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, previous) }
        #endif
    }
}

extension GroupCommit {
    /// The CPU time of the calling thread so far.
    static func threadCPUNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}

extension Duration {
    /// The whole nanoseconds of a non-negative duration.
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
    }
}
