import Crypto
import Foundation

/// Bearer tokens: 32 random bytes, shown once; only their SHA-256 is stored (SPEC §4).
public enum TokenSecret {
    /// Tokens start with `sd_` so they are recognisable in a config file or a leak scanner.
    public static let prefix = "sd_"

    /// A new random token (from the system's cryptographic generator).
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return prefix + base64URL(bytes)
    }

    /// A short random public identifier, used to list and revoke a token without showing it.
    public static func newIdentifier() -> String {
        var generator = SystemRandomNumberGenerator()
        return "tok_" + (0..<6).map { _ in UInt8.random(in: .min ... .max, using: &generator) }.hexString
    }

    /// `bytes` random bytes in lower-case hex (a salt).
    static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) }.hexString
    }

    /// A random, unguessable public name (16 bytes, URL-safe), e.g. of an uploaded photo.
    public static func randomName() -> String {
        var generator = SystemRandomNumberGenerator()
        return base64URL((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// The hex SHA-256 under which a token is stored and looked up.
    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).hexString
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The bytes of unpadded base64url (RFC 4648 §5); nil for anything else.
    static func bytes(base64URL text: String) -> [UInt8]? {
        guard text.utf8.allSatisfy({ $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "=") }) else {
            return nil
        }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.utf8.count % 4) % 4)
        // Canonical only: the unused low bits of the last character must be zero, so that no two
        // texts decode to the same bytes (a seal changed by one character never verifies).
        guard let bytes = Data(base64Encoded: standard).map(Array.init), base64URL(bytes) == text else { return nil }
        return bytes
    }
}

extension Sequence<UInt8> {
    /// Lower-case hex, without `String(format:)` (it showed in the intake profile).
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// Where a token works. An Open311 `api_key` travels in URLs and forms (logs, proxies,
/// browser histories), so it is a key of its own that opens nothing under `/api/v1`.
public enum TokenScope: String, Codable, CaseIterable, Sendable {
    /// `Authorization: Bearer` under `/api/v1` (the role's routes).
    case api
    /// Only as `api_key` under `/open311/v2`, for an integration member.
    case open311
}

/// A token as listed: never the secret itself.
public struct TokenInfo: Codable, Equatable, Sendable {
    public var id: String
    public var username: String
    public var label: String
    public var scope: TokenScope
    public var createdAt: Date
    public var revokedAt: Date?

    public init(id: String, username: String, label: String, scope: TokenScope = .api, createdAt: Date, revokedAt: Date? = nil) {
        self.id = id
        self.username = username
        self.label = label
        self.scope = scope
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// The answer to creating a token: the only time the secret is shown.
public struct IssuedToken: Codable, Equatable, Sendable {
    public var token: String
    public var info: TokenInfo

    public init(token: String, info: TokenInfo) {
        self.token = token
        self.info = info
    }
}
