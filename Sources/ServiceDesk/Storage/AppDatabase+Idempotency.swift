import Crypto
import Foundation
import GRDB

/// The first answer to a creating request sent with an `Idempotency-Key` (SPEC §4).
public struct IdempotentAnswer: Sendable {
    /// SHA-256 of the request (method, path and body), to tell a retry from a reuse of the key.
    public var fingerprint: String
    public var status: Int
    public var body: Data

    public init(fingerprint: String, status: Int, body: Data) {
        self.fingerprint = fingerprint
        self.status = status
        self.body = body
    }
}

extension AppDatabase {
    /// How long a key is remembered: a client retries within minutes, a day is generous.
    public static let idempotencyWindow: TimeInterval = 24 * 3600

    public static func fingerprint(method: String, path: String, body: Data) -> String {
        var data = Data("\(method) \(path)\n".utf8)
        data.append(body)
        return SHA256.hash(data: data).hexString
    }

    public func idempotentAnswer(username: String, key: String) async throws -> IdempotentAnswer? {
        let now = clock()
        return try await read { db in try Self.storedAnswer(db, username: username, key: key, now: now) }
    }

    /// Remembers an answer (the first one wins) and forgets keys older than the window.
    public func storeIdempotentAnswer(username: String, key: String, answer: IdempotentAnswer) async throws {
        let now = clock()
        try await write { db in try Self.storeAnswer(db, username: username, key: key, answer: answer, now: now) }
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
                body = excluded.body, created_at = excluded.created_at WHERE idempotency.created_at < ?
                """,
            arguments: [username, key, answer.fingerprint, answer.status, answer.body, now.storedSeconds, oldest])
    }
}
