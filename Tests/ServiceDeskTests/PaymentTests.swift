import Foundation
import Testing

@testable import ServiceDesk

/// Payments of a ticket's charges (docs/payments.md), through storage with the clock moved by
/// hand. The land certificate 1.004227 carries two lines: 100,000 VND lệ phí and 500,000 VND phí.
@Suite("Payments: in parts, exempted, online; the payment wait resumes when nothing is owed")
struct PaymentTests {
    @Test("paid in parts and exempted; the wait on a payment ends when nothing is owed, and the clock resumes")
    func ledger() async throws {
        let centre = try await Centre2026()
        let code = try await centre.intake("1.004227").receipt.code
        let admin = try await centre.staff("admin")
        let due = try await centre.database.ticket(code, viewer: admin).ticket.dueAt
        centre.clock.set("2026-11-30 10:00")
        try await centre.act(.requestSupplement, code, by: "lan.mc", ActionRequest(kind: "payment"))
        centre.clock.set("2026-11-30 14:00")
        let cash = ActionRequest(line: 0, amount: 60_000, method: "cash", receiptNumber: "BL-0001")
        let first = try await centre.act(.pay, code, by: "lan.mc", cash)
        #expect(first.state == .awaitingCitizen, "line 1 still owes")
        await #expect(throws: DeskError.self, "more than the line owes") {
            try await centre.act(.pay, code, by: "lan.mc", ActionRequest(line: 0, amount: 40_001, method: "cash", receiptNumber: "BL-0002"))
        }
        await #expect(throws: DeskError.self, "a cash payment gives its receipt") {
            try await centre.act(.pay, code, by: "lan.mc", ActionRequest(line: 0, amount: 1, method: "cash"))
        }
        await #expect(throws: DeskError.self, "no such line") {
            try await centre.act(.pay, code, by: "lan.mc", ActionRequest(line: 2, amount: 1, method: "cash", receiptNumber: "BL-9"))
        }
        try await centre.act(.pay, code, by: "lan.mc", ActionRequest(line: 0, amount: 40_000, method: "transfer", receiptNumber: "BL-0002"))
        await #expect(throws: DeskError.self, "an exemption gives its grounds") {
            try await centre.act(.exempt, code, by: "lan.mc", ActionRequest(line: 1))
        }
        // Settled at 14:00 after waiting from 10:00: 2.5 working hours (10:00–11:30, 13:00–14:00) move the due moment.
        let resumed = try await centre.act(
            .exempt, code, by: "lan.mc", ActionRequest(note: "Hộ nghèo: miễn phí theo Nghị quyết HĐND", line: 1))
        #expect(resumed.state == .queued && resumed.awaitingReason == nil)
        #expect(TestClock.local(due) == "2026-12-28 09:00")
        #expect(TestClock.local(resumed.dueAt) == "2026-12-28 11:30", "20 working days from 09:00 plus the 2.5 working hours waited")
        let explained = try await centre.database.explainDue(code, viewer: admin)
        #expect(explained.recomputedDueAt == resumed.dueAt, "the fold of the trail (the exemption that ended the wait) agrees")
        let ledger = try await centre.database.paymentLedger(of: code, viewer: admin)
        #expect(ledger.billed == 600_000 && ledger.paid == 100_000 && ledger.exempted == 500_000 && ledger.outstanding == 0)
        #expect(ledger.payments.map(\.receiptNumber) == ["BL-0001", "BL-0002", nil])
        await #expect(throws: DeskError.self, "nothing left to exempt") {
            try await centre.act(.exempt, code, by: "lan.mc", ActionRequest(note: "lại", line: 1))
        }
    }

    @Test("a gateway's payment is recorded once per reference; revenue shows collected, online, exempted and outstanding")
    func gatewayAndRevenue() async throws {
        let centre = try await Centre2026()
        let code = try await centre.intake("1.004227").receipt.code
        let other = try await centre.intake("1.004227").receipt.code
        let callback = PaymentCallback(ticket: code, line: 1, amount: 500_000, reference: "VNPAY-1")
        let once = try await centre.database.recordGatewayPayment(callback)
        let twice = try await centre.database.recordGatewayPayment(callback)
        #expect(once == twice && once.payments.count == 1 && once.payments[0].collectedBy == "payment-gateway")
        #expect(once.payments[0].method == .online && once.outstanding == 100_000)
        try await centre.act(.pay, code, by: "lan.mc", ActionRequest(line: 0, amount: 100_000, method: "cash", receiptNumber: "BL-1"))
        try await centre.act(.exempt, other, by: "lan.mc", ActionRequest(note: "Người có công", line: 0))
        let table = try await centre.database.report(.revenue, ReportRequest(period: ReportPeriod(period: "2026-11")))
        let row = try #require(table.rows.first)
        #expect(row["billed"] == .int(1_200_000) && row["collected"] == .int(600_000) && row["collectedOnline"] == .int(500_000))
        #expect(row["exempted"] == .int(100_000) && row["outstanding"] == .int(500_000))
        // Signatures: the right secret within five minutes; anything else refused.
        let body = Data(#"{"ticket":"x","line":0,"amount":1,"reference":"r"}"#.utf8)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let header = WebhookSignature.sign(secret: "s3cret", timestamp: 1_800_000_000, body: body)
        #expect(PaymentCallback.verify(header: header, secret: "s3cret", body: body, now: now))
        #expect(!PaymentCallback.verify(header: header, secret: "other", body: body, now: now))
        #expect(!PaymentCallback.verify(header: header, secret: "s3cret", body: Data("{}".utf8), now: now))
        #expect(!PaymentCallback.verify(header: header, secret: "s3cret", body: body, now: now.addingTimeInterval(301)))
    }
}
