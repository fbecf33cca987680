import Foundation
import GRDB

/// Payments of a ticket's charges (migration 0019, docs/payments.md). Cashiers record them as
/// ticket actions (`pay`, `exempt`); a payment gateway's signed callback records an online one.
extension AppDatabase {
    /// A ticket's charges and what became of them, for whoever may see the ticket.
    public func paymentLedger(of code: String, viewer: Staff) async throws -> PaymentLedger {
        try await read { db in
            let ticket = try Self.visibleTicket(db, code, viewer: viewer)
            return PaymentLedger(charges: ticket.charges, payments: try Self.payments(db, code))
        }
    }

    static func payments(_ db: any SQLSession, _ code: String) throws -> [Payment] {
        try Row.fetchAll(db, sql: "SELECT * FROM payment WHERE ticket = ? ORDER BY id", arguments: [code]).map(Payment.init(row:))
    }

    /// The actor of a gateway's callbacks in the audit trail.
    public static let paymentGateway = Staff(
        username: "payment-gateway", name: "Payment gateway", role: .integration, department: nil, employment: .contract)

    /// Records an online payment a gateway reports (its signature already checked): the `pay`
    /// decision on the ticket, whoever created it. The same reference again answers the payment
    /// recorded the first time and records nothing (gateways repeat their callbacks).
    public func recordGatewayPayment(_ callback: PaymentCallback) async throws -> PaymentLedger {
        let now = clock()
        return try await write { db in
            let ticket = try Self.ticket(db, callback.ticket)
            let already = try Int.fetchOne(db, sql: "SELECT 1 FROM payment WHERE reference = ?", arguments: [callback.reference]) != nil
            if !already {
                let (centre, time) = try self.workingTime(db)
                let request = ActionRequest(
                    line: callback.line, amount: callback.amount, method: Payment.Method.online.rawValue,
                    receiptNumber: callback.receiptNumber, reference: callback.reference)
                let actor = Self.paymentGateway
                let facts = try Self.facts(db, for: ticket, needs: TicketRules.needs(.pay), request: request)
                let change = try TicketRules.decide(.pay, facts, request, TicketContext(actor: actor, now: now, time: time, centre: centre))
                try Self.save(db, change, action: .pay, actor: actor, year: time.clock.local(now).date.year)
            }
            return PaymentLedger(charges: ticket.charges, payments: try Self.payments(db, ticket.code))
        }
    }
}

extension Payment {
    init(row: Row) {
        self.init(
            line: row["line"], kind: Kind(rawValue: row["kind"]) ?? .paid, amount: row["amount"],
            method: (row["method"] as String?).flatMap(Method.init), receiptNumber: row["receipt_number"], reason: row["reason"],
            reference: row["reference"], at: Date(storedSeconds: row["at"]), collectedBy: row["collected_by"])
    }
}
