import Synchronization

/// Whom a writer tells how long each committed transaction's `COMMIT` took (`deskd`: the
/// `desk_writer_commit_seconds` histogram), for SQLite's group commit and PostgreSQL's writes
/// alike: set once at start, told at every commit from any thread.
///
/// The closure is held inside a struct, never as a `Mutex`'s whole value. A closure that is the
/// `Mutex`'s value is handed to `withLock` as a generic `inout`: reading it wraps it in a pair of
/// reabstraction thunks and the write-back stores the wrapped copy, so every read left it one pair
/// deeper (swiftlang/swift#91348; seen here with Swift 6.3.1 at `-O` too). Read at every commit, the
/// observer cost one more call at each — quadratic time — until the thread's stack overflowed: a
/// thread of Swift's pool dies after ~174,000 such reads, so `deskd` would have crashed after as
/// many commits (minutes of sustained load, weeks of a quiet centre; its intakes had slowed from
/// 1.2 to 14.6 ms after 50,000 of them). A struct's stored closure has an abstraction of its own
/// and is copied as it is.
final class CommitObserver: Sendable {
    private struct Held: Sendable {
        let observe: @Sendable (Duration) -> Void
    }

    private let held = Mutex<Held?>(nil)

    /// Replaces whoever was told before.
    func set(_ observe: @escaping @Sendable (Duration) -> Void) {
        held.withLock { $0 = Held(observe: observe) }
    }

    /// Tells the observer, if one is set, outside the lock.
    func tell(_ duration: Duration) {
        held.withLock { $0 }?.observe(duration)
    }
}
