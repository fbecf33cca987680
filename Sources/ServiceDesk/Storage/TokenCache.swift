import Foundation
import Synchronization

/// Who a bearer token is, remembered between requests on a SQLite file (issue 17): every
/// authenticated request asked a reader connection for the token's row and its staff member,
/// 8–9 % of an intake's CPU under load; a request whose token was seen a moment ago now asks
/// memory.
///
/// What is remembered is exactly what the database answered (`AppDatabase.authenticate`), kept
/// by the token's hash, and forgotten:
/// - once a write of this process that changes what a known token answers has committed: the
///   two that do, a token revoked (`revokeToken`) and a member changed (`updateStaff`: role,
///   department, deactivation), call `changed()` after their commit — a token or a member added
///   changes no answer already given. So a revoked token, a deactivated member or a new role
///   count from the next request, as before;
/// - a second after it was read, whatever happened: what another process would write to the
///   file (no command of `deskcli` writes tokens or staff behind `deskd`; an operator's `sqlite3`
///   could) is seen within that second;
/// - all at once past `capacity` entries.
///
/// An unknown or revoked token is never remembered (random tokens must not fill it); each asks
/// the database. A read that began before a change was committed cannot be kept as current: the
/// change's generation is taken before the read and compared when it is kept.
/// On PostgreSQL (other instances write too) nothing is remembered.
final class TokenCache: Sendable {
    private struct Entry {
        var principal: Principal
        var readAt: UInt64
    }

    /// How long an entry is trusted against writers outside this process.
    static let lifetime: UInt64 = 1_000_000_000
    static let capacity = 4_096

    private let entries = Mutex<[String: Entry]>([:])
    private let generation = Atomic<UInt64>(0)

    /// The generation a read is about to be made at (before the read).
    var current: UInt64 { generation.load(ordering: .acquiring) }

    func principal(hash: String, now: UInt64 = DispatchTime.now().uptimeNanoseconds) -> Principal? {
        entries.withLock { entries in
            guard let entry = entries[hash], now &- entry.readAt < Self.lifetime else { return nil }
            return entry.principal
        }
    }

    /// Keeps what a read begun at `generation` and `readAt` answered, unless a change was
    /// committed since it began.
    func keep(_ principal: Principal, hash: String, generation: UInt64, readAt: UInt64) {
        entries.withLock { entries in
            guard generation == current else { return }
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[hash] = Entry(principal: principal, readAt: readAt)
        }
    }

    /// A change to tokens or staff was committed: nothing remembered holds any more, and no read
    /// begun before now is kept.
    func changed() {
        generation.add(1, ordering: .releasing)
        entries.withLock { $0.removeAll(keepingCapacity: true) }
    }
}
