import Crypto
import Foundation

/// What the QR code of a printed form holds: the dossier code, the form, its document number and
/// the appointment it promises, signed with the centre's Ed25519 key, so that anyone who scans a
/// paper can ask the public lookup whether it is genuine and unchanged (docs/forms.md).
///
/// `SDV1|000.00.31.H29-261130-0001|01|12/TNHS|2026-12-07T16:30|3f2a…|<signature>`: the fields
/// separated by `|` (none of them can hold one), the signature the unpadded base64url of the 64
/// bytes of Ed25519 (RFC 8032) over the UTF-8 of everything before the key id.
public struct FormSeal: Equatable, Sendable {
    public static let version = "SDV1"

    public var code: String
    public var form: FormKind
    /// `12/TNHS`; empty for the control sheet, identified by the dossier code alone.
    public var number: String
    /// The appointment the form promises, local `YYYY-MM-DDTHH:MM`; empty when it promises none.
    public var appointment: String

    public init(code: String, form: FormKind, number: String, appointment: String) {
        self.code = code
        self.form = form
        self.number = number
        self.appointment = appointment
    }

    /// An appointment as a seal holds it: the local minute, `YYYY-MM-DDTHH:MM`.
    public static func minute(_ instant: Date, _ clock: LocalClock) -> String {
        clock.describe(instant).replacingOccurrences(of: " ", with: "T")
    }

    /// The signed text.
    public var message: String { [Self.version, code, form.rawValue, number, appointment].joined(separator: "|") }

    /// The text of the QR code: the message, the key id and the signature.
    public func sealed(with key: Curve25519.Signing.PrivateKey) throws -> String {
        let signature = try key.signature(for: Data(message.utf8))
        return "\(message)|\(Self.keyId(of: key.publicKey))|\(TokenSecret.base64URL(Array(signature)))"
    }

    /// The key id printed in a seal and published with the key: the first 8 bytes of SHA-256 of
    /// the raw public key, in hex.
    public static func keyId(of key: Curve25519.Signing.PublicKey) -> String {
        Array(SHA256.hash(data: key.rawRepresentation).prefix(8)).hexString
    }

    /// A seal read back: what it claims, and the key id and signature that must prove it.
    public struct Reading: Equatable, Sendable {
        public var seal: FormSeal
        public var keyId: String
        public var signature: Data

        /// Whether `key` signed exactly this message.
        public func isSigned(by key: Curve25519.Signing.PublicKey) -> Bool {
            key.isValidSignature(signature, for: Data(seal.message.utf8))
        }
    }

    /// Reads a scanned seal; a text that is not one (wrong version, field count, form, key id or
    /// signature encoding) is a 422 naming `seal`.
    public static func read(_ text: String) throws -> Reading {
        // Split on the scalar: a `|` followed by a combining mark or a modifier is one Character
        // with it, and must still separate fields.
        let fields = text.unicodeScalars.split(separator: "|", omittingEmptySubsequences: false).map {
            String(String.UnicodeScalarView($0))
        }
        func invalid(_ why: String) -> DeskError { .validation([FieldError("seal", why)]) }
        guard fields.count == 7, fields[0] == version else {
            throw invalid("is not a ServiceDesk form seal (\(version)|code|form|number|appointment|key|signature)")
        }
        guard let form = FormKind(rawValue: fields[2]) else { throw invalid("names no form: \(fields[2].prefix(8))") }
        guard !fields[1].isEmpty, fields[1].unicodeScalars.count <= 64 else { throw invalid("has no dossier code") }
        guard fields[5].utf8.count == 16, fields[5].utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw invalid("has no key id (16 hex digits)")
        }
        guard let signature = TokenSecret.bytes(base64URL: fields[6]), signature.count == 64 else {
            throw invalid("has no Ed25519 signature (64 bytes, base64url)")
        }
        return Reading(
            seal: FormSeal(code: fields[1], form: form, number: fields[3], appointment: fields[4]), keyId: fields[5],
            signature: Data(signature))
    }
}
