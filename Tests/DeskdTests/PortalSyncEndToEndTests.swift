import Foundation
import ServiceDesk
import Testing

/// The portal's connector from outside (docs/portal-sync.md): a subscriber reading the feed over
/// HTTP in small pages, stopped with the daemon and resumed from its cursor after a restart —
/// nothing skipped, nothing twice by id — then acknowledging, and `deskcli sync reconcile`
/// finding the difference planted.
@Suite("End to end: portal synchronisation", .serialized)
struct PortalSyncEndToEndTests {
    @Test("a subscriber that stops and resumes reads every change once; reconcile finds the planted difference")
    func subscriber() async throws {
        var hall = try await TicketEndToEndTests.Hall()
        let scratch = hall.scratch
        let admin = hall.admin
        #expect(
            try await hall.cli(
                ["staff", "create", "portal", "--name", "DVC", "--role", "integration", "--employment", "contract"], as: admin
            ).status == 0)
        let connector = try await hall.token(for: "portal")
        func intake() async throws -> String {
            let answer = try await hall.post(
                "api/v1/tickets", token: admin, json: #"{"service":"1.004227","applicant":{"name":"Hoa","phone":"0912345678"}}"#)
            #expect(answer.status == 201, "\(answer.text)")
            return try APIJSON.decoder.decode(IntakeResult.self, from: answer.body).receipt.code
        }
        func page(after: Int64, limit: Int = 2) async throws -> PortalFeed {
            let answer = try await HTTP.get(
                URL(string: hall.daemon.baseURL.absoluteString + "/api/v1/sync/portal?after=\(after)&limit=\(limit)")!, token: connector)
            #expect(answer.status == 200, "\(answer.text)")
            return try APIJSON.decoder.decode(PortalFeed.self, from: answer.body)
        }
        var codes: [String] = []
        for _ in 0..<3 { codes.append(try await intake()) }
        var read: [PortalStatusChange] = []
        var cursor: Int64 = 0
        let first = try await page(after: cursor)
        read += first.items
        cursor = first.next
        // The subscriber stops with the daemon; changes happen after the restart; it resumes.
        #expect(await hall.daemon.stop() == 0)
        hall = try await TicketEndToEndTests.Hall(restartingIn: scratch, admin: admin)
        #expect(try await hall.cli(["ticket", "claim", codes[0]], as: admin).status == 0)
        codes.append(try await intake())
        while true {
            let next = try await page(after: cursor)
            read += next.items
            if next.next == cursor { break }
            cursor = next.next
        }
        let whole = try await page(after: 0, limit: 1000)
        #expect(read == whole.items, "every change once, in order, across the stop")
        #expect(Set(read.map(\.id)).count == read.count && read.count == 5)
        #expect(read.map(\.status) == [2, 2, 2, 4, 2])

        // Acknowledge everything as stored, but plant a difference: the portal holds codes[1] as returned.
        let entries = read.map { "\($0.id):\($0.code == codes[1] ? 10 : $0.status)" }
        let acked = try await hall.cli(["sync", "ack"] + entries, as: connector)
        #expect(acked.status == 0 && acked.output.contains("4 dossier(s) moved"), "\(acked.output)\(acked.error)")
        let local = LocalClock(identifier: "Asia/Ho_Chi_Minh")!.local(whole.items[0].receivedAt).date.description
        let reconcile = try await hall.cli(["sync", "reconcile", "--from", local, "--to", local], as: admin)
        #expect(
            reconcile.status == 0 && reconcile.output.contains(codes[1]) && reconcile.output.contains("10 Đã trả kết quả"),
            "\(reconcile.output)")
        #expect(!reconcile.output.contains(codes[0]) && !reconcile.output.contains(codes[2]))
        // A dossier the portal itself files waits for reception (status 1) until an officer receives it.
        let filed = try await hall.post(
            "api/v1/tickets", token: connector,
            json: #"{"service":"1.000894","channel":"web","applicant":{"name":"Nam","phone":"0912345678"}}"#)
        let submitted = try APIJSON.decoder.decode(IntakeResult.self, from: filed.body)
        #expect(filed.status == 201 && submitted.receipt.outcome == .submitted && submitted.ticket.ticket.portalStatus == 1)
        let received = try await hall.cli(["ticket", "receive", submitted.receipt.code], as: admin)
        #expect(received.status == 0 && received.output.contains("queued at mot-cua"), "\(received.output)\(received.error)")
        let bad = try await hall.cli(["sync", "ack", "1:11"], as: connector)
        #expect(bad.status == 1 && bad.error.contains("status"))
        #expect(await hall.daemon.stop() == 0)
    }

    @Test("the feed as signed webhooks to a subscriber on loopback that fails then comes back: every entry once by id, acknowledged")
    func webhooks() async throws {
        let receiver = try await LoopbackGateway(failures: 2)
        defer { receiver.task.cancel() }
        let hall = try await TicketEndToEndTests.Hall(environment: ["DESK_OUTBOX_RETRY_BASE": "1", "DESK_OUTBOX_INTERVAL": "0.1"])
        let set = try await hall.cli(["sync", "webhook", "--url", receiver.url, "--after", "0"], as: hall.admin)
        #expect(set.status == 0 && set.output.contains("secret: "), "\(set.output)\(set.error)")
        let secret = try #require(set.output.split(separator: "\n").first { $0.hasPrefix("secret: ") }?.split(separator: " ")[1])
        var codes: [String] = []
        for _ in 0..<3 {
            let answer = try await hall.post(
                "api/v1/tickets", token: hall.admin, json: #"{"service":"1.004227","applicant":{"name":"Hoa","phone":"0912345678"}}"#)
            #expect(answer.status == 201, "\(answer.text)")
            codes.append(try APIJSON.decoder.decode(IntakeResult.self, from: answer.body).receipt.code)
        }
        // Wait until the subscriber has stored an entry for each dossier.
        var stored: [PortalStatusChange] = []
        for _ in 0..<300 {
            stored = receiver.posts.filter(\.accepted).flatMap { (try? APIJSON.decoder.decode(PortalFeed.self, from: $0.body).items) ?? [] }
            if Set(stored.map(\.code)).count == 3 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(stored.map(\.code) == codes && Set(stored.map(\.id)).count == stored.count, "each entry once, in order")
        #expect(receiver.posts.filter { !$0.accepted }.count == 2, "two refused posts, retried")
        for post in receiver.posts {
            #expect(WebhookSignature.verify(header: post.signature, secret: String(secret), body: post.body))
        }
        // deskd records the delivery once the subscriber's answer is in, a moment after the
        // subscriber has stored the entries (on PostgreSQL, some round trips later).
        var shown = try await hall.cli(["sync", "webhook", "--json"], as: hall.admin)
        var state = try APIJSON.decoder.decode(PortalWebhook.self, from: Data(shown.output.utf8))
        for _ in 0..<100 where state.delivered < 3 {
            try await Task.sleep(for: .milliseconds(100))
            shown = try await hall.cli(["sync", "webhook", "--json"], as: hall.admin)
            state = try APIJSON.decoder.decode(PortalWebhook.self, from: Data(shown.output.utf8))
        }
        #expect(state.delivered == 3 && state.attempts == 0 && state.secret == nil && state.cursor == stored.last?.id, "\(shown.output)")
        let today = LocalClock(identifier: "Asia/Ho_Chi_Minh")!.local(Date()).date.description
        let reconciled = try await hall.cli(["sync", "reconcile", "--from", today, "--to", today, "--json"], as: hall.admin)
        #expect(reconciled.status == 0, "\(reconciled.error)")
        #expect(try APIJSON.decoder.decode([PortalDifference].self, from: Data(reconciled.output.utf8)).isEmpty, "\(reconciled.output)")
        let stopped = try await hall.cli(["sync", "webhook", "--stop"], as: hall.admin)
        #expect(stopped.status == 0 && stopped.output.contains("active") && stopped.output.contains("no"), "\(stopped.output)")
        #expect(await hall.daemon.stop() == 0)
    }
}
