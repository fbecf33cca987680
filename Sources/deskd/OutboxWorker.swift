import AsyncHTTPClient
import Foundation
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import ServiceDesk
import ServiceLifecycle

/// The outbox's delivery worker, inside `deskd` (docs/notifications.md): every `interval` it
/// posts the messages that are due to the centre's gateways, and the portal's synchronisation
/// feed to its webhook subscriber (docs/portal-sync.md). Stops with the daemon; what it had
/// not delivered stays in the outbox for the next start.
struct OutboxWorker: ServiceLifecycle.Service {
    let database: AppDatabase
    let policy: RetryPolicy
    let interval: Duration
    /// How long a gateway has to answer (AsyncHTTPClient retries a refused connection within it).
    let timeout: Duration
    let logger: Logger

    func run() async throws {
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .init(redirectConfiguration: .disallow))
        let transport = WebhookClient(client: client, timeout: .milliseconds(timeout.components.seconds * 1000))
        // A post claimed by this instance stays its own for the gateway's time and a margin.
        let delivery = OutboxDelivery(database: database, transport: transport, policy: policy, lease: timeout + .seconds(30))
        // The National Portal's synchronisation feed, to a subscriber that takes it as webhooks.
        let portal = PortalWebhookDelivery(database: database, transport: transport, policy: policy, lease: timeout + .seconds(30))
        let synchronised = Counter(label: "desk_portal_webhook_entries_total")
        let delivered = Counter(label: "desk_outbox_deliveries_total", dimensions: [("result", "delivered")])
        let failed = Counter(label: "desk_outbox_deliveries_total", dimensions: [("result", "failed")])
        let dead = Counter(label: "desk_outbox_deliveries_total", dimensions: [("result", "dead")])
        let logger = logger
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                // Drain what is due, then wait. A shutdown cancels the posts in flight: their
                // messages stay pending, the attempt not counted, for the next start.
                try await cancelWhenGracefulShutdown {
                    while true {
                        let outcome = try await delivery.deliverDue()
                        delivered.increment(by: outcome.delivered)
                        failed.increment(by: outcome.failed)
                        dead.increment(by: outcome.dead)
                        if outcome.dead > 0 { logger.warning("outbox: dead letters", metadata: ["count": "\(outcome.dead)"]) }
                        let entries = try await portal.deliverDue()
                        synchronised.increment(by: entries)
                        if outcome.attempted == 0 && entries == 0 { break }
                    }
                }
            } catch is CancellationError {
                break
            } catch {
                logger.error("outbox: delivery pass failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
        try await client.shutdown()
    }
}

/// Posts a webhook with AsyncHTTPClient (redirects not followed).
struct WebhookClient: WebhookTransport {
    let client: HTTPClient
    let timeout: TimeAmount

    func post(url: String, headers: [(String, String)], body: Data) async throws -> Int {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: timeout)
        // Read (and drop) at most a little of the answer, so the connection can be reused.
        _ = try? await response.body.collect(upTo: 64 * 1024)
        return Int(response.status.code)
    }
}
