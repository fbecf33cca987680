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
    /// JSON object with what changed; never personal data of citizens (a ticket event's free
    /// text is in `event_note`, its digest here as `notes`).
    public var detail: String
    public var prevHash: String
    public var hash: String
}

/// The append-only, hash-chained event log (SPEC §8). Every write of `AppDatabase` appends
/// its event in the same transaction as the change. Each event's hash is
/// `SHA-256(prevHash + "\n" + at|actor|action|entity|entityId|detail)`; the first event
/// chains to 64 zeros. The database refuses updates and deletes (triggers in 0001).
enum EventLog {
    /// An event's detail as stored (JSON text), or empty when it is not a flat text map.
    static func detail(_ json: String) -> [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(json.utf8))) ?? [:]
    }

    static let genesis = String(repeating: "0", count: 64)

    static func append(
        _ db: any SQLSession, at: Date, actor: String, action: String, entity: String, entityId: String,
        detail: some Encodable = [String: String]()
    ) throws {
        let detailText: String
        if let map = detail as? [String: String] {
            detailText = CanonicalJSON.object(map)
        } else {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            detailText = String(decoding: try encoder.encode(detail), as: UTF8.self)
        }
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

    /// The detail keys that hold free text typed by staff about a citizen's case.
    static let noteKeys: Set<String> = ["note", "reason", "reasons", "missing", "override"]

    /// Appends a ticket event whose free text (`noteKeys`) goes to `event_note`, out of the
    /// chained detail, which gets `notes`: SHA-256 of a random salt and the texts. The purge can
    /// erase the texts and the salt; the chain stays valid and proves them while they exist.
    ///
    /// An event that issues a form (`FormKind.issued`) takes the next number of that form's
    /// yearly sequence in the same transaction, stored with the event: gap-free, and a reprint
    /// shows the same number.
    @discardableResult
    static func appendTicketEvent(
        _ db: any SQLSession, at: Date, year: Int, actor: String, action: String, code: String, detail: [String: String],
        service: Service? = nil
    ) throws -> DocumentNumber? {
        var detail = detail
        var texts: [String: String] = [:]
        for key in noteKeys { if let text = detail.removeValue(forKey: key) { texts[key] = text } }
        var salt: String?
        if !texts.isEmpty {
            let value = TokenSecret.randomHex(bytes: 16)
            detail["notes"] = notesDigest(salt: value, texts: texts)
            salt = value
        }
        try append(db, at: at, actor: actor, action: action, entity: "ticket", entityId: code, detail: detail)
        let eventId = try db.lastInsertedRowID
        if let salt {
            try db.cachedExecute(
                sql: "INSERT INTO event_note (event_id, ticket, salt, texts) VALUES (?, ?, ?, ?)",
                arguments: [eventId, code, salt, canonical(texts)])
        }
        if let form = FormKind.issued(by: action, outcome: detail["outcome"], kind: detail["kind"], clock: detail["clock"]) {
            let number =
                try db.counted(
                    """
                    INSERT INTO document_sequence (kind, year, last) VALUES (?, ?, 1)
                    ON CONFLICT (kind, year) DO UPDATE SET last = document_sequence.last + 1
                    """,
                    arguments: [form.rawValue, year], read: "SELECT last FROM document_sequence WHERE kind = ? AND year = ?",
                    key: [form.rawValue, year]) ?? 1
            try db.cachedExecute(
                sql: "INSERT INTO document_number (kind, year, number, ticket, event_id, issued_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [form.rawValue, year, number, code, eventId, at.storedSeconds])
            if form == .receipt { try enterInBook(db, year: year, code: code, eventId: eventId, service: service) }
            return DocumentNumber(form: form, year: year, number: number, eventId: eventId)
        }
        return nil
    }

    /// An accepted dossier's entry in its field's tracking book of the year (form 07; Circular
    /// 01/2018/TT-VPCP art. 10): the book opened with the next volume number of the year if it
    /// is the field's first dossier, the entry numbers running on from 1, gap-free.
    static func enterInBook(_ db: any SQLSession, year: Int, code: String, eventId: Int64, service: Service? = nil) throws {
        // A dossier is entered once, whatever reprints or later receipts follow.
        guard try db.fetchValue(Bool.self, sql: "SELECT 1 FROM book_entry WHERE ticket = ?", arguments: [code]) == nil else { return }
        // The book tracks administrative procedures' dossiers; feedback, inquiries and complaints
        // have their own registers. The caller that holds the ticket's service passes it.
        let kindAndField: (kind: String?, field: String?)
        if let service {
            kindAndField = (service.kind.rawValue, service.field)
        } else {
            let row = try Row.fetchOne(
                db, sql: "SELECT s.field, s.kind FROM ticket t JOIN service s ON s.code = t.service WHERE t.code = ?", arguments: [code])
            kindAndField = (row?["kind"], row?["field"])
        }
        guard kindAndField.kind == Service.Kind.procedure.rawValue else { return }
        let field = kindAndField.field ?? ""
        guard
            let number = try db.counted(
                """
                INSERT INTO book (year, field, volume, last)
                VALUES (?1, ?2, (SELECT coalesce(max(volume), 0) + 1 FROM book WHERE year = ?1), 1)
                ON CONFLICT (year, field) DO UPDATE SET last = book.last + 1
                """,
                arguments: [year, field], read: "SELECT last FROM book WHERE year = ? AND field = ?", key: [year, field])
        else { return }
        try db.cachedExecute(
            sql: "INSERT INTO book_entry (year, field, number, ticket, event_id) VALUES (?, ?, ?, ?, ?)",
            arguments: [year, field, number, code, eventId])
    }

    static func canonical(_ texts: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(texts)) ?? Data("{}".utf8), as: UTF8.self)
    }

    static func notesDigest(salt: String, texts: [String: String]) -> String {
        SHA256.hash(data: Data((salt + "\n" + canonical(texts)).utf8)).hexString
    }

    /// The texts of an event's notes as the trail shows them: the stored texts, or each key
    /// `[erased]` after a privacy purge.
    static func notes(_ db: any SQLSession, eventIds: [Int64]) throws -> [Int64: [String: String]] {
        guard !eventIds.isEmpty else { return [:] }
        var result: [Int64: [String: String]] = [:]
        let rows = try Row.fetchAll(
            db, sql: "SELECT event_id, texts FROM event_note WHERE event_id IN (\(eventIds.map { _ in "?" }.joined(separator: ",")))",
            arguments: SQLArguments(eventIds))
        for row in rows {
            let id: Int64 = row["event_id"]
            if let text = row["texts"] as String? {
                result[id] = detail(text)
            } else {
                result[id] = ["notes": "[erased]"]
            }
        }
        return result
    }

    static func chainHash(
        previous: String, at: Int64, actor: String, action: String, entity: String, entityId: String, detail: String
    ) -> String {
        let canonical = "\(previous)\n\(at)|\(actor)|\(action)|\(entity)|\(entityId)|\(detail)"
        return SHA256.hash(data: Data(canonical.utf8)).hexString
    }

    /// The events of an entity, oldest first — all of them: a trail that stopped at some count
    /// would silently hide the latest actions. `limit` only for a caller that pages.
    static func events(_ db: any SQLSession, entity: String? = nil, entityId: String? = nil, limit: Int? = nil) throws -> [Event] {
        var sql = "SELECT id, at, actor, action, entity, entity_id, detail, prev_hash, hash FROM event"
        var arguments: SQLArguments = []
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

    /// Walks the whole chain in order and reports the first broken link — and, given anchors kept
    /// outside the database (`ChainAnchor`), that each anchored event is still in the chain with
    /// its hash: a deleted tail or a chain rewritten from some point on breaks an anchor.
    static func verify(_ db: any SQLSession, anchors: [ChainAnchor] = []) throws -> ChainVerification {
        var walk = ChainWalk(anchors: anchors)
        let cursor = try Row.fetchCursor(db, sql: ChainWalk.eventsSQL)
        while let row = try cursor.next() {
            if let broken = walk.next(Event(row: row)) { return broken }
        }
        // The notes kept beside the chain: each still matches the digest its event chained.
        let notes = try Row.fetchCursor(db, sql: ChainWalk.notesSQL)
        while let row = try notes.next() {
            if let broken = walk.note(eventId: row["event_id"], salt: row["salt"], texts: row["texts"], detail: row["detail"]) {
                return broken
            }
        }
        return walk.finish()
    }

    /// The head of the chain: its last event.
    static let headSQL = "SELECT id, hash FROM event ORDER BY id DESC LIMIT 1"

    static func anchor(_ db: any SQLSession, at now: Date) throws -> ChainAnchor? {
        try Row.fetchOne(db, sql: headSQL).map {
            ChainAnchor(eventId: $0["id"], hash: $0["hash"], takenAt: ISO8601DateFormatter().string(from: now))
        }
    }
}

/// The walk over the audit chain, the same on every engine (`EventLog.verify` on SQLite,
/// `PostgresStore.verifyEventChain` on PostgreSQL): fed the events in order of id, then the notes
/// kept beside them, it stops at the first broken link.
struct ChainWalk {
    /// The events in the order they chained.
    static let eventsSQL = "SELECT id, at, actor, action, entity, entity_id, detail, prev_hash, hash FROM event ORDER BY id"
    /// The notes still held (a purge erases texts and salt; the chain stays valid without them).
    static let notesSQL =
        "SELECT n.event_id, n.salt, n.texts, e.detail FROM event_note n JOIN event e ON e.id = n.event_id WHERE n.texts IS NOT NULL"

    private var previous = EventLog.genesis
    private var checked = 0
    private var pending: [Int64: ChainAnchor]

    init(anchors: [ChainAnchor]) {
        pending = Dictionary(anchors.map { ($0.eventId, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The next event of the chain: nil while it holds, else the verdict.
    mutating func next(_ event: Event) -> ChainVerification? {
        if event.prevHash != previous {
            return ChainVerification(
                checked: checked, brokenAt: event.id,
                reason: "event \(event.id) does not chain to the event before it (an event was removed or reordered)")
        }
        let expected = EventLog.chainHash(
            previous: previous, at: Int64(event.at.timeIntervalSince1970), actor: event.actor, action: event.action,
            entity: event.entity, entityId: event.entityId, detail: event.detail)
        if expected != event.hash {
            return ChainVerification(
                checked: checked, brokenAt: event.id,
                reason: "event \(event.id) was altered after it was written (its hash does not match its content)")
        }
        if let anchor = pending.removeValue(forKey: event.id), anchor.hash != event.hash {
            return ChainVerification(
                checked: checked, brokenAt: event.id,
                reason:
                    "event \(event.id) is not the event anchored on \(anchor.takenAt ?? "record") (its hash differs: the chain was rewritten)"
            )
        }
        previous = event.hash
        checked += 1
        return nil
    }

    /// A note kept beside the chain: nil while it matches the digest its event chained.
    func note(eventId: Int64, salt: String?, texts: String, detail: String) -> ChainVerification? {
        guard EventLog.detail(detail)["notes"] != EventLog.notesDigest(salt: salt ?? "", texts: EventLog.detail(texts)) else { return nil }
        return ChainVerification(
            checked: checked, brokenAt: eventId,
            reason: "the notes of event \(eventId) were altered (they do not match the digest it chained)")
    }

    /// After the last event and note: an anchored event never met was deleted.
    func finish() -> ChainVerification {
        if let missing = pending.values.min(by: { $0.eventId < $1.eventId }) {
            return ChainVerification(
                checked: checked, brokenAt: missing.eventId,
                reason:
                    "event \(missing.eventId), anchored on \(missing.takenAt ?? "record"), is no longer in the chain (events were deleted)")
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

/// The head of the audit chain written down outside the database — printed in the day's
/// tracking book, sent to a supervisor — so that a later `audit verify --anchor` proves the
/// chain still holds it. The chain alone proves that no event was edited, inserted or removed
/// *before its last event*; only an anchor kept elsewhere shows that the tail was not cut off
/// or the whole chain rewritten from some point on (docs/tickets.md).
public struct ChainAnchor: Codable, Equatable, Sendable {
    public var eventId: Int64
    public var hash: String
    /// When it was taken (RFC 3339), for the messages.
    public var takenAt: String?

    public init(eventId: Int64, hash: String, takenAt: String? = nil) {
        self.eventId = eventId
        self.hash = hash
        self.takenAt = takenAt
    }

    /// One line: `anchor <event id> <hash> <taken at>`.
    public var line: String { "anchor \(eventId) \(hash) \(takenAt ?? "-")" }

    /// Reads the anchor lines of a file (other lines and `#` comments are skipped); nil for a
    /// line that starts with `anchor` but is malformed, so a damaged record is not silently ignored.
    public static func parse(_ text: String) -> [ChainAnchor?] {
        text.split(whereSeparator: \.isNewline).compactMap { line -> ChainAnchor?? in
            let parts = line.split(separator: " ")
            guard parts.first == "anchor" else { return .none }
            guard parts.count >= 3, let id = Int64(parts[1]), parts[2].count == 64, parts[2].allSatisfy(\.isHexDigit) else {
                return .some(nil)
            }
            return .some(ChainAnchor(eventId: id, hash: String(parts[2]), takenAt: parts.count > 3 ? String(parts[3]) : nil))
        }
    }
}
