import Foundation
import GRDB

/// Synchronisation with the National Public Service Portal (migration 0020,
/// docs/portal-sync.md): the feed of portal status changes read from the audit trail, the
/// connector's acknowledgements, and the reconciliation of the two.
extension AppDatabase {
    /// Who may read the feed and acknowledge it: the portal's connector (an integration account)
    /// and the admin.
    public static let syncRoles: Set<Role> = [.admin, .integration]

    /// The changes of portal status after event `after`, oldest first, at most `limit`. Reads at
    /// most `limit × 20` events per call, so a quiet stretch of the trail answers quickly with
    /// `next` moved on and fewer items.
    public func portalFeed(after: Int64, limit: Int) async throws -> PortalFeed {
        var validator = Validator()
        validator.check(after >= 0, "after", "must be 0 or an event id")
        validator.check((1...1000).contains(limit), "limit", "must be 1 to 1000")
        try validator.finish()
        return try await read { db in
            let centre = try Self.centre(db)
            var items: [PortalStatusChange] = []
            var last = after
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT e.id, e.at, e.action, e.entity_id, e.detail, t.service, t.service_version, t.received_at, t.due_at, t.outcome,
                        t.portal_code, t.portal_reference
                    FROM event e JOIN ticket t ON t.code = e.entity_id
                    WHERE e.entity = 'ticket' AND e.id > ? ORDER BY e.id LIMIT ?
                    """, arguments: [after, limit * 20])
            for row in rows {
                last = row["id"]
                let action: String = row["action"]
                let detail = EventLog.detail(row["detail"])
                guard let status = PortalStatus.after(action: action, detail: detail) else { continue }
                let result: Ticket.Outcome? =
                    action == "ticket.resolve"
                    ? detail["outcome"].flatMap(Ticket.Outcome.init)
                    : status >= 9 ? (row["outcome"] as String?).flatMap(Ticket.Outcome.init) : nil
                items.append(
                    PortalStatusChange(
                        id: row["id"], code: row["entity_id"], procedure: row["service"], procedureVersion: row["service_version"],
                        agency: centre.code, status: status, statusName: PortalStatus.name(status),
                        at: Date(storedSeconds: row["at"]), receivedAt: Date(storedSeconds: row["received_at"]),
                        dueAt: (row["due_at"] as Int64?).map(Date.init(storedSeconds:)), result: result,
                        portalCode: row["portal_code"], portalReference: row["portal_reference"]))
                if items.count == limit { break }
            }
            return PortalFeed(items: items, next: last)
        }
    }

    /// Records what the connector stored: for each feed entry, the status it holds. A later entry
    /// replaces an earlier one for the same dossier; an older one changes nothing. Answers how
    /// many dossiers' acknowledged status moved.
    public func acknowledgePortal(_ acks: [PortalAck], actor: String) async throws -> Int {
        var validator = Validator()
        validator.check((1...1000).contains(acks.count), "items", "1 to 1000 acknowledgements")
        for (index, ack) in acks.enumerated() {
            validator.check((1...10).contains(ack.status), "items[\(index)].status", "must be a portal status 1 to 10")
        }
        try validator.finish()
        let now = clock()
        return try await write { db in
            var moved = Set<String>()
            for (index, ack) in acks.enumerated() {
                guard
                    let row = try Row.fetchOne(
                        db, sql: "SELECT action, entity_id, detail FROM event WHERE id = ? AND entity = 'ticket'", arguments: [ack.id]),
                    PortalStatus.after(action: row["action"], detail: EventLog.detail(row["detail"])) != nil
                else {
                    throw DeskError.inconsistent([FieldError("items[\(index)].id", "event \(ack.id) is not an entry of the portal feed")])
                }
                if try Self.storeAck(db, ticket: row["entity_id"], ack, at: now, actor: actor) { moved.insert(row["entity_id"]) }
            }
            try EventLog.append(
                db, at: now, actor: actor, action: "sync.ack", entity: "sync", entityId: "portal",
                detail: ["entries": String(acks.count), "moved": String(moved.count), "through": String(acks.map(\.id).max() ?? 0)])
            return moved.count
        }
    }

    /// Keeps the latest acknowledged status of a dossier; an older entry changes nothing.
    /// Answers whether it moved.
    static func storeAck(_ db: any SQLSession, ticket: String, _ ack: PortalAck, at now: Date, actor: String) throws -> Bool {
        try db.cachedExecute(
            sql: """
                INSERT INTO sync_ack (ticket, event_id, portal_status, acked_at, acked_by) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (ticket) DO UPDATE SET event_id = excluded.event_id, portal_status = excluded.portal_status,
                    acked_at = excluded.acked_at, acked_by = excluded.acked_by
                WHERE excluded.event_id >= sync_ack.event_id
                """,
            arguments: [ticket, ack.id, ack.status, now.storedSeconds, actor])
        return db.changesCount > 0
    }

    // MARK: The webhook subscriber

    /// The actor of what the webhook delivery records.
    public static let webhookActor = "portal-webhook"

    public func portalWebhook() async throws -> PortalWebhook {
        try await read { db in try Self.webhook(db).0 }
    }

    /// Sets (or replaces) the subscriber: posts start after `after` (absent: after the newest
    /// entry now, so a new subscriber is not flooded with the history it may already hold).
    public func setPortalWebhook(_ draft: PortalWebhookDraft, actor: String) async throws -> PortalWebhook {
        let (url, secret) = try draft.validated()
        let now = clock()
        return try await write { db in
            let head = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM event") ?? 0
            let cursor = min(draft.after ?? head, head)
            try db.execute(
                sql: """
                    INSERT INTO sync_webhook (id, url, secret, active, cursor, delivered, attempts, next_attempt_at, last_error, updated_at)
                    VALUES (1, ?, ?, 1, ?, 0, 0, 0, NULL, ?)
                    ON CONFLICT (id) DO UPDATE SET url = excluded.url, secret = excluded.secret, active = 1, cursor = excluded.cursor,
                        delivered = 0, attempts = 0, next_attempt_at = 0, last_error = NULL, updated_at = excluded.updated_at
                    """,
                arguments: [url, secret, cursor, now.storedSeconds])
            try EventLog.append(
                db, at: now, actor: actor, action: "sync.webhook", entity: "sync", entityId: "portal",
                detail: ["url": url, "after": String(cursor), "active": "true"])
            var (webhook, _) = try Self.webhook(db)
            webhook.secret = secret
            return webhook
        }
    }

    /// Stops the posts; the cursor stays, so setting it again with `after` = the cursor resumes.
    public func stopPortalWebhook(actor: String) async throws -> PortalWebhook {
        let now = clock()
        return try await write { db in
            _ = try Self.webhook(db)
            try db.execute(sql: "UPDATE sync_webhook SET active = 0, updated_at = ? WHERE id = 1", arguments: [now.storedSeconds])
            try EventLog.append(
                db, at: now, actor: actor, action: "sync.webhook", entity: "sync", entityId: "portal", detail: ["active": "false"])
            return try Self.webhook(db).0
        }
    }

    static func webhook(_ db: any SQLSession) throws -> (PortalWebhook, String) {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM sync_webhook WHERE id = 1") else {
            throw DeskError.notFound(entity: "portal webhook", id: "portal")
        }
        let next: Int64 = row["next_attempt_at"]
        return (
            PortalWebhook(
                url: row["url"], active: row["active"], cursor: row["cursor"], delivered: row["delivered"], attempts: row["attempts"],
                nextAttemptAt: next > 0 ? Date(storedSeconds: next) : nil, lastError: row["last_error"],
                updatedAt: Date(storedSeconds: row["updated_at"])),
            row["secret"]
        )
    }

    /// The active subscriber and its secret, when a post is due.
    func dueWebhook(now: Date) async throws -> (PortalWebhook, String)? {
        try await read { db in
            guard
                try Row.fetchOne(
                    db, sql: "SELECT 1 FROM sync_webhook WHERE id = 1 AND active = 1 AND next_attempt_at <= ?",
                    arguments: [now.storedSeconds]) != nil
            else { return nil }
            return try Self.webhook(db)
        }
    }

    /// Takes the page after `cursor` for one post by this process (`claimForDelivery`, for the
    /// portal's webhook): nothing to take on a file; on a shared database the first instance moves
    /// the next attempt `lease` ahead, the others find the webhook no longer due, and the outcome
    /// (`recordWebhook`) sets it for good.
    func claimWebhook(cursor: Int64, now: Date, lease: Duration) async throws -> Bool {
        try await claimDue(table: "sync_webhook", row: "id = 1 AND cursor = ?", cursor, now: now, lease: lease)
    }

    /// What became of a post of `feed` made from `cursor`: delivered (the cursor moves past it and
    /// its entries are acknowledged, in one transaction) or failed (tried again after the
    /// policy's wait, at most an hour; never given up). Nothing, if the subscriber was reset since.
    func recordWebhook(from cursor: Int64, delivered feed: PortalFeed, error: String?, policy: RetryPolicy = RetryPolicy()) async throws {
        let now = clock()
        try await write { db in
            guard
                let attempts = try Int.fetchOne(
                    db, sql: "SELECT attempts FROM sync_webhook WHERE id = 1 AND cursor = ?", arguments: [cursor])
            else { return }
            if let error {
                let delay = policy.delay(afterAttempts: min(attempts + 1, policy.maxAttempts - 1)) ?? 3600
                try db.execute(
                    sql: "UPDATE sync_webhook SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = 1",
                    arguments: [attempts + 1, now.storedSeconds + delay, String(error.prefix(500))])
                return
            }
            try db.execute(
                sql: """
                    UPDATE sync_webhook SET cursor = ?, delivered = delivered + ?, attempts = 0, next_attempt_at = 0, last_error = NULL
                    WHERE id = 1
                    """,
                arguments: [feed.next, feed.items.count])
            guard !feed.items.isEmpty else { return }
            var moved = 0
            for item in feed.items
            where try Self.storeAck(db, ticket: item.code, PortalAck(id: item.id, status: item.status), at: now, actor: Self.webhookActor) {
                moved += 1
            }
            try EventLog.append(
                db, at: now, actor: Self.webhookActor, action: "sync.ack", entity: "sync", entityId: "portal",
                detail: ["entries": String(feed.items.count), "moved": String(moved), "through": String(feed.next)])
        }
    }

    /// The dossiers received between `from` and `to` (local dates, inclusive) whose status at the
    /// portal, as acknowledged, is not ours — never acknowledged, behind, or different.
    public func reconcilePortal(from: String?, to: String?) async throws -> [PortalDifference] {
        var validator = Validator()
        let start = from.flatMap(LocalDate.init)
        let end = to.flatMap(LocalDate.init)
        validator.check(start != nil, "from", "is required: a date YYYY-MM-DD")
        validator.check(end != nil, "to", "is required: a date YYYY-MM-DD")
        if let start, let end {
            validator.check(start <= end, "to", "must not be before from")
            validator.check(end < start.adding(days: 366), "to", "at most a year after from")
        }
        try validator.finish()
        let (from, to) = (start!, end!)
        return try await read { db in
            let (_, time) = try self.workingTime(db)
            let start = time.clock.instant(from, minute: 0).storedSeconds
            let end = time.clock.instant(to.adding(days: 1), minute: 0).storedSeconds
            let tickets = try Row.fetchAll(
                db,
                sql: """
                    SELECT t.code, t.state, t.awaiting_reason, a.portal_status, a.event_id
                    FROM ticket t LEFT JOIN sync_ack a ON a.ticket = t.code
                    WHERE t.received_at >= ? AND t.received_at < ? ORDER BY t.code
                    """, arguments: [start, end])
            var differences: [PortalDifference] = []
            for row in tickets {
                let state = Ticket.State(rawValue: row["state"]) ?? .queued
                let ours = PortalStatus.of(state, awaiting: (row["awaiting_reason"] as String?).flatMap(Ticket.AwaitingReason.init))
                let acknowledged: Int? = row["portal_status"]
                guard acknowledged != ours else { continue }
                let code: String = row["code"]
                // The feed entry that carries our status: the latest event that changed it.
                var lastEvent: Int64 = 0
                for event in try Row.fetchAll(
                    db, sql: "SELECT id, action, detail FROM event WHERE entity = 'ticket' AND entity_id = ? ORDER BY id DESC",
                    arguments: [code])
                where PortalStatus.after(action: event["action"], detail: EventLog.detail(event["detail"])) != nil {
                    lastEvent = event["id"]
                    break
                }
                differences.append(
                    PortalDifference(
                        code: code, ours: ours, acknowledged: acknowledged, acknowledgedEvent: row["event_id"], lastEvent: lastEvent))
            }
            return differences
        }
    }
}
