import Foundation
import GRDB

/// The outbox (migration 0015, docs/notifications.md): messages to citizens written in the
/// transaction of the event they tell of, delivered later by `OutboxDelivery`.
extension AppDatabase {
    // MARK: Gateways

    public func gateways() async throws -> [Gateway] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM gateway ORDER BY name").map(Gateway.init(row:)) }
    }

    public func createGateway(_ draft: GatewayDraft, actor: String) async throws -> GatewaySecret {
        let (name, channel, url, secret) = try draft.validated()
        let now = clock()
        return try await write { db in
            if try Self.exists(db, "gateway", "name", name) { throw DeskError.duplicate(entity: "gateway", id: name) }
            try db.execute(
                sql: "INSERT INTO gateway (name, channel, url, secret, active, created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?)",
                arguments: [name, channel.rawValue, url, secret, now.storedSeconds, now.storedSeconds])
            try EventLog.append(
                db, at: now, actor: actor, action: "gateway.create", entity: "gateway", entityId: name,
                detail: ["channel": channel.rawValue, "url": url])
            return GatewaySecret(gateway: try Self.gateway(db, name), secret: secret)
        }
    }

    /// Changes a gateway; the answer carries the secret only when it was rotated.
    public func updateGateway(_ name: String, _ patch: GatewayPatch, actor: String) async throws -> GatewaySecret {
        var validator = Validator()
        if let url = patch.url { _ = GatewayDraft.check(url: url, into: &validator) }
        try validator.finish()
        let now = clock()
        return try await write { db in
            let before = try Self.gateway(db, name)
            let secret = patch.rotateSecret == true ? TokenSecret.generate() : nil
            try db.execute(
                sql: "UPDATE gateway SET url = ?, active = ?, secret = coalesce(?, secret), updated_at = ? WHERE name = ?",
                arguments: [patch.url ?? before.url, patch.active ?? before.active, secret, now.storedSeconds, name])
            var detail: [String: String] = [:]
            if let url = patch.url, url != before.url { detail["url"] = url }
            if let active = patch.active, active != before.active { detail["active"] = String(active) }
            if secret != nil { detail["secret"] = "rotated" }
            try EventLog.append(db, at: now, actor: actor, action: "gateway.update", entity: "gateway", entityId: name, detail: detail)
            return GatewaySecret(gateway: try Self.gateway(db, name), secret: secret)
        }
    }

    static func gateway(_ db: any SQLSession, _ name: String) throws -> Gateway {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM gateway WHERE name = ?", arguments: [name]) else {
            throw DeskError.notFound(entity: "gateway", id: name)
        }
        return Gateway(row: row)
    }

    // MARK: Writing a notice, inside the event's transaction

    /// Writes `kind` for `ticket` to every active gateway on whose channel the applicant can be
    /// reached. Nothing when the centre has no gateway, or the citizen gave no phone or e-mail.
    static func enqueueNotice(
        _ db: any SQLSession, _ kind: NoticeKind, ticket: Ticket, reason: String?, centre: Centre, time: WorkingTime, now: Date,
        committed: LocalDate? = nil
    ) throws {
        // On every intake and action: prepared once per connection. Whether any gateway is active
        // is asked first, through the write path's bare statement (no rows built): a centre
        // without one pays a lookup, not a query's rows.
        guard try db.fetchValue(Int.self, sql: "SELECT 1 FROM gateway WHERE active = 1 LIMIT 1") != nil else { return }
        let gateways = try db.fetchRows(sql: "SELECT name, channel FROM gateway WHERE active = 1")
        let serviceName =
            try db.fetchValue(String.self, sql: "SELECT name FROM service WHERE code = ?", arguments: [ticket.service]) ?? ""
        // The reporters of duplicates merged into this item are told too, under their own codes.
        var reporters = [(code: ticket.code, applicant: ticket.applicantId)]
        if kind != .received && kind != .merged {
            reporters += try db.fetchRows(
                sql: "SELECT code, applicant FROM ticket WHERE merged_into = ? ORDER BY code", arguments: [ticket.code]
            ).map { (code: $0["code"], applicant: $0["applicant"]) }
        }
        for reporter in reporters {
            guard
                let applicant = try db.fetchRow(
                    sql: "SELECT name, phone, email FROM applicant WHERE id = ?", arguments: [reporter.applicant])
            else { continue }
            try enqueue(
                db, kind, code: reporter.code, serviceName: serviceName, applicant: applicant, gateways: gateways, ticket: ticket,
                reason: reason, centre: centre, time: time, now: now, committed: committed)
        }
    }

    private static func enqueue(
        _ db: any SQLSession, _ kind: NoticeKind, code: String, serviceName: String, applicant: Row, gateways: [Row], ticket: Ticket,
        reason: String?, centre: Centre, time: WorkingTime, now: Date, committed: LocalDate?
    ) throws {
        let due: Date? =
            switch kind {
            case .received, .reopened: ticket.dueAt
            case .apology: ticket.revisedDueAt
            default: nil
            }
        let facts = NoticeFacts(
            kind: kind, code: code, serviceName: serviceName, applicantName: applicant["name"], centreName: centre.name,
            due: due.map { FormText.shortMoment($0, time.clock) } ?? committed.map(FormText.shortDay), reason: reason)
        for gateway in gateways {
            guard let channel = NoticeChannel(rawValue: gateway["channel"]),
                let recipient = channel.recipient(phone: applicant["phone"], email: applicant["email"])
            else { continue }
            let message = MessageTemplates.render(facts, channel: channel)
            try db.cachedExecute(
                sql: """
                    INSERT INTO outbox (message_id, gateway, ticket, kind, channel, recipient, subject, text, state, next_attempt_at, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)
                    """,
                arguments: [
                    UUID().uuidString.lowercased(), gateway["name"], code, kind.rawValue, channel.rawValue, recipient,
                    message.subject, message.text, now.storedSeconds, now.storedSeconds,
                ])
        }
    }

    /// The reason a notice gives, from an action's event detail.
    static func noticeReason(_ kind: NoticeKind, detail: [String: String?]) -> String? {
        let keys =
            switch kind {
            case .supplementRequested: ["missing", "note"]
            case .refused, .stopped: ["reasons", "reason", "note"]
            case .apology: ["reason"]
            case .resolved, .progress: ["note"]
            case .forwarded: ["leadName", "lead"]
            case .redirected: ["note"]
            case .merged: ["into"]
            case .received, .resultReady, .reopened: [String]()
            }
        return keys.lazy.compactMap { detail[$0] ?? nil }.first
    }

    // MARK: Reading and replaying

    /// The outbox, newest first: by state, ticket, after an id (paging backwards), at most `limit`.
    public func outbox(state: OutboxMessage.State?, ticket: String?, before: Int64?, limit: Int) async throws -> [OutboxMessage] {
        try await read { db in
            var clauses: [String] = []
            var arguments: SQLArguments = []
            if let state {
                clauses.append("state = ?")
                arguments += [state.rawValue]
            }
            if let ticket {
                clauses.append("ticket = ?")
                arguments += [ticket]
            }
            if let before {
                clauses.append("id < ?")
                arguments += [before]
            }
            let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
            return try Row.fetchAll(db, sql: "SELECT * FROM outbox \(filter) ORDER BY id DESC LIMIT ?", arguments: arguments + [limit])
                .map(OutboxMessage.init(row:))
        }
    }

    /// Puts dead letters back in the queue, due now, with their attempts reset: one by id, or
    /// every dead letter (of a gateway). Answers how many. A message that is not dead is a 409.
    public func retryOutbox(id: Int64?, gateway: String?, actor: String) async throws -> Int {
        let now = clock()
        return try await write { db in
            if let id {
                guard let state = try String.fetchOne(db, sql: "SELECT state FROM outbox WHERE id = ?", arguments: [id]) else {
                    throw DeskError.notFound(entity: "message", id: String(id))
                }
                guard state == OutboxMessage.State.dead.rawValue else {
                    throw DeskError.conflict("message \(id) is \(state); only a dead letter is replayed")
                }
            }
            if let gateway { _ = try Self.gateway(db, gateway) }
            try db.execute(
                sql: """
                    UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, last_error = NULL
                    WHERE state = 'dead' AND (CAST(? AS BIGINT) IS NULL OR id = ?) AND (CAST(? AS TEXT) IS NULL OR gateway = ?)
                    """,
                arguments: [now.storedSeconds, id, id, gateway, gateway])
            let count = db.changesCount
            try EventLog.append(
                db, at: now, actor: actor, action: "outbox.retry", entity: "outbox", entityId: id.map(String.init) ?? gateway ?? "dead",
                detail: ["messages": String(count)])
            return count
        }
    }

    // MARK: Delivery (`OutboxDelivery`)

    /// A message due for delivery, with where it goes.
    struct DueMessage: Sendable {
        var message: OutboxMessage
        var url: String
        var secret: String
    }

    /// Pending messages due by `now` through an active gateway, each the oldest pending one of
    /// its ticket and gateway, so a ticket's messages arrive in order.
    func dueMessages(now: Date, limit: Int) async throws -> [DueMessage] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT o.*, g.url AS gateway_url, g.secret AS gateway_secret FROM outbox o JOIN gateway g ON g.name = o.gateway
                    WHERE o.state = 'pending' AND o.next_attempt_at <= ? AND g.active = 1
                    AND NOT EXISTS (
                        SELECT 1 FROM outbox p WHERE p.ticket = o.ticket AND p.gateway = o.gateway AND p.state = 'pending' AND p.id < o.id)
                    ORDER BY o.next_attempt_at, o.id LIMIT ?
                    """,
                arguments: [now.storedSeconds, limit]
            ).map { DueMessage(message: OutboxMessage(row: $0), url: $0["gateway_url"], secret: $0["gateway_secret"]) }
        }
    }

    /// Takes a due message for one post by this process. On a file there is one process and
    /// nothing to take. On a database several instances serve, each reads the same due messages:
    /// the first to claim one moves its next attempt `lease` ahead — under the writers' lock, so
    /// the others see it no longer due and leave it — and its outcome (`recordAttempt`) sets the
    /// state and the next attempt for good. An instance that dies meanwhile leaves the message due
    /// again when the lease ends (at least once, as ever).
    func claimForDelivery(_ id: Int64, now: Date, lease: Duration) async throws -> Bool {
        try await claimDue(table: "outbox", row: "id = ? AND state = 'pending'", id, now: now, lease: lease)
    }

    /// Moves the next attempt of one due row of `table` (`row`, with `key` for its `?`) `lease`
    /// ahead, in a write: whether this call moved it. Always true on a file (one process, nothing
    /// to claim from).
    func claimDue(
        table: String, row: String, _ key: any DatabaseValueConvertible, now: Date, lease: Duration
    ) async throws -> Bool {
        guard isShared else { return true }
        let until = now.storedSeconds + max(1, lease.components.seconds)
        let key = key.databaseValue
        return try await write { db in
            try db.execute(
                sql: "UPDATE \(table) SET next_attempt_at = ? WHERE \(row) AND next_attempt_at <= ?",
                arguments: [until, key, now.storedSeconds])
            return db.changesCount == 1
        }
    }

    /// Records an attempt: delivered, or failed with its error — then due again after the
    /// policy's delay, or dead when it gives up. Returns the state it left the message in.
    @discardableResult
    func recordAttempt(_ id: Int64, error: String?, policy: RetryPolicy) async throws -> OutboxMessage.State {
        let now = clock()
        return try await write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT state, attempts FROM outbox WHERE id = ?", arguments: [id]) else {
                throw DeskError.notFound(entity: "message", id: String(id))
            }
            // Only a pending message takes an attempt; anything else is answered as it stands.
            let state = OutboxMessage.State(rawValue: row["state"]) ?? .pending
            guard state == .pending else { return state }
            let attempts: Int = row["attempts"]
            guard let error else {
                try db.execute(
                    sql: "UPDATE outbox SET state = 'delivered', attempts = ?, delivered_at = ?, last_error = NULL WHERE id = ?",
                    arguments: [attempts + 1, now.storedSeconds, id])
                return .delivered
            }
            let delay = policy.delay(afterAttempts: attempts + 1)
            try db.execute(
                sql: "UPDATE outbox SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?",
                arguments: [
                    delay == nil ? "dead" : "pending", attempts + 1, now.storedSeconds + (delay ?? 0), String(error.prefix(500)), id,
                ])
            return delay == nil ? .dead : .pending
        }
    }

    /// Counts by state, for the metrics.
    public func outboxCounts() async throws -> [OutboxMessage.State: Int] {
        try await read { db in
            var counts: [OutboxMessage.State: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) AS n FROM outbox GROUP BY state") {
                if let state = OutboxMessage.State(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            return counts
        }
    }
}

extension Gateway {
    init(row: Row) {
        self.init(
            name: row["name"], channel: NoticeChannel(rawValue: row["channel"]) ?? .sms, url: row["url"], active: row["active"],
            createdAt: Date(storedSeconds: row["created_at"]), updatedAt: Date(storedSeconds: row["updated_at"]))
    }
}

extension OutboxMessage {
    init(row: Row) {
        self.init(
            id: row["id"], messageId: row["message_id"], gateway: row["gateway"], channel: NoticeChannel(rawValue: row["channel"]) ?? .sms,
            ticket: row["ticket"], kind: NoticeKind(rawValue: row["kind"]) ?? .received, recipient: row["recipient"],
            subject: row["subject"], text: row["text"], state: State(rawValue: row["state"]) ?? .pending, attempts: row["attempts"],
            nextAttemptAt: (row["state"] as String) == "pending" ? Date(storedSeconds: row["next_attempt_at"]) : nil,
            lastError: row["last_error"], createdAt: Date(storedSeconds: row["created_at"]),
            deliveredAt: (row["delivered_at"] as Int64?).map(Date.init(storedSeconds:)))
    }
}
