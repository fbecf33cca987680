import Foundation

/// The status numbers the National Public Service Portal synchronises (1 new online submission …
/// 10 result returned): one definition for the ticket's view and the synchronisation feed.
public enum PortalStatus {
    public static func of(_ state: Ticket.State, awaiting: Ticket.AwaitingReason?) -> Int {
        switch state {
        case .new: 1
        case .queued: 2
        case .inProgress: 4
        case .awaitingCitizen: awaiting == .payment ? 6 : 5
        case .resolved: 9
        case .returned: 10
        case .rejected: 3
        case .withdrawn: 7
        }
    }

    /// `of` as an SQL expression over the ticket alias `t`, for reports; a test holds the two to
    /// the same answers.
    public static let sql = """
        (CASE t.state WHEN 'new' THEN 1 WHEN 'queued' THEN 2 WHEN 'in-progress' THEN 4
            WHEN 'awaiting-citizen' THEN (CASE t.awaiting_reason WHEN 'payment' THEN 6 ELSE 5 END)
            WHEN 'resolved' THEN 9 WHEN 'returned' THEN 10 WHEN 'rejected' THEN 3 WHEN 'withdrawn' THEN 7 END)
        """

    /// The portal's name of a status.
    public static func name(_ status: Int) -> String {
        switch status {
        case 1: "Mới đăng ký"
        case 2: "Được tiếp nhận"
        case 3: "Không được tiếp nhận"
        case 4: "Đang xử lý"
        case 5: "Yêu cầu bổ sung giấy tờ"
        case 6: "Yêu cầu thực hiện nghĩa vụ tài chính"
        case 7: "Công dân yêu cầu rút hồ sơ"
        case 8: "Dừng xử lý"
        case 9: "Đã xử lý xong"
        case 10: "Đã trả kết quả"
        default: "?"
        }
    }

    /// The portal status a ticket event leaves the dossier in, when the event changed its state
    /// (an intake always does); nil otherwise. From the event's `to` state and, for a wait, the
    /// kind the event that began it names.
    public static func after(action: String, detail: [String: String]) -> Int? {
        guard let to = detail["to"].flatMap(Ticket.State.init) else { return nil }
        if action != "ticket.intake" {
            guard let from = detail["from"].flatMap(Ticket.State.init), from != to else { return nil }
        }
        let wait: Ticket.AwaitingReason? =
            action == "ticket.request-supplement" ? Ticket.AwaitingReason(rawValue: detail["kind"] ?? "supplement") : .supplement
        return of(to, awaiting: to == .awaitingCitizen ? wait : nil)
    }
}

/// One change of a dossier's portal status, as the portal's connector reads it
/// (`GET /api/v1/sync/portal`): the feed entry's id is the audit event's.
public struct PortalStatusChange: Codable, Equatable, Sendable {
    public var id: Int64
    public var code: String
    /// The procedure's code and the catalogue version the dossier was received under.
    public var procedure: String
    public var procedureVersion: Int
    /// The centre's agency code (mã định danh).
    public var agency: String
    public var status: Int
    public var statusName: String
    public var at: Date
    public var receivedAt: Date
    public var dueAt: Date?
    /// The result, once there is one: granted, answered or refused.
    public var result: Ticket.Outcome?
    /// The portal's own code and reference of a dossier filed through it.
    public var portalCode: String?
    public var portalReference: String?
}

/// A page of the feed: the changes after the cursor, and the cursor to ask from next.
public struct PortalFeed: Codable, Equatable, Sendable {
    public var items: [PortalStatusChange]
    /// The last event id read (pass it as `after`); the same as asked when nothing is new.
    public var next: Int64
}

/// What the connector says it stored: a feed entry (its id) and the status it holds for it.
public struct PortalAck: Codable, Sendable {
    public var id: Int64
    public var status: Int

    public init(id: Int64, status: Int) {
        self.id = id
        self.status = status
    }
}

/// A dossier whose status at the portal (as acknowledged) is not ours.
public struct PortalDifference: Codable, Equatable, Sendable {
    public var code: String
    public var ours: Int
    /// Nil: the portal never acknowledged any status of it.
    public var acknowledged: Int?
    public var acknowledgedEvent: Int64?
    /// The feed entry that carries our status.
    public var lastEvent: Int64
}

/// The portal's connector taking the feed as signed webhooks (`PUT /api/v1/sync/portal/webhook`):
/// where, from which entry on, and how the deliveries go. The secret is shown once, when set.
public struct PortalWebhook: Codable, Equatable, Sendable {
    public var url: String
    public var active: Bool
    /// The last feed entry the subscriber answered 2xx for; the next post starts after it.
    public var cursor: Int64
    public var delivered: Int
    /// Failed posts in a row, and when the next is tried.
    public var attempts: Int
    public var nextAttemptAt: Date?
    public var lastError: String?
    public var updatedAt: Date
    /// Present in the answer that set it — the only time it is shown.
    public var secret: String?
}

/// `PUT /api/v1/sync/portal/webhook`.
public struct PortalWebhookDraft: Codable, Sendable {
    public var url: String?
    /// The HMAC secret the subscriber verifies with; absent: deskd makes one.
    public var secret: String?
    /// The feed entry to start after (0: the whole trail); absent: after the last one now.
    public var after: Int64?

    public init(url: String? = nil, secret: String? = nil, after: Int64? = nil) {
        self.url = url
        self.secret = secret
        self.after = after
    }

    func validated() throws(DeskError) -> (url: String, secret: String) {
        var validator = Validator()
        let url = GatewayDraft.check(url: url, into: &validator)
        let secret = GatewayDraft.check(secret: secret, into: &validator)
        if let after { validator.check(after >= 0, "after", "must be 0 or a feed entry id") }
        try validator.finish()
        return (url, secret)
    }
}

/// Posts the synchronisation feed to the subscriber (docs/portal-sync.md): a page of entries
/// after its cursor, signed like every webhook of deskd (`X-Desk-Signature`); a 2xx answer
/// moves the cursor past them and records them as acknowledged, anything else is tried again
/// later with the same entries — never skipped, never given up (at most an hour apart).
public struct PortalWebhookDelivery: Sendable {
    let database: AppDatabase
    let transport: any WebhookTransport
    let policy: RetryPolicy
    let pageSize: Int
    /// On a database several instances serve, how long a page claimed for a post is left to the
    /// instance that claimed it (`AppDatabase.claimWebhook`): longer than a post may take.
    let lease: Duration

    public init(
        database: AppDatabase, transport: any WebhookTransport, policy: RetryPolicy = RetryPolicy(), pageSize: Int = 100,
        lease: Duration = .seconds(150)
    ) {
        self.database = database
        self.transport = transport
        self.policy = policy
        self.pageSize = pageSize
        self.lease = lease
    }

    /// One post, if one is due: the number of entries delivered (0 when nothing was due, new or
    /// answered 2xx).
    public func deliverDue() async throws -> Int {
        guard let (subscriber, secret) = try await database.dueWebhook(now: database.clock()) else { return 0 }
        let feed = try await database.portalFeed(after: subscriber.cursor, limit: pageSize)
        guard !feed.items.isEmpty else {
            if feed.next > subscriber.cursor { try await database.recordWebhook(from: subscriber.cursor, delivered: feed, error: nil) }
            return 0
        }
        // Several instances read the same due page: the first to claim it posts it.
        guard try await database.claimWebhook(cursor: subscriber.cursor, now: database.clock(), lease: lease) else { return 0 }
        let body = try APIJSON.encoder.encode(feed)
        let headers = [
            ("Content-Type", "application/json; charset=utf-8"),
            ("X-Desk-Delivery", "\(feed.items[0].id)-\(feed.items[feed.items.count - 1].id)"),
            ("X-Desk-Signature", WebhookSignature.sign(secret: secret, timestamp: database.clock().storedSeconds, body: body)),
            ("User-Agent", "deskd"),
        ]
        let failure = try await transport.failure(posting: body, to: subscriber.url, headers: headers)
        try await database.recordWebhook(from: subscriber.cursor, delivered: feed, error: failure, policy: policy)
        return failure == nil ? feed.items.count : 0
    }
}
