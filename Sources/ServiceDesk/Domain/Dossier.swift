import Crypto
import Foundation

/// One entry of a procedure's list of dossier components (*thành phần hồ sơ*), kept in the
/// catalogue: what a complete dossier holds, and how many originals and copies of it.
public struct DossierComponent: Codable, Equatable, Sendable {
    /// The component's code in the national procedure database (e.g. `TP1`).
    public var code: String
    public var name: String
    /// Whether a complete dossier must hold it (some are needed only in some cases).
    public var required: Bool
    public var originals: Int
    public var copies: Int

    public init(code: String, name: String, required: Bool = true, originals: Int = 0, copies: Int = 1) {
        self.code = code
        self.name = name
        self.required = required
        self.originals = originals
        self.copies = copies
    }

    enum CodingKeys: String, CodingKey { case code, name, required, originals, copies }

    /// `required`, `originals` and `copies` may be left out: required, no original, one copy.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decode(String.self, forKey: .code)
        name = try container.decode(String.self, forKey: .name)
        required = try container.decodeIfPresent(Bool.self, forKey: .required) ?? true
        originals = try container.decodeIfPresent(Int.self, forKey: .originals) ?? 0
        copies = try container.decodeIfPresent(Int.self, forKey: .copies) ?? 1
    }

    /// At most this many components in one service's list.
    public static let maxCount = 100

    /// Codes and names with their spaces trimmed.
    static func cleaned(_ components: [DossierComponent]) -> [DossierComponent] {
        components.map {
            var component = $0
            component.code = Text.clean(component.code)
            component.name = Text.clean(component.name)
            return component
        }
    }

    static func validate(_ components: [DossierComponent], into validator: inout Validator) {
        validator.check(components.count <= maxCount, "components", "at most \(maxCount) components")
        var seen = Set<String>()
        for (index, component) in components.enumerated() {
            validator.check(
                Service.isValidCode(component.code), "components[\(index)].code",
                "must be letters, digits, dots, dashes or underscores (e.g. TP1), at most 40 characters")
            validator.check(seen.insert(component.code).inserted, "components[\(index)].code", "appears twice")
            validator.check(
                !component.name.isEmpty && component.name.unicodeScalars.count <= 500, "components[\(index)].name",
                "is required, at most 500 characters")
            validator.check((0...100).contains(component.originals), "components[\(index)].originals", "must be 0 to 100")
            validator.check((0...1000).contains(component.copies), "components[\(index)].copies", "must be 0 to 1000")
        }
    }
}

/// Whether a procedure is offered online (*dịch vụ công trực tuyến*): partly (the dossier is
/// filed online, the result or a payment at the counter) or fully (*toàn trình*).
public enum OnlineLevel: String, Codable, CaseIterable, Sendable {
    case partial, full

    /// A level sent as text: nil with the error against `online` when it is not one.
    static func validated(_ text: String?, into validator: inout Validator) -> OnlineLevel? {
        guard let text else { return nil }
        let level = OnlineLevel(rawValue: text)
        validator.check(level != nil, "online", "must be partial or full (leave it out: counter only)")
        return level
    }
}

/// Why a document need not be copied into electronic form at reception (Circular 03/2025
/// art. 5(2)).
public enum DigitisationExemption: String, Codable, CaseIterable, Sendable {
    /// The dossier was submitted online: it is electronic already.
    case online
    /// The document is only shown, not handed in.
    case shown
    /// A verification result from another agency.
    case verification
    /// A classified document.
    case classified
}

/// A file kept with a dossier — a document's scan or the electronic result — as the API shows
/// it; the bytes are read at their own address.
public struct StoredFile: Codable, Equatable, Sendable {
    public var id: Int64
    public var contentType: String
    public var size: Int
    /// Hex SHA-256 of the bytes: what the audit event records.
    public var sha256: String
    public var uploadedAt: Date
    public var uploadedBy: String
    /// Set once a privacy purge has emptied it.
    public var erasedAt: Date?
}

/// The bytes of an upload, checked: a PDF or an image by its own signature (what the client
/// declares must agree), not empty, at most `maxBytes`.
public struct DossierUpload: Sendable {
    /// 10 MiB: a scanned dossier component at 300 dpi is well under it.
    public static let maxBytes = 10 * 1024 * 1024
    public static let contentTypes = ["application/pdf", "image/jpeg", "image/png", "image/tiff"]

    public var contentType: String
    public var bytes: Data
    public var sha256: String

    /// `declared` is the request's `Content-Type`; `application/octet-stream` or none lets the
    /// bytes decide.
    public static func make(bytes: Data, declared: String?, maxBytes: Int = maxBytes) throws(DeskError) -> DossierUpload {
        guard !bytes.isEmpty else { throw DeskError.validation([FieldError("file", "the file is empty")]) }
        guard bytes.count <= maxBytes else {
            throw DeskError.tooLarge("the file is \(bytes.count) bytes; at most \(maxBytes) are kept")
        }
        guard let type = contentType(of: bytes) else {
            throw DeskError.unsupportedMedia("the file is not a PDF, JPEG, PNG or TIFF (by its bytes)")
        }
        let claimed = declared.map { $0.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased() }
        if let claimed, !claimed.isEmpty, claimed != "application/octet-stream", claimed != type {
            throw DeskError.unsupportedMedia("the file was sent as \(claimed) but its bytes are \(type)")
        }
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        return DossierUpload(contentType: type, bytes: bytes, sha256: digest)
    }

    /// The type by the file's signature, or nil.
    static func contentType(of bytes: Data) -> String? {
        let head = [UInt8](bytes.prefix(8))
        func starts(_ signature: [UInt8]) -> Bool { head.count >= signature.count && Array(head[0..<signature.count]) == signature }
        if starts(Array("%PDF-".utf8)) { return "application/pdf" }
        if starts([0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return "image/tiff" }
        return nil
    }
}

/// What the digitisation figures count of a dossier's documents (Decree 118/2025 art.
/// 17(1)(c)); kept on the ticket by every write that changes its documents.
public struct DigitisationCounts: Equatable, Sendable {
    /// Documents not exempt from digitisation.
    public var toDigitise: Int
    /// Of those, digitised: a stored scan, marked digitised, or a reused digitised copy.
    public var digitised: Int
    /// Documents taken from a digitised copy in the citizen's data store.
    public var reused: Int

    public init(_ documents: [Document]) {
        let due = documents.filter { $0.exemption == nil }
        toDigitise = due.count
        digitised = due.filter(\.isDigitised).count
        reused = documents.filter { $0.reuse != nil }.count
    }
}

/// `GET /api/v1/tickets/{code}/documents`: the dossier's documents, what the catalogue still
/// requires, the digitisation counts and the electronic result.
public struct DossierDocuments: Codable, Equatable, Sendable {
    public var code: String
    public var documents: [Document]
    /// The codes of the service's required components no document carries.
    public var missing: [String]
    public var toDigitise: Int
    public var digitised: Int
    public var reused: Int
    /// The electronic result, once uploaded; nil: none (a paper result, or none yet).
    public var result: ElectronicResult?
}

/// The electronic result of a dossier (Decree 45/2020/NĐ-CP art. 14): the signed file and the
/// reference of its digital signature.
public struct ElectronicResult: Codable, Equatable, Sendable {
    public var file: StoredFile
    public var signature: String
}

extension Document {
    /// At most this many documents in one dossier.
    public static let maxCount = 200

    /// Checks a document as a client sent it (at intake or added later) and fills in the name
    /// of its catalogue component; `field` prefixes the errors (`documents[2]`).
    static func validated(_ draft: Document, field: String, into validator: inout Validator) -> Document {
        var document = draft
        document.name = Text.clean(draft.name)
        document.component = Text.clean(draft.component)
        document.reuse = Text.clean(draft.reuse)
        document.file = nil
        validator.check(
            !document.name.isEmpty || document.component != nil, "\(field).name", "is required (or the component's code)")
        validator.check(draft.name.unicodeScalars.count <= 500, "\(field).name", "must be at most 500 characters")
        validator.check((0...1000).contains(document.copies), "\(field).copies", "must be 0 to 1000")
        validator.check((0...100).contains(document.originals), "\(field).originals", "must be 0 to 100")
        validator.check(document.copies + document.originals >= 1, "\(field)", "needs at least one original or copy")
        if let component = document.component {
            validator.check(Service.isValidCode(component), "\(field).component", "must be a component code, e.g. TP1")
        }
        if let pages = document.pages { validator.check((1...100_000).contains(pages), "\(field).pages", "must be 1 to 100000") }
        if let reuse = draft.reuse {
            validator.check(reuse.unicodeScalars.count <= 500, "\(field).reuse", "must be at most 500 characters")
        }
        return document
    }

    /// Holds a dossier's documents to its service's list: a component code the list lacks is
    /// inconsistent (409) — the catalogue may gain it; a document named only by its component
    /// takes the component's name.
    static func matched(_ documents: [Document], to service: Service, field: String) throws(DeskError) -> [Document] {
        var errors: [FieldError] = []
        let matched = documents.enumerated().map { index, document in
            var document = document
            guard let code = document.component else { return document }
            guard let component = service.components.first(where: { $0.code == code }) else {
                errors.append(
                    FieldError(
                        "\(field)[\(index)].component",
                        service.components.isEmpty
                            ? "service \(service.code) lists no components"
                            : "is not a component of service \(service.code): \(service.components.map(\.code).joined(separator: ", "))"))
                return document
            }
            if document.name.isEmpty { document.name = component.name }
            return document
        }
        if !errors.isEmpty { throw DeskError.inconsistent(errors) }
        return matched
    }

    /// The codes of the required components of `service` no document carries.
    static func missing(_ documents: [Document], of service: Service) -> [String] {
        let present = Set(documents.compactMap(\.component))
        return service.components.filter { $0.required && !present.contains($0.code) }.map(\.code)
    }
}
