import GRDB
import Synchronization

/// Group commit: writes that arrive while a transaction is being committed wait for it, then
/// all run in the next transaction, each in its own savepoint (so one failing write rolls back
/// only itself), and a single fsync makes them all durable. At low load a write runs at once,
/// alone; under concurrency the batches grow by themselves, with no timer and no added wait.
/// Every caller is answered only after the transaction holding its write has committed with
/// `synchronous = FULL`: a `2xx` is still a durable change. (CONVENTIONS.md: one durable commit
/// per request tops out near 700/s here; committing concurrent requests together reaches
/// several thousand.)
final class GroupCommit: Sendable {
    /// One write: runs inside the shared transaction and returns what to do once it commits.
    struct Job: Sendable {
        let run: @Sendable (Database) -> @Sendable () -> Void
        let fail: @Sendable (any Error) -> Void
    }

    private let writer: any DatabaseWriter
    private let onFailure: @Sendable () -> Void
    private let state = Mutex<(jobs: [Job], draining: Bool)>(([], false))

    init(writer: any DatabaseWriter, onFailure: @escaping @Sendable () -> Void = {}) {
        self.writer = writer
        self.onFailure = onFailure
    }

    /// Runs `body` in the next transaction, in its own savepoint, and returns its result once committed.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job = Job(
                run: { db in
                    do {
                        var value: T?
                        try db.inSavepoint {
                            value = try body(db)
                            return .commit
                        }
                        let result = value!
                        return { continuation.resume(returning: result) }
                    } catch {
                        return { continuation.resume(throwing: error) }
                    }
                },
                fail: { continuation.resume(throwing: $0) })
            enqueue(job)
        }
    }

    private func enqueue(_ job: Job) {
        let start = state.withLock { state in
            state.jobs.append(job)
            if state.draining { return false }
            state.draining = true
            return true
        }
        if start { Task { await drain() } }
    }

    /// Commits batch after batch until nothing waits.
    private func drain() async {
        while true {
            let jobs = state.withLock { state in
                let jobs = state.jobs
                state.jobs = []
                if jobs.isEmpty { state.draining = false }
                return jobs
            }
            if jobs.isEmpty { return }
            do {
                let completions = try await writer.write { db in jobs.map { $0.run(db) } }
                for complete in completions { complete() }
            } catch {
                onFailure()
                for job in jobs { job.fail(error) }
            }
        }
    }
}
