import Crypto
import Foundation
import GRDB

/// One line of the audit trail, as stored.
public struct Event: Codable, Equatable, Sendable {
    public var id: Int64
    public var at: Date
    public var actor: String
    public var action: String
    public var entity: String
    public var entityId: String
    /// JSON object with what changed; never personal data of citizens.
    public var detail: String
    public var prevHash: String
    public var hash: String
}

/// The append-only, hash-chained event log (SPEC §8). Every write of `AppDatabase` appends
/// its event in the same transaction as the change. Each event's hash is
/// `SHA-256(prevHash + "\n" + at|actor|action|entity|entityId|detail)`; the first event
/// chains to 64 zeros. The database refuses updates and deletes (triggers in 0001).
enum EventLog {
    static let genesis = String(repeating: "0", count: 64)

    static func append(
        _ db: Database, at: Date, actor: String, action: String, entity: String, entityId: String,
        detail: some Encodable = [String: String]()
    ) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let detailText = String(decoding: try encoder.encode(detail), as: UTF8.self)
        let previous = try db.fetchValue(String.self, sql: "SELECT hash FROM event ORDER BY id DESC LIMIT 1") ?? genesis
        let seconds = Int64(at.timeIntervalSince1970.rounded(.down))
        let hash = chainHash(
            previous: previous, at: seconds, actor: actor, action: action, entity: entity, entityId: entityId, detail: detailText)
        try db.cachedExecute(
            sql: """
                INSERT INTO event (at, actor, action, entity, entity_id, detail, prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [seconds, actor, action, entity, entityId, detailText, previous, hash])
    }

    static func chainHash(
        previous: String, at: Int64, actor: String, action: String, entity: String, entityId: String, detail: String
    ) -> String {
        let canonical = "\(previous)\n\(at)|\(actor)|\(action)|\(entity)|\(entityId)|\(detail)"
        return SHA256.hash(data: Data(canonical.utf8)).hexString
    }

    /// The events of an entity, oldest first — all of them: a trail that stopped at some count
    /// would silently hide the latest actions. `limit` only for a caller that pages.
    static func events(_ db: Database, entity: String? = nil, entityId: String? = nil, limit: Int? = nil) throws -> [Event] {
        var sql = "SELECT id, at, actor, action, entity, entity_id, detail, prev_hash, hash FROM event"
        var arguments: StatementArguments = []
        if let entity {
            sql += " WHERE entity = ?"
            arguments += [entity]
            if let entityId {
                sql += " AND entity_id = ?"
                arguments += [entityId]
            }
        }
        sql += " ORDER BY id"
        if let limit {
            sql += " LIMIT ?"
            arguments += [limit]
        }
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Event.init(row:))
    }

    /// Walks the whole chain in order and reports the first broken link.
    static func verify(_ db: Database) throws -> ChainVerification {
        var previous = genesis
        var checked = 0
        let cursor = try Row.fetchCursor(
            db, sql: "SELECT id, at, actor, action, entity, entity_id, detail, prev_hash, hash FROM event ORDER BY id")
        while let row = try cursor.next() {
            let event = Event(row: row)
            if event.prevHash != previous {
                return ChainVerification(
                    checked: checked, brokenAt: event.id,
                    reason: "event \(event.id) does not chain to the event before it (an event was removed or reordered)")
            }
            let expected = chainHash(
                previous: previous, at: Int64(event.at.timeIntervalSince1970), actor: event.actor, action: event.action,
                entity: event.entity, entityId: event.entityId, detail: event.detail)
            if expected != event.hash {
                return ChainVerification(
                    checked: checked, brokenAt: event.id,
                    reason: "event \(event.id) was altered after it was written (its hash does not match its content)")
            }
            previous = event.hash
            checked += 1
        }
        return ChainVerification(checked: checked, brokenAt: nil, reason: nil)
    }
}

/// The result of walking the event chain.
public struct ChainVerification: Codable, Equatable, Sendable {
    public var checked: Int
    public var brokenAt: Int64?
    public var reason: String?
    public var intact: Bool { brokenAt == nil }
}

extension Event {
    init(row: Row) {
        self.init(
            id: row["id"], at: Date(timeIntervalSince1970: TimeInterval(row["at"] as Int64)), actor: row["actor"],
            action: row["action"], entity: row["entity"], entityId: row["entity_id"], detail: row["detail"],
            prevHash: row["prev_hash"], hash: row["hash"])
    }
}
