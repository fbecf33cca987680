import Foundation

/// One of the centre's message gateways: the HTTP endpoint that sends SMS, e-mail or Zalo
/// messages for it. The gateway is the centre's (its SMS brand name, its mail server, its Zalo
/// official account); deskd posts it each message as a signed webhook.
public struct Gateway: Codable, Equatable, Sendable {
    public var name: String
    public var channel: NoticeChannel
    public var url: String
    public var active: Bool
    public var createdAt: Date
    public var updatedAt: Date
}

/// A gateway with its signing secret: the answer that creates it or rotates its secret, shown
/// once (the secret is stored, as it must sign every message, but never shown again).
public struct GatewaySecret: Codable, Equatable, Sendable {
    public var gateway: Gateway
    /// Present when made (creation, rotation) — the only time it is shown.
    public var secret: String?
}

/// `POST /api/v1/outbox/gateways`.
public struct GatewayDraft: Codable, Sendable {
    public var name: String?
    public var channel: String?
    public var url: String?
    /// The HMAC secret the gateway verifies with; absent: deskd makes one.
    public var secret: String?

    public init(name: String? = nil, channel: String? = nil, url: String? = nil, secret: String? = nil) {
        self.name = name
        self.channel = channel
        self.url = url
        self.secret = secret
    }

    func validated() throws(DeskError) -> (name: String, channel: NoticeChannel, url: String, secret: String) {
        var validator = Validator()
        let name = name ?? ""
        validator.check(Staff.isValidUsername(name), "name", "must be 2–40 lower-case letters, digits, dots, dashes or underscores")
        let channel = NoticeChannel(rawValue: channel ?? "")
        validator.check(channel != nil, "channel", "must be one of \(NoticeChannel.allCases.map(\.rawValue).joined(separator: ", "))")
        let url = GatewayDraft.check(url: url, into: &validator)
        let secret = GatewayDraft.check(secret: secret, into: &validator)
        try validator.finish()
        return (name, channel!, url, secret)
    }

    /// A webhook's signing secret as given (16 to 200 safe characters), or one made here.
    static func check(secret: String?, into validator: inout Validator) -> String {
        guard let secret else { return TokenSecret.generate() }
        validator.check(
            Text.matches(secret, "^[A-Za-z0-9._~+/=-]{16,200}$"), "secret", "must be 16 to 200 letters, digits or . _ ~ + / = -")
        return secret
    }

    /// An absolute http or https URL: a host, a port, a plain path; at most 2,000 characters.
    static func check(url text: String?, into validator: inout Validator) -> String {
        let text = text ?? ""
        validator.check(
            text.unicodeScalars.count <= 2000 && Text.matches(text, "^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$"),
            "url", "must be an absolute http:// or https:// URL: host, optional port and path (no query)")
        return text
    }
}

/// `PATCH /api/v1/outbox/gateways/{name}`: a new URL, deactivation (its messages wait), or a
/// new secret.
public struct GatewayPatch: Codable, Sendable {
    public var url: String?
    public var active: Bool?
    public var rotateSecret: Bool?

    public init(url: String? = nil, active: Bool? = nil, rotateSecret: Bool? = nil) {
        self.url = url
        self.active = active
        self.rotateSecret = rotateSecret
    }
}

/// A message in the outbox, as an admin sees it (`GET /api/v1/outbox`).
public struct OutboxMessage: Codable, Equatable, Sendable {
    public enum State: String, Codable, CaseIterable, Sendable {
        case pending, delivered, dead
    }

    /// The delivery order (per ticket and gateway) and the receiver's `sequence`.
    public var id: Int64
    /// The idempotency id: the same on every attempt and replay.
    public var messageId: String
    public var gateway: String
    public var channel: NoticeChannel
    public var ticket: String?
    public var kind: NoticeKind
    public var recipient: String
    public var subject: String?
    public var text: String
    public var state: State
    public var attempts: Int
    public var nextAttemptAt: Date?
    public var lastError: String?
    public var createdAt: Date
    public var deliveredAt: Date?

    /// The webhook's JSON body: the same bytes on every attempt.
    public var webhookBody: Data {
        struct Body: Encodable {
            var id: String
            var sequence: Int64
            var kind: NoticeKind
            var channel: NoticeChannel
            var to: String
            var ticket: String?
            var subject: String?
            var text: String
            var createdAt: Date
        }
        let body = Body(
            id: messageId, sequence: id, kind: kind, channel: channel, to: recipient, ticket: ticket, subject: subject, text: text,
            createdAt: createdAt)
        return (try? APIJSON.encoder.encode(body)) ?? Data()
    }
}
