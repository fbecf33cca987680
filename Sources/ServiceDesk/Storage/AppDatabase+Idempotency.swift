import Crypto
import Foundation
import GRDB

/// The first answer to a creating request sent with an `Idempotency-Key` (SPEC §4).
public struct IdempotentAnswer: Sendable, Equatable {
    /// SHA-256 of the request (method, path and body), to tell a retry from a reuse of the key.
    public var fingerprint: String
    public var status: Int
    public var body: Data

    public init(fingerprint: String, status: Int, body: Data) {
        self.fingerprint = fingerprint
        self.status = status
        self.body = body
    }

    /// A key claimed by a create still running (status 0): no answer yet.
    public var isClaim: Bool { status == AppDatabase.claimedStatus }
}

extension AppDatabase {
    /// How long a key is remembered: a client retries within minutes, a day is generous.
    public static let idempotencyWindow: TimeInterval = 24 * 3600

    public static func fingerprint(method: String, path: String, body: Data) -> String {
        var data = Data("\(method) \(path)\n".utf8)
        data.append(body)
        return SHA256.hash(data: data).hexString
    }

    /// The key's row as it stands: an answer, or a claim not answered yet (`isClaim`); nil when
    /// the key is free.
    public func idempotentAnswer(username: String, key: String) async throws -> IdempotentAnswer? {
        let now = clock()
        return try await read { db in try Self.storedAnswer(db, username: username, key: key, now: now) }
    }

    /// What taking an `Idempotency-Key` before a create found.
    public enum IdempotencyClaim: Sendable, Equatable {
        /// The key is this request's now, under `claim` (a random token the row holds until the
        /// answer replaces it): run the create, then `storeIdempotentAnswer(…, claim:)`, or
        /// `releaseIdempotencyKey` if it failed.
        case mine(claim: Data)
        /// The key's first request has been answered: replay this.
        case answered(IdempotentAnswer)
        /// The key's first request is still being run (by another instance, or by one that stopped
        /// before it answered: such a claim lapses after the lease).
        case inProgress
    }

    /// How long a claim holds before another request may take its key over: far longer than any
    /// create, or the wait of a write behind a long one (a purge, a check), takes — a claim is only
    /// ever left behind by an instance that stopped before it answered.
    public static let idempotencyLease: TimeInterval = 600

    /// Takes `key` for this request in its own committed write, before the create runs, so that
    /// several `deskd` on one database never run two creates for one key: the row is the lock,
    /// whichever instance a retry reaches. (Intake does not claim: it checks, creates and
    /// remembers in its own transaction.) A different request under a key already taken is
    /// `idempotencyKeyReused`.
    public func claimIdempotencyKey(
        username: String, key: String, fingerprint: String, lease: TimeInterval = idempotencyLease
    ) async throws -> IdempotencyClaim {
        let now = clock()
        var random = SystemRandomNumberGenerator()
        let claim = Data((0..<16).map { _ in UInt8.random(in: 0...255, using: &random) })
        return try await write { db in
            let oldest = now.addingTimeInterval(-Self.idempotencyWindow).storedSeconds
            let lapsed = now.addingTimeInterval(-lease).storedSeconds
            // Taken when the upsert wrote its row: new, or an expired or abandoned claim replaced.
            let taken = try db.wrote(
                """
                INSERT INTO idempotency (username, key, request_hash, status, body, created_at) VALUES (?, ?, ?, 0, ?, ?)
                ON CONFLICT (username, key) DO UPDATE SET request_hash = excluded.request_hash, status = 0,
                body = excluded.body, created_at = excluded.created_at
                WHERE idempotency.created_at < ? OR (idempotency.status = 0 AND idempotency.created_at < ?)
                """,
                arguments: [username, key, fingerprint, claim, now.storedSeconds, oldest, lapsed])
            if taken { return .mine(claim: claim) }
            guard let earlier = try Self.storedAnswer(db, username: username, key: key, now: now) else {
                throw DeskError.conflict("the Idempotency-Key could not be taken; retry")
            }
            guard earlier.fingerprint == fingerprint else { throw DeskError.idempotencyKeyReused }
            return earlier.isClaim ? .inProgress : .answered(earlier)
        }
    }

    /// Gives a claimed key back after its create failed: a failed request changed nothing, so its
    /// retry runs again. Only this request's claim goes (not one that took the key over after it lapsed).
    public func releaseIdempotencyKey(username: String, key: String, claim: Data) async throws {
        try await write { db in
            try db.cachedExecute(
                sql: "DELETE FROM idempotency WHERE username = ? AND key = ? AND status = 0 AND body = ?",
                arguments: [username, key, claim])
        }
    }

    /// The status a claimed key's row holds until its answer is stored.
    static let claimedStatus = 0

    /// Remembers an answer (the first one wins) and forgets keys older than the window.
    public func storeIdempotentAnswer(username: String, key: String, answer: IdempotentAnswer) async throws {
        let now = clock()
        try await write { db in try Self.storeAnswer(db, username: username, key: key, answer: answer, now: now) }
    }

    /// Stores the answer of the create that `claim` took the key for, in the claim's row; false
    /// when the row is no longer this claim's (it lapsed and another request took the key over).
    @discardableResult
    public func storeIdempotentAnswer(username: String, key: String, answer: IdempotentAnswer, claim: Data) async throws -> Bool {
        let now = clock()
        return try await write { db in
            try db.cachedExecute(
                sql: """
                    UPDATE idempotency SET status = ?, body = ?, created_at = ?
                    WHERE username = ? AND key = ? AND status = 0 AND body = ? AND request_hash = ?
                    """,
                arguments: [answer.status, answer.body, now.storedSeconds, username, key, claim, answer.fingerprint])
            return db.changesCount == 1
        }
    }

    static func storedAnswer(_ db: any SQLSession, username: String, key: String, now: Date) throws -> IdempotentAnswer? {
        guard
            let row = try db.fetchRow(
                sql: "SELECT request_hash, status, body FROM idempotency WHERE username = ? AND key = ? AND created_at >= ?",
                arguments: [username, key, now.addingTimeInterval(-idempotencyWindow).storedSeconds])
        else { return nil }
        return IdempotentAnswer(fingerprint: row["request_hash"], status: row["status"], body: row["body"])
    }

    static func storeAnswer(_ db: any SQLSession, username: String, key: String, answer: IdempotentAnswer, now: Date) throws {
        let oldest = now.addingTimeInterval(-idempotencyWindow).storedSeconds
        try db.cachedExecute(sql: "DELETE FROM idempotency WHERE created_at < ?", arguments: [oldest])
        try db.cachedExecute(
            sql: """
                INSERT INTO idempotency (username, key, request_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (username, key) DO UPDATE SET request_hash = excluded.request_hash, status = excluded.status,
                body = excluded.body, created_at = excluded.created_at
                WHERE idempotency.created_at < ?
                """,
            arguments: [username, key, answer.fingerprint, answer.status, answer.body, now.storedSeconds, oldest])
    }
}
