import Foundation

/// Posts one webhook: the HTTP edge (`deskd` gives AsyncHTTPClient). Answers the status code;
/// throws when no answer came (refused, timed out).
public protocol WebhookTransport: Sendable {
    func post(url: String, headers: [(String, String)], body: Data) async throws -> Int
}

extension WebhookTransport {
    /// Posts, and says what went wrong: nil for a 2xx answer, else the status or the error.
    /// Throws only when the task is cancelled (deskd stopping): that is not an attempt.
    func failure(posting body: Data, to url: String, headers: [(String, String)]) async throws -> String? {
        do {
            let status = try await post(url: url, headers: headers, body: body)
            return (200..<300).contains(status) ? nil : "HTTP \(status)"
        } catch {
            if Task.isCancelled { throw CancellationError() }
            return String(describing: error)
        }
    }
}

/// Delivers the outbox (docs/notifications.md): each due message is posted to its gateway as
/// a signed webhook; a 2xx answer delivers it, anything else is retried by `RetryPolicy` until
/// it is a dead letter. At least once: a message whose answer was lost is posted again with the
/// same id, which the receiver deduplicates by. Per ticket and gateway, a message is posted
/// only after the one before it was delivered (or given up).
public struct OutboxDelivery: Sendable {
    public struct Outcome: Equatable, Sendable {
        public var delivered = 0
        public var failed = 0
        public var dead = 0
        public var attempted: Int { delivered + failed + dead }
    }

    let database: AppDatabase
    let transport: any WebhookTransport
    let policy: RetryPolicy
    /// Messages posted at once (a slow gateway does not hold the others).
    let concurrency: Int
    /// On a database several instances serve, how long a message claimed for a post is left to
    /// the instance that claimed it (`AppDatabase.claimForDelivery`): longer than a post may take.
    let lease: Duration

    public init(
        database: AppDatabase, transport: any WebhookTransport, policy: RetryPolicy = RetryPolicy(), concurrency: Int = 8,
        lease: Duration = .seconds(150)
    ) {
        self.database = database
        self.transport = transport
        self.policy = policy
        self.concurrency = concurrency
        self.lease = lease
    }

    /// One pass: the messages due now, posted, their outcome recorded.
    public func deliverDue(limit: Int = 64) async throws -> Outcome {
        let due = try await database.dueMessages(now: database.clock(), limit: limit)
        var outcome = Outcome()
        try await withThrowingTaskGroup(of: OutboxMessage.State?.self) { group in
            var next = due.makeIterator()
            func start() {
                guard let item = next.next() else { return }
                group.addTask { try await self.deliver(item) }
            }
            for _ in 0..<concurrency { start() }
            while let state = try await group.next() {
                switch state {
                case .delivered: outcome.delivered += 1
                case .pending: outcome.failed += 1
                case .dead: outcome.dead += 1
                case nil: break  // another instance is posting it
                }
                start()
            }
        }
        return outcome
    }

    /// Posts one message and records the outcome; nil when another instance claimed it first.
    func deliver(_ item: AppDatabase.DueMessage) async throws -> OutboxMessage.State? {
        guard try await database.claimForDelivery(item.message.id, now: database.clock(), lease: lease) else { return nil }
        let body = item.message.webhookBody
        let timestamp = database.clock().storedSeconds
        let headers = [
            ("Content-Type", "application/json; charset=utf-8"), ("Idempotency-Key", item.message.messageId),
            ("X-Desk-Message-Id", item.message.messageId), ("X-Desk-Sequence", String(item.message.id)),
            ("X-Desk-Signature", WebhookSignature.sign(secret: item.secret, timestamp: timestamp, body: body)),
            ("User-Agent", "deskd"),
        ]
        let failure = try await transport.failure(posting: body, to: item.url, headers: headers)
        return try await database.recordAttempt(item.message.id, error: failure, policy: policy)
    }
}
