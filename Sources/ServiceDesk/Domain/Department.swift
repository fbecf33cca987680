/// A unit that handles tickets (SPEC §1).
public struct Department: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, CaseIterable, Sendable {
        /// A unit of the centre itself.
        case `internal`
        /// A competent agency outside the centre that receives transferred dossiers
        /// (a provincial department, a ward People's Committee).
        case authority
    }

    /// Slug, e.g. `tnmt`; used in URLs.
    public var code: String
    public var name: String
    public var kind: Kind
    /// The department may issue the result of a procedure that needs a decision (delegated
    /// or authorised); see `ModeRules`.
    public var decides: Bool
    public var active: Bool
    /// How to reach the body (a person, a phone, an e-mail): an outside agency's contact, for
    /// the officer who forwards feedback to it and chases it.
    public var contact: String?

    public init(code: String, name: String, kind: Kind, decides: Bool = false, active: Bool = true, contact: String? = nil) {
        self.contact = contact
        self.code = code
        self.name = name
        self.kind = kind
        self.decides = decides
        self.active = active
    }

    static func isValidCode(_ code: String) -> Bool {
        code.count <= 40 && Text.matches(code, "^[a-z0-9]+(-[a-z0-9]+)*$")
    }
}

/// `POST /api/v1/departments`.
public struct DepartmentDraft: Codable, Sendable {
    public var code: String?
    public var name: String?
    public var kind: String?
    public var decides: Bool?
    public var active: Bool?
    public var contact: String?

    public init(code: String, name: String, kind: String, decides: Bool? = nil, active: Bool? = nil, contact: String? = nil) {
        self.contact = contact
        self.code = code
        self.name = name
        self.kind = kind
        self.decides = decides
        self.active = active
    }

    func validated() throws(DeskError) -> Department {
        var validator = Validator()
        let code = Text.clean(code ?? "")
        validator.check(
            Department.isValidCode(code), "code",
            "must be a slug of lower-case letters, digits and dashes (e.g. tu-phap), at most 40 characters")
        let name = Text.requiredName(name, field: "name", into: &validator)
        let kind = Department.Kind(rawValue: kind ?? "")
        validator.check(kind != nil, "kind", "must be internal or authority")
        let contact = Text.clean(contact)
        validator.check((contact?.unicodeScalars.count ?? 0) <= 500, "contact", "must be at most 500 characters")
        try validator.finish()
        return Department(code: code, name: name, kind: kind!, decides: decides ?? false, active: active ?? true, contact: contact)
    }
}

/// `PATCH /api/v1/departments/{code}`.
public struct DepartmentPatch: Codable, Sendable {
    public var name: String?
    public var kind: String?
    public var decides: Bool?
    public var active: Bool?
    /// The contact; an empty text removes it.
    public var contact: String?

    public init(name: String? = nil, kind: String? = nil, decides: Bool? = nil, active: Bool? = nil, contact: String? = nil) {
        self.contact = contact
        self.name = name
        self.kind = kind
        self.decides = decides
        self.active = active
    }

    func applied(to department: Department) throws(DeskError) -> Department {
        var validator = Validator()
        var result = department
        if let name { result.name = Text.requiredName(name, field: "name", into: &validator) }
        if let kind {
            if let value = Department.Kind(rawValue: kind) {
                result.kind = value
            } else {
                validator.add("kind", "must be internal or authority")
            }
        }
        if let decides { result.decides = decides }
        if let active { result.active = active }
        if let contact {
            validator.check(contact.unicodeScalars.count <= 500, "contact", "must be at most 500 characters")
            result.contact = Text.clean(contact)
        }
        try validator.finish()
        return result
    }
}
