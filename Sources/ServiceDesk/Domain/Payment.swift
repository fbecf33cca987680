import Foundation

/// A payment of one charge line of a ticket, or its exemption (Decree 118/2025/NĐ-CP art. 24;
/// Decree 61/2018/NĐ-CP art. 22; Law on Fees and Charges 2015): fees are paid in cash, by transfer
/// to the agency, through the postal operator, or online through the system's payment function,
/// and the receipt (*biên lai*) goes with the dossier.
public struct Payment: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, CaseIterable, Sendable {
        case paid, exempt
    }

    public enum Method: String, Codable, CaseIterable, Sendable {
        case cash, transfer, online, postal
    }

    /// The index of the charge line in the ticket's `charges`.
    public var line: Int
    public var kind: Kind
    /// VND collected; for an exemption, what it waived.
    public var amount: Int
    public var method: Method?
    /// The receipt (*biên lai*) number.
    public var receiptNumber: String?
    /// The grounds of an exemption.
    public var reason: String?
    /// The payment gateway's transaction id (online).
    public var reference: String?
    public var at: Date
    public var collectedBy: String

    public init(
        line: Int, kind: Kind, amount: Int, method: Method? = nil, receiptNumber: String? = nil, reason: String? = nil,
        reference: String? = nil, at: Date, collectedBy: String
    ) {
        self.line = line
        self.kind = kind
        self.amount = amount
        self.method = method
        self.receiptNumber = receiptNumber
        self.reason = reason
        self.reference = reference
        self.at = at
        self.collectedBy = collectedBy
    }
}

/// One charge line's account: billed, paid, exempted, outstanding.
public struct ChargeAccount: Codable, Equatable, Sendable {
    public var line: Int
    public var charge: Charge
    public var paid: Int
    public var exempted: Int
    public var outstanding: Int
}

/// A ticket's charges and what became of them (`GET /api/v1/tickets/{code}/payments`).
public struct PaymentLedger: Codable, Equatable, Sendable {
    public var lines: [ChargeAccount]
    public var payments: [Payment]
    public var billed: Int
    public var paid: Int
    public var exempted: Int
    public var outstanding: Int

    public init(charges: [Charge], payments: [Payment]) {
        lines = charges.enumerated().map { index, charge in
            let mine = payments.filter { $0.line == index }
            let paid = mine.filter { $0.kind == .paid }.reduce(0) { $0 + $1.amount }
            let exempted = mine.filter { $0.kind == .exempt }.reduce(0) { $0 + $1.amount }
            return ChargeAccount(line: index, charge: charge, paid: paid, exempted: exempted, outstanding: charge.amount - paid - exempted)
        }
        self.payments = payments
        billed = lines.reduce(0) { $0 + $1.charge.amount }
        paid = lines.reduce(0) { $0 + $1.paid }
        exempted = lines.reduce(0) { $0 + $1.exempted }
        outstanding = lines.reduce(0) { $0 + $1.outstanding }
    }
}

/// The body a payment gateway posts to `POST /api/v1/payments/callback`, signed like the
/// outbox's webhooks (`WebhookSignature`) with the centre's payment secret.
public struct PaymentCallback: Codable, Sendable {
    public var ticket: String
    public var line: Int
    public var amount: Int
    public var reference: String
    public var receiptNumber: String?

    public init(ticket: String, line: Int, amount: Int, reference: String, receiptNumber: String? = nil) {
        self.ticket = ticket
        self.line = line
        self.amount = amount
        self.reference = reference
        self.receiptNumber = receiptNumber
    }
}

extension PaymentCallback {
    /// How old a callback's signature may be, in seconds (replays of an old callback are refused).
    public static let tolerance: Int64 = 300

    /// Whether `header` (`t=…,v1=…`, `WebhookSignature`) signs `body` with the centre's payment
    /// secret, made within `tolerance` seconds of `now`.
    public static func verify(header: String, secret: String, body: Data, now: Date) -> Bool {
        guard WebhookSignature.verify(header: header, secret: secret, body: body) else { return false }
        let stamp = header.split(separator: ",").lazy.compactMap { part -> Int64? in
            let pair = part.split(separator: "=", maxSplits: 1)
            return pair.count == 2 && pair[0] == "t" ? Int64(pair[1]) : nil
        }.first
        guard let stamp else { return false }
        return abs(Int64(now.timeIntervalSince1970.rounded(.down)) - stamp) <= tolerance
    }
}
