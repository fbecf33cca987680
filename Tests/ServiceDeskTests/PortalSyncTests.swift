import Foundation
import GRDB
import Testing

@testable import ServiceDesk

/// Synchronisation with the National Public Service Portal (docs/portal-sync.md): the feed of
/// portal status changes read from the trail, the connector's acknowledgements, reconciliation.
@Suite("Portal synchronisation: the feed, acknowledgements, reconciliation")
struct PortalSyncTests {
    static func all(_ database: AppDatabase, page: Int) async throws -> [PortalStatusChange] {
        var items: [PortalStatusChange] = []
        var after: Int64 = 0
        while true {
            let feed = try await database.portalFeed(after: after, limit: page)
            items += feed.items
            if feed.next == after { return items }
            after = feed.next
        }
    }

    @Test("every change of portal status once, in order, whatever the page size; notes and non-changes are not entries")
    func feed() async throws {
        let centre = try await Centre2026()
        let a = try await centre.intake("1.004227").receipt.code
        let b = try await centre.intake("1.001193", outcome: "incomplete", missing: ["Tờ khai"]).receipt.code
        try await centre.act(.note, a, by: "lan.mc", ActionRequest(note: "gọi lại"))
        try await centre.act(.claim, a, by: "thu.mc")
        try await centre.act(.requestSupplement, a, by: "thu.mc", ActionRequest(kind: "payment"))
        try await centre.act(.pay, a, by: "lan.mc", ActionRequest(line: 0, amount: 1, method: "cash", receiptNumber: "BL-1"))
        try await centre.act(.supplementReceived, b, by: "lan.mc")
        let whole = try await Self.all(centre.database, page: 1000)
        #expect(whole.map(\.code) == [a, b, a, a, b])
        #expect(whole.map(\.status) == [2, 5, 4, 6, 2], "accepted, supplement requested, in process, fees due, accepted")
        #expect(whole.allSatisfy { $0.agency == "000.00.00.H00" } && whole[0].procedure == "1.004227" && whole[0].procedureVersion == 1)
        #expect(whole.map(\.statusName)[3] == "Yêu cầu thực hiện nghĩa vụ tài chính")
        for page in [1, 2, 3] { #expect(try await Self.all(centre.database, page: page) == whole, "page \(page)") }
        #expect(zip(whole, whole.dropFirst()).allSatisfy { $0.id < $1.id })
        await #expect(throws: DeskError.self) { _ = try await centre.database.portalFeed(after: -1, limit: 10) }
    }

    @Test("reconcile finds the dossiers the portal holds otherwise: a planted difference, one behind, one never acknowledged")
    func reconcile() async throws {
        let centre = try await Centre2026()
        let inStep = try await centre.intake("1.004227").receipt.code
        let planted = try await centre.intake("1.004227").receipt.code
        let behind = try await centre.intake("1.004227").receipt.code
        let never = try await centre.intake("1.004227").receipt.code
        let feed = try await centre.database.portalFeed(after: 0, limit: 100)
        let acks = feed.items.filter { $0.code != never }.map { PortalAck(id: $0.id, status: $0.code == planted ? 9 : $0.status) }
        #expect(try await centre.database.acknowledgePortal(acks, actor: "cong.tt") == 3)
        try await centre.act(.claim, behind, by: "thu.mc")
        let differences = try await centre.database.reconcilePortal(from: "2026-11-30", to: "2026-11-30")
        #expect(differences.map(\.code) == [planted, behind, never])
        #expect(differences.map(\.ours) == [2, 4, 2] && differences.map(\.acknowledged) == [9, 2, nil])
        #expect(!differences.contains { $0.code == inStep })
        // The connector catches up: an older entry never moves a later acknowledgement back.
        let next = try await centre.database.portalFeed(after: feed.next, limit: 100)
        #expect(next.items.map(\.code) == [behind] && next.items[0].status == 4)
        #expect(try await centre.database.acknowledgePortal([PortalAck(id: next.items[0].id, status: 4)], actor: "cong.tt") == 1)
        let older = try #require(feed.items.first { $0.code == behind })
        #expect(try await centre.database.acknowledgePortal([PortalAck(id: older.id, status: 2)], actor: "cong.tt") == 0)
        let after = try await centre.database.reconcilePortal(from: "2026-11-30", to: "2026-11-30")
        #expect(after.map(\.code) == [planted, never])
        await #expect(throws: DeskError.self, "not a feed entry") {
            _ = try await centre.database.acknowledgePortal([PortalAck(id: 999_999, status: 2)], actor: "cong.tt")
        }
        await #expect(throws: DeskError.self) { _ = try await centre.database.reconcilePortal(from: "2026-12-01", to: "2026-11-30") }
    }

    @Test("the report's SQL spells the same portal status as the ticket")
    func sqlAgrees() async throws {
        let database = try AppDatabase.inMemory(clock: { Date() })
        for state in Ticket.State.allCases {
            for awaiting in [nil] + Ticket.AwaitingReason.allCases.map(Optional.some) {
                let status = try await database.read { db in
                    try Int.fetchOne(
                        db, sql: "SELECT \(PortalStatus.sql) FROM (SELECT ? AS state, ? AS awaiting_reason) t",
                        arguments: [state.rawValue, awaiting?.rawValue])
                }
                if state != .awaitingCitizen && awaiting != nil { continue }
                #expect(status == PortalStatus.of(state, awaiting: awaiting), "\(state) \(String(describing: awaiting))")
            }
        }
    }

    @Test("the online figures of Decision 766 by hand: online share, online payment share, synchronised share")
    func onlineFigures() async throws {
        let centre = try await Centre2026()
        let counter = try await centre.intake("1.004227").receipt.code
        _ = try await centre.intake("1.004227")
        let request = IntakeRequest(
            service: "1.004227", channel: "web", applicant: ApplicantDraft(name: "Hoa", phone: "0912345678"), description: "online")
        guard case .created(let online, _) = try await centre.database.intake(request, actor: try await centre.staff("lan.mc")) else {
            throw DeskError.conflict("replayed")
        }
        _ = try await centre.intake("HD-TTHC")  // an inquiry: not a dossier of a procedure
        _ = try await centre.database.recordGatewayPayment(
            PaymentCallback(ticket: online.receipt.code, line: 1, amount: 500_000, reference: "VNPAY-9"))
        try await centre.act(.pay, counter, by: "lan.mc", ActionRequest(line: 0, amount: 100_000, method: "cash", receiptNumber: "BL-1"))
        let feed = try await centre.database.portalFeed(after: 0, limit: 100)
        let entry = try #require(feed.items.first { $0.code == counter })
        _ = try await centre.database.acknowledgePortal([PortalAck(id: entry.id, status: entry.status)], actor: "cong.tt")
        let table = try await centre.database.report(.online, ReportRequest(period: ReportPeriod(period: "2026-11")))
        let row = try #require(table.rows.first)
        #expect(row["received"] == .int(3) && row["receivedOnline"] == .int(1) && row["onlineShare"] == .number(1.0 / 3))
        #expect(row["feeBearing"] == .int(3) && row["paidOnline"] == .int(1) && row["onlinePaymentShare"] == .number(1.0 / 3))
        #expect(row["synchronised"] == .int(1) && row["synchronisedShare"] == .number(1.0 / 3))
    }

    @Test("webhooks: every entry delivered once by id across a subscriber that fails and comes back; stopped and resumed")
    func webhook() async throws {
        let centre = try await Centre2026()
        let a = try await centre.intake("1.004227").receipt.code
        _ = try await centre.intake("1.001193")
        let gateway = ScriptedGateway([200, 503, nil, 200, 200])
        let delivery = PortalWebhookDelivery(database: centre.database, transport: gateway, policy: RetryPolicy(base: .seconds(30)))
        #expect(try await delivery.deliverDue() == 0, "no subscriber: nothing posted")
        let set = try await centre.database.setPortalWebhook(
            PortalWebhookDraft(url: "https://ketnoi.example/dvcqg", secret: "a-secret-of-the-connector", after: 0), actor: "admin")
        #expect(set.secret == "a-secret-of-the-connector" && set.cursor == 0)
        #expect(try await centre.database.portalWebhook().secret == nil, "shown once")

        #expect(try await delivery.deliverDue() == 2)
        try await centre.act(.claim, a, by: "thu.mc")
        _ = try await centre.intake("1.004227")
        #expect(try await delivery.deliverDue() == 0, "503")
        let failing = try await centre.database.portalWebhook()
        #expect(failing.attempts == 1 && failing.lastError == "HTTP 503" && failing.nextAttemptAt != nil)
        #expect(try await delivery.deliverDue() == 0 && gateway.posts.count == 2, "not due again before its wait")
        centre.clock.set("2026-11-30 09:01")
        #expect(try await delivery.deliverDue() == 0, "no answer at all")
        centre.clock.set("2026-11-30 09:03")
        #expect(try await delivery.deliverDue() == 2, "the same two entries, delivered")
        #expect(try await delivery.deliverDue() == 0 && gateway.posts.count == 4, "nothing new: nothing posted")

        // What the subscriber stored: each entry of the whole feed once, in order; the retries
        // carried the same entries; every post signed with its secret.
        let whole = try await Self.all(centre.database, page: 1000)
        let stored = [gateway.posts[0], gateway.posts[3]].flatMap { post in
            try! APIJSON.decoder.decode(PortalFeed.self, from: post.body).items
        }
        #expect(stored == whole)
        #expect(Set(gateway.posts[1...3].map(\.body)).count == 1, "the failed posts and the delivered one: the same entries")
        for post in gateway.posts {
            #expect(
                WebhookSignature.verify(
                    header: post.headers["X-Desk-Signature"] ?? "", secret: "a-secret-of-the-connector", body: post.body))
        }
        // Delivered is acknowledged: reconciliation finds nothing out of step.
        #expect(try await centre.database.reconcilePortal(from: "2026-11-30", to: "2026-11-30").isEmpty)
        let done = try await centre.database.portalWebhook()
        #expect(done.delivered == 4 && done.attempts == 0 && done.cursor == whole.last!.id)

        // Stopped: changes wait; set again from its cursor: they follow, none lost.
        _ = try await centre.database.stopPortalWebhook(actor: "admin")
        try await centre.act(.transfer, a, by: "thu.mc")
        #expect(try await delivery.deliverDue() == 0 && gateway.posts.count == 4)
        _ = try await centre.database.setPortalWebhook(
            PortalWebhookDraft(url: "https://ketnoi.example/dvcqg", secret: "a-secret-of-the-connector", after: done.cursor), actor: "admin"
        )
        #expect(try await delivery.deliverDue() == 1)
        let last = try APIJSON.decoder.decode(PortalFeed.self, from: gateway.posts[4].body)
        #expect(last.items.map(\.code) == [a] && last.items[0].id > done.cursor)
        await #expect(throws: DeskError.self) {
            _ = try await centre.database.setPortalWebhook(PortalWebhookDraft(url: "ftp://x"), actor: "admin")
        }
    }
}
