import Foundation

/// The decisions of a ticket's charges (docs/payments.md): a line paid in parts or at once, or
/// exempted with its grounds; when the ticket waits for a payment and nothing is outstanding any
/// more, the wait ends and the clock resumes (Decree 61/2018 art. 19(4): a payment resumes it).
public enum PaymentRules {
    static func pay(_ change: inout TicketChange, _ facts: TicketFacts, _ request: ActionRequest, _ context: TicketContext) throws {
        // The shape first (422), as openapi.yaml states it; then what the ticket owes (409).
        var validator = Validator()
        validator.check(
            request.amount.map { (1...Charge.maxAmount).contains($0) } ?? false, "amount", "is required: 1 to \(Charge.maxAmount) VND")
        for (field, value, limit) in [("receiptNumber", request.receiptNumber, 100), ("reference", request.reference, 200)] {
            if let value {
                validator.check(
                    Text.clean(value as String?) != nil && value.unicodeScalars.count <= limit, field, "must be 1 to \(limit) characters")
            }
        }
        try validator.finish()
        let account = try line(facts, request)
        let amount = request.amount ?? 0
        guard amount <= account.outstanding else {
            throw DeskError.inconsistent([FieldError("amount", "is more than line \(account.line) still owes (\(account.outstanding) VND)")]
            )
        }
        guard let method = Payment.Method(rawValue: request.method ?? "") else {
            throw DeskError.validation([FieldError("method", "must be cash, transfer, online or postal")])
        }
        let receipt = Text.clean(request.receiptNumber)
        let reference = Text.clean(request.reference)
        if method == .online {
            guard reference != nil else {
                throw DeskError.validation([FieldError("reference", "an online payment carries the gateway's transaction id")])
            }
        } else if receipt == nil {
            throw DeskError.validation([FieldError("receiptNumber", "a payment by \(method.rawValue) gives its receipt (biên lai) number")])
        }
        if let reference, facts.payments.contains(where: { $0.reference == reference }) {
            throw DeskError.conflict("the payment \(reference) is already recorded")
        }
        let payment = Payment(
            line: account.line, kind: .paid, amount: amount, method: method, receiptNumber: receipt, reference: reference, at: context.now,
            collectedBy: context.actor.username)
        change.payments.append(payment)
        change.detail["line"] = String(account.line)
        change.detail["amount"] = String(amount)
        change.detail["method"] = method.rawValue
        change.detail["receiptNumber"] = receipt
        change.detail["reference"] = reference
        try settle(&change, facts, context)
    }

    static func exempt(_ change: inout TicketChange, _ facts: TicketFacts, _ request: ActionRequest, _ context: TicketContext) throws {
        let account = try line(facts, request)
        guard account.outstanding > 0 else { throw DeskError.conflict("line \(account.line) owes nothing") }
        let reason = try TicketRules.required(request.note, "note", "an exemption gives its grounds (the legal text, the citizen's case)")
        change.payments.append(
            Payment(
                line: account.line, kind: .exempt, amount: account.outstanding, reason: reason, at: context.now,
                collectedBy: context.actor.username))
        change.detail["line"] = String(account.line)
        change.detail["amount"] = String(account.outstanding)
        change.detail["reason"] = reason
        try settle(&change, facts, context)
    }

    /// The account of the line the request names.
    static func line(_ facts: TicketFacts, _ request: ActionRequest) throws -> ChargeAccount {
        guard let index = request.line, (0..<Charge.maxLines).contains(index) else {
            throw DeskError.validation([FieldError("line", "is required: the charge line's index, 0 to \(Charge.maxLines - 1)")])
        }
        let ledger = PaymentLedger(charges: facts.ticket.charges, payments: facts.payments)
        guard ledger.lines.indices.contains(index) else {
            throw DeskError.inconsistent([
                FieldError("line", "the ticket has \(ledger.lines.count) charge line(s) (0 to \(max(0, ledger.lines.count - 1)))")
            ])
        }
        return ledger.lines[index]
    }

    /// Nothing changes on the ticket unless it waits for a payment and nothing is owed any more:
    /// then the wait ends as a supplement's would.
    static func settle(_ change: inout TicketChange, _ facts: TicketFacts, _ context: TicketContext) throws {
        let ticket = facts.ticket
        let owed = PaymentLedger(charges: ticket.charges, payments: facts.payments + change.payments).outstanding
        change.detail["outstanding"] = String(owed)
        guard ticket.state == .awaitingCitizen, ticket.awaitingReason == .payment, owed == 0 else {
            change.unchanged = true
            return
        }
        try TicketRules.resume(&change, facts, context)
    }
}
