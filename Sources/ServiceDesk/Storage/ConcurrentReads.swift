import GRDB
import Synchronization

extension AppDatabase {
    /// Runs two reads at the same time — on both cores of the machine — that see the same state of
    /// the database: both start while the writer is held, so no commit can fall between them
    /// (GRDB's `spawnConcurrentRead`; SQLite snapshots are not compiled into Debian's library).
    /// A `DatabaseQueue` (tests) runs them one after the other, on the same state too.
    func concurrentReads<A: Sendable, B: Sendable>(
        _ first: @escaping @Sendable (any SQLSession) throws -> A, _ second: @escaping @Sendable (any SQLSession) throws -> B
    ) async throws -> (A, B) {
        if let postgres {
            // On PostgreSQL one transaction sees one state: the two run after one another in it.
            return try await postgres.read { db in (try first(db), try second(db)) }
        }
        let a = Promise<A>()
        let b = Promise<B>()
        let writer = self.writer
        try await writer.writeWithoutTransaction { _ in
            writer.spawnConcurrentRead { database in a.resolve(Result { try first(SQLiteSession(database.get())) }) }
            writer.spawnConcurrentRead { database in b.resolve(Result { try second(SQLiteSession(database.get())) }) }
        }
        return (try await a.value, try await b.value)
    }
}

/// A value delivered once from a GRDB callback and awaited once.
private final class Promise<Value: Sendable>: Sendable {
    private enum State {
        case waiting(CheckedContinuation<Value, any Error>?)
        case done(Result<Value, any Error>)
    }

    private let state = Mutex(State.waiting(nil))

    func resolve(_ result: Result<Value, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<Value, any Error>? in
            guard case .waiting(let continuation) = state else { return nil }
            state = .done(result)
            return continuation
        }
        continuation?.resume(with: result)
    }

    var value: Value {
        get async throws {
            try await withCheckedThrowingContinuation { continuation in
                let ready = state.withLock { state -> Result<Value, any Error>? in
                    switch state {
                    case .done(let result): return result
                    case .waiting:
                        state = .waiting(continuation)
                        return nil
                    }
                }
                if let ready { continuation.resume(with: ready) }
            }
        }
    }
}
