import Crypto
import Foundation
import GRDB

/// A public key as published at `/.well-known/jwks.json`: a JSON Web Key of an Ed25519 key
/// (RFC 8037: `kty` OKP, `crv` Ed25519, `x` the raw key in base64url), with when the centre made
/// it and, once rotated, when it stopped signing.
public struct PublishedKey: Codable, Equatable, Sendable {
    public var kty = "OKP"
    public var crv = "Ed25519"
    public var alg = "EdDSA"
    public var use = "sig"
    public var kid: String
    public var x: String
    public var created: Date
    public var retired: Date?
}

/// `{"keys": [...]}` (RFC 7517 §5), the signing key first, then the retired ones, newest first.
public struct PublishedKeys: Codable, Equatable, Sendable {
    public var keys: [PublishedKey]
}

/// What the public lookup says about a scanned seal: whether the centre signed it (`genuine`)
/// and whether it still says what the centre holds (`current`), with the dossier's present
/// state and appointment. No personal data (no name, number or address): the holder of a
/// genuine paper learns what the phone-checked status lookup would tell them.
public struct SealVerdict: Codable, Equatable, Sendable {
    public var genuine: Bool
    public var current: Bool
    /// Why it is not genuine or not current, in plain Vietnamese for the citizen who scanned it.
    public var reason: String?
    public var code: String
    public var form: FormKind
    public var title: String
    public var number: String?
    public var appointment: String?
    public var keyId: String
    /// The dossier as it is now, for a genuine seal of a dossier the centre holds.
    public var state: Ticket.State?
    public var portalStatus: Int?
    /// The appointment in force now (a new one after an apology), local `YYYY-MM-DD HH:MM`.
    public var currentAppointment: String?
}

extension AppDatabase {
    /// The key that signs, made (and the making recorded in the audit chain) if there is none.
    static func activeSigningKey(_ db: any SQLSession, creatingAt now: Date) throws -> Curve25519.Signing.PrivateKey {
        if let data = try Data.fetchOne(db, sql: "SELECT private_key FROM signing_key WHERE retired_at IS NULL") {
            return try Curve25519.Signing.PrivateKey(rawRepresentation: data)
        }
        let key = Curve25519.Signing.PrivateKey()
        let id = FormSeal.keyId(of: key.publicKey)
        try db.execute(
            sql: "INSERT INTO signing_key (id, public_key, private_key, created_at) VALUES (?, ?, ?, ?)",
            arguments: [id, key.publicKey.rawRepresentation, key.rawRepresentation, now.storedSeconds])
        try EventLog.append(
            db, at: now, actor: "system", action: "centre.key-create", entity: "centre", entityId: "signing-key", detail: ["kid": id])
        return key
    }

    /// The signing key's raw bytes, read; made first when a database has none yet (one opened
    /// without `bootstrap`, as the tests do). Bytes, not the key: the key is not `Sendable`.
    func signingKey() async throws -> Data {
        let stored = try await read { db in
            try Data.fetchOne(db, sql: "SELECT private_key FROM signing_key WHERE retired_at IS NULL")
        }
        if let stored { return stored }
        let now = clock()
        return try await write { db in try Self.activeSigningKey(db, creatingAt: now).rawRepresentation }
    }

    /// Retires the signing key — its private half erased, its public half still published so
    /// that the papers it signed still verify — and makes a new one. Recorded in the audit chain.
    public func rotateSigningKey(actor: String) async throws -> PublishedKeys {
        let now = clock()
        try await write { db in
            let old = try String.fetchOne(db, sql: "SELECT id FROM signing_key WHERE retired_at IS NULL")
            try db.execute(
                sql: "UPDATE signing_key SET retired_at = ?, private_key = NULL WHERE retired_at IS NULL", arguments: [now.storedSeconds])
            let key = try Self.activeSigningKey(db, creatingAt: now)
            try EventLog.append(
                db, at: now, actor: actor, action: "centre.key-rotate", entity: "centre", entityId: "signing-key",
                detail: ["retired": old ?? "", "kid": FormSeal.keyId(of: key.publicKey)])
        }
        // The retired private half waits in the WAL until a checkpoint: fold it in and empty it.
        try await emptyWAL()
        return try await publishedKeys()
    }

    public func publishedKeys() async throws -> PublishedKeys {
        try await read { db in
            PublishedKeys(keys: try Self.publishedKeys(db))
        }
    }

    static func publishedKeys(_ db: any SQLSession) throws -> [PublishedKey] {
        try Row.fetchAll(
            db, sql: "SELECT id, public_key, created_at, retired_at FROM signing_key ORDER BY retired_at IS NOT NULL, created_at DESC, id"
        ).map { row in
            PublishedKey(
                kid: row["id"], x: TokenSecret.base64URL(Array(row["public_key"] as Data)), created: Date(storedSeconds: row["created_at"]),
                retired: (row["retired_at"] as Int64?).map(Date.init(storedSeconds:)))
        }
    }

    /// Checks a scanned seal: signed by one of the centre's keys, and still what the centre
    /// holds — the form's latest number for that dossier and the appointment it would print now,
    /// which is also the appointment in force. A text that is not a seal is a 422.
    public func verifySeal(_ text: String) async throws -> SealVerdict {
        let reading = try FormSeal.read(text)
        let seal = reading.seal
        return try await read { db in
            var verdict = SealVerdict(
                genuine: false, current: false, code: seal.code, form: seal.form, title: seal.form.title,
                number: seal.number.isEmpty ? nil : seal.number, appointment: seal.appointment.isEmpty ? nil : seal.appointment,
                keyId: reading.keyId)
            guard
                let keyRow = try Row.fetchOne(
                    db, sql: "SELECT public_key, retired_at FROM signing_key WHERE id = ?", arguments: [reading.keyId]),
                let key = try? Curve25519.Signing.PublicKey(rawRepresentation: keyRow["public_key"] as Data)
            else {
                verdict.reason = "Không phải khóa của trung tâm: mã QR này không do trung tâm cấp."
                return verdict
            }
            guard reading.isSigned(by: key) else {
                verdict.reason = "Chữ ký không khớp: nội dung trên mã QR đã bị sửa đổi hoặc giả mạo."
                return verdict
            }
            let row = try db.fetchRow(sql: "SELECT * FROM ticket WHERE code = ?", arguments: [seal.code])
            // A retired key vouches only for papers issued before it was retired: a key that leaked
            // (the reason to rotate) cannot seal anything new.
            if let retired = keyRow["retired_at"] as Int64? {
                let issued = try Self.issuedAt(db, seal, ticket: row.map(Ticket.init(row:)))
                guard let issued, issued <= retired else {
                    verdict.reason = "Khóa ký mã này đã ngừng sử dụng trước khi phiếu được cấp: phiếu không hợp lệ."
                    return verdict
                }
            }
            verdict.genuine = true
            guard let row else {
                verdict.reason = "Trung tâm không còn lưu hồ sơ này."
                return verdict
            }
            let ticket = Ticket(row: row)
            let (_, time) = try self.workingTime(db)
            let printed = try Self.seal(db, seal.form, of: ticket, clock: time.clock)
            verdict.state = ticket.state
            verdict.portalStatus = ticket.portalStatus
            let appointment = ticket.revisedDueAt ?? ticket.dueAt
            verdict.currentAppointment = appointment.map(time.clock.describe)
            let inForce = appointment.map { FormSeal.minute($0, time.clock) } ?? ""
            if printed.number != seal.number {
                verdict.reason = "Phiếu này đã được thay bằng phiếu số \(printed.number.isEmpty ? "khác" : printed.number)."
            } else if printed.appointment != seal.appointment || (!seal.appointment.isEmpty && seal.appointment != inForce) {
                verdict.reason = "Lịch hẹn đã thay đổi: hẹn trả kết quả hiện nay là \(verdict.currentAppointment ?? "chưa xác định")."
            } else {
                verdict.current = true
            }
            return verdict
        }
    }

    /// When the paper a seal describes was issued (stored seconds): its number's event, or for the
    /// control sheet the dossier's reception; nil when the centre holds no such paper.
    static func issuedAt(_ db: any SQLSession, _ seal: FormSeal, ticket: Ticket?) throws -> Int64? {
        guard let ticket else { return nil }
        guard seal.form.symbol != nil else { return ticket.receivedAt.storedSeconds }
        guard let number = seal.number.split(separator: "/").first.flatMap({ Int($0) }) else { return nil }
        return try Int64.fetchOne(
            db, sql: "SELECT min(issued_at) FROM document_number WHERE ticket = ? AND kind = ? AND number = ?",
            arguments: [ticket.code, seal.form.rawValue, number])
    }

    /// What the seal of a ticket's form says now: its latest number and the appointment it prints
    /// (01: the appointment given at reception, 04: the new one, 06: the one in force).
    static func seal(_ db: any SQLSession, _ form: FormKind, of ticket: Ticket, clock: LocalClock) throws -> FormSeal {
        let number = try db.fetchRow(
            sql: "SELECT year, number, event_id FROM document_number WHERE ticket = ? AND kind = ? ORDER BY event_id DESC LIMIT 1",
            arguments: [ticket.code, form.rawValue]
        ).map { DocumentNumber(form: form, year: $0["year"], number: $0["number"], eventId: $0["event_id"]).printed }
        let appointment: Date? =
            switch form {
            case .receipt: ticket.dueAt
            case .apology: ticket.revisedDueAt
            case .controlSheet: ticket.revisedDueAt ?? ticket.dueAt
            case .supplementRequest, .refusal, .stopNotice: nil
            }
        return FormSeal(
            code: ticket.code, form: form, number: number ?? "", appointment: appointment.map { FormSeal.minute($0, clock) } ?? "")
    }
}
