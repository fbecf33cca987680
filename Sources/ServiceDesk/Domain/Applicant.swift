/// The citizen or organisation behind a ticket (SPEC §1). Personal data lives in its own
/// table; tickets and events refer to it by number only, so it can be pseudonymised later.
public struct Applicant: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, CaseIterable, Sendable {
        case person, organisation
    }

    public var kind: Kind
    public var name: String
    /// The 12-digit personal identification number (persons).
    public var idNumber: String?
    /// The enterprise or tax code, 10 digits or 10 + `-` + 3 for a branch (organisations).
    public var taxCode: String?
    /// Stored in international form: `+84912345678`.
    public var phone: String?
    public var email: String?
    public var address: String?
    /// Someone filing on the applicant's behalf.
    public var representative: Representative?

    public init(
        kind: Kind = .person, name: String, idNumber: String? = nil, taxCode: String? = nil, phone: String? = nil,
        email: String? = nil, address: String? = nil, representative: Representative? = nil
    ) {
        self.kind = kind
        self.name = name
        self.idNumber = idNumber
        self.taxCode = taxCode
        self.phone = phone
        self.email = email
        self.address = address
        self.representative = representative
    }
}

/// A person filing for the applicant (an authorised representative).
public struct Representative: Codable, Equatable, Sendable {
    public var name: String
    public var idNumber: String?
    public var phone: String?
    /// The authorisation document (e.g. "Giấy ủy quyền số 12/2026").
    public var authorisation: String?

    public init(name: String, idNumber: String? = nil, phone: String? = nil, authorisation: String? = nil) {
        self.name = name
        self.idNumber = idNumber
        self.phone = phone
        self.authorisation = authorisation
    }
}

/// Checks of the identifiers a counter officer types (DOMAIN §6).
public enum Identifiers {
    /// Province codes of birth registration in the 12-digit number (Circular 07/2016/TT-BCA,
    /// the 63 pre-2025 provinces; numbers are permanent, so the 2025 mergers change nothing).
    static let provinceCodes: Set<String> = [
        "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020", "022", "024", "025",
        "026", "027", "030", "031", "033", "034", "035", "036", "037", "038", "040", "042", "044", "045", "046", "048",
        "049", "051", "052", "054", "056", "058", "060", "062", "064", "066", "067", "068", "070", "072", "074", "075",
        "077", "079", "080", "082", "083", "084", "086", "087", "089", "091", "092", "093", "094", "095", "096",
    ]

    /// Why a personal identification number is invalid, or nil. Structure `PPP G YY NNNNNN`:
    /// province of birth registration, century and gender, year of birth, six random digits; no
    /// checksum exists. The decoded birth year may not lie after `currentYear`.
    public static func problem(idNumber: String, currentYear: Int) -> String? {
        guard idNumber.count == 12, idNumber.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return "must be the 12-digit personal identification number"
        }
        let digits = Array(idNumber)
        let province = String(digits[0..<3])
        guard provinceCodes.contains(province) else {
            return "starts with \(province), which is not a province code of birth registration"
        }
        let century = Int(String(digits[3]))!
        let year = 1900 + 100 * (century / 2) + Int(String(digits[4...5]))!
        guard year <= currentYear else {
            return "encodes the birth year \(year), which is in the future"
        }
        return nil
    }

    /// Why an enterprise or tax code is invalid, or nil.
    public static func problem(taxCode: String) -> String? {
        Text.matches(taxCode, "^[0-9]{10}(-[0-9]{3})?$") ? nil : "must be 10 digits, or 10 digits, a dash and a 3-digit branch number"
    }

    /// Vietnamese mobile prefixes in use (DOMAIN §6.2, iTel 087 included).
    static let mobilePrefix = "(3[2-9]|5[25689]|7[06-9]|8[1-9]|9[0-46-9])"

    /// The phone number in international form, or why it is invalid. Vietnamese numbers are
    /// checked strictly: `0` and 9 digits, or `+84` and 9 digits, with a mobile prefix in use;
    /// other countries' numbers are accepted in `+` form with 8–15 digits. Spaces, dots and
    /// dashes are ignored.
    public static func normalise(phone: String) -> Result<String, PhoneProblem> {
        let compact = phone.filter { !" .-()".contains($0) }
        if Text.matches(compact, "^0[0-9]{9}$") {
            let national = String(compact.dropFirst())
            return Text.matches(national, "^\(mobilePrefix)") ? .success("+84" + national) : .failure(.unknownPrefix)
        }
        if compact.hasPrefix("+84") {
            let national = String(compact.dropFirst(3))
            guard Text.matches(national, "^[0-9]{9}$") else { return .failure(.vietnameseLength) }
            return Text.matches(national, "^\(mobilePrefix)") ? .success(compact) : .failure(.unknownPrefix)
        }
        if Text.matches(compact, "^\\+[1-9][0-9]{7,14}$") { return .success(compact) }
        return .failure(compact.hasPrefix("0") ? .vietnameseLength : .malformed)
    }

    public enum PhoneProblem: Error, Equatable, Sendable, CustomStringConvertible {
        case vietnameseLength, unknownPrefix, malformed

        public var description: String {
            switch self {
            case .vietnameseLength: "a Vietnamese number has 10 digits starting with 0 (or +84 and 9 digits)"
            case .unknownPrefix: "is not a Vietnamese mobile number in use (prefixes 03x, 05x, 07x, 08x, 09x)"
            case .malformed: "must be a Vietnamese number (0xxxxxxxxx) or an international number in + form (8–15 digits)"
            }
        }
    }

    static func isEmail(_ text: String) -> Bool {
        text.count <= 254 && Text.matches(text, "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$")
    }
}

/// The applicant part of an intake request, validated into an `Applicant`.
public struct ApplicantDraft: Codable, Sendable {
    public var kind: String?
    public var name: String?
    public var idNumber: String?
    public var taxCode: String?
    public var phone: String?
    public var email: String?
    public var address: String?
    public var representative: RepresentativeDraft?

    public init(
        kind: String? = nil, name: String?, idNumber: String? = nil, taxCode: String? = nil, phone: String? = nil,
        email: String? = nil, address: String? = nil, representative: RepresentativeDraft? = nil
    ) {
        self.kind = kind
        self.name = name
        self.idNumber = idNumber
        self.taxCode = taxCode
        self.phone = phone
        self.email = email
        self.address = address
        self.representative = representative
    }

    func validated(field: String, currentYear: Int, into validator: inout Validator) -> Applicant {
        let kind = Applicant.Kind(rawValue: kind ?? "person")
        validator.check(kind != nil, "\(field).kind", "must be person or organisation")
        let name = Text.requiredName(name, field: "\(field).name", into: &validator)
        let idNumber = Text.clean(idNumber)
        if let idNumber, let problem = Identifiers.problem(idNumber: idNumber, currentYear: currentYear) {
            validator.add("\(field).idNumber", problem)
        }
        let taxCode = Text.clean(taxCode)
        if let taxCode, let problem = Identifiers.problem(taxCode: taxCode) {
            validator.add("\(field).taxCode", problem)
        }
        if kind == .organisation {
            validator.check(taxCode != nil, "\(field).taxCode", "is required for an organisation")
        }
        var phone = Text.clean(self.phone)
        if let text = phone {
            switch Identifiers.normalise(phone: text) {
            case .success(let normalised): phone = normalised
            case .failure(let problem): validator.add("\(field).phone", problem.description)
            }
        }
        let email = Text.clean(self.email)
        if let email { validator.check(Identifiers.isEmail(email), "\(field).email", "must be an e-mail address") }
        let address = Text.clean(self.address)
        if let address { validator.check(address.count <= 500, "\(field).address", "must be at most 500 characters") }
        let representative = self.representative.map {
            $0.validated(field: "\(field).representative", currentYear: currentYear, into: &validator)
        }
        return Applicant(
            kind: kind ?? .person, name: name, idNumber: idNumber, taxCode: taxCode, phone: phone, email: email,
            address: address, representative: representative)
    }
}

public struct RepresentativeDraft: Codable, Sendable {
    public var name: String?
    public var idNumber: String?
    public var phone: String?
    public var authorisation: String?

    public init(name: String?, idNumber: String? = nil, phone: String? = nil, authorisation: String? = nil) {
        self.name = name
        self.idNumber = idNumber
        self.phone = phone
        self.authorisation = authorisation
    }

    func validated(field: String, currentYear: Int, into validator: inout Validator) -> Representative {
        let name = Text.requiredName(name, field: "\(field).name", into: &validator)
        let idNumber = Text.clean(idNumber)
        if let idNumber, let problem = Identifiers.problem(idNumber: idNumber, currentYear: currentYear) {
            validator.add("\(field).idNumber", problem)
        }
        var phone = Text.clean(self.phone)
        if let text = phone {
            switch Identifiers.normalise(phone: text) {
            case .success(let normalised): phone = normalised
            case .failure(let problem): validator.add("\(field).phone", problem.description)
            }
        }
        return Representative(name: name, idNumber: idNumber, phone: phone, authorisation: Text.clean(authorisation))
    }
}
