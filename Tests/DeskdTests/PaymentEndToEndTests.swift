import Foundation
import ServiceDesk
import Testing

/// Payments from outside (docs/payments.md): the real `deskd`, a cashier through `deskcli`, and a
/// payment gateway posting signed callbacks — a forged one refused, a repeated one recorded once.
@Suite("End to end: payments", .serialized)
struct PaymentEndToEndTests {
    static let secret = "gateway-secret-for-tests"

    func callback(_ hall: TicketEndToEndTests.Hall, _ json: String, secret: String = PaymentEndToEndTests.secret, age: Int64 = 0)
        async throws -> HTTP.Answer
    {
        let body = Data(json.utf8)
        let stamp = Int64(Date().timeIntervalSince1970) - age
        return try await HTTP.send(
            "POST", hall.daemon.baseURL.appendingPathComponent("api/v1/payments/callback"), body: body,
            headers: [
                "Content-Type": "application/json", "X-Desk-Signature": WebhookSignature.sign(secret: secret, timestamp: stamp, body: body),
            ])
    }

    @Test("a dossier waiting for its fees resumes when the cashier and the gateway have collected everything")
    func journey() async throws {
        let hall = try await TicketEndToEndTests.Hall(environment: ["DESK_PAYMENT_SECRET": Self.secret])
        let created = try await hall.cli(
            ["ticket", "create", "--service", "1.004227", "--name", "Đặng Thị Hoa", "--phone", "0912345678", "--json"], as: hall.admin)
        let code = try APIJSON.decoder.decode(IntakeResult.self, from: Data(created.output.utf8)).receipt.code
        let waiting = try await hall.cli(["ticket", "request-supplement", code, "--payment"], as: hall.admin)
        #expect(waiting.output.contains("awaiting-citizen"), "\(waiting.output)\(waiting.error)")
        let cash = try await hall.cli(
            ["ticket", "pay", code, "--line", "0", "--amount", "100000", "--method", "cash", "--receipt", "BL-2026-0001"], as: hall.admin)
        #expect(cash.status == 0 && cash.output.contains("awaiting-citizen"), "\(cash.output)\(cash.error)")
        let noReceipt = try await hall.cli(["ticket", "pay", code, "--line", "1", "--amount", "1", "--method", "cash"], as: hall.admin)
        #expect(noReceipt.status == 1 && noReceipt.error.contains("receiptNumber"), "\(noReceipt.error)")

        let json = #"{"ticket":"\#(code)","line":1,"amount":500000,"reference":"VNPAY-20261130-1","receiptNumber":"E-BL-77"}"#
        #expect(try await callback(hall, json, secret: "forged").status == 401)
        #expect(try await callback(hall, json, age: 3600).status == 401, "an old signature is a replay")
        let paid = try await callback(hall, json)
        #expect(paid.status == 200, "\(paid.text)")
        let again = try await callback(hall, json)
        #expect(again.status == 200 && again.text == paid.text, "a repeated callback records nothing more")
        let ledger = try APIJSON.decoder.decode(PaymentLedger.self, from: paid.body)
        #expect(ledger.outstanding == 0 && ledger.payments.count == 2)
        let tooMuch = try await callback(hall, #"{"ticket":"\#(code)","line":1,"amount":1,"reference":"VNPAY-2"}"#)
        #expect(tooMuch.status == 409, "\(tooMuch.text)")

        let shown = try await hall.cli(["ticket", "show", code, "--json"], as: hall.admin)
        let view = try APIJSON.decoder.decode(TicketView.self, from: Data(shown.output.utf8))
        #expect(view.ticket.state == .queued && view.ticket.awaitingReason == nil, "the payment wait ended")
        let listed = try await hall.cli(["ticket", "payments", code], as: hall.admin)
        #expect(listed.output.contains("BL-2026-0001") && listed.output.contains("E-BL-77") && listed.output.contains("outstanding: 0 VND"))
        let events = try await hall.cli(["ticket", "events", code, "--json"], as: hall.admin)
        let trail = try APIJSON.decoder.decode([TicketEvent].self, from: Data(events.output.utf8))
        #expect(trail.last?.actor == "payment-gateway" && trail.last?.detail["clock"] == "pause")
        #expect(await hall.daemon.stop() == 0)
    }

    @Test("without a configured secret the callback is refused")
    func unconfigured() async throws {
        let hall = try await TicketEndToEndTests.Hall()
        let answer = try await callback(hall, #"{"ticket":"x","line":0,"amount":1,"reference":"r"}"#)
        #expect(answer.status == 403 && answer.contentType == "application/problem+json")
        #expect(await hall.daemon.stop() == 0)
    }
}
