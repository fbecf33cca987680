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
        // Twelve ASCII digits are twelve bytes: checked on the bytes, without breaking the text
        // into characters (this runs on every intake).
        let digits = Array(idNumber.utf8)
        guard digits.count == 12, digits.allSatisfy({ (0x30...0x39).contains($0) }) else {
            return "must be the 12-digit personal identification number"
        }
        let province = String(decoding: digits[0..<3], as: UTF8.self)
        guard provinceCodes.contains(province) else {
            return "starts with \(province), which is not a province code of birth registration"
        }
        func value(_ byte: UInt8) -> Int { Int(byte - 0x30) }
        let century = value(digits[3])
        let year = 1900 + 100 * (century / 2) + 10 * value(digits[4]) + value(digits[5])
        guard year <= currentYear else {
            return "encodes the birth year \(year), which is in the future"
        }
        return nil
    }

    /// Why an enterprise or tax code is invalid, or nil.
    public static func problem(taxCode: String) -> String? {
        let parts = taxCode.split(separator: "-", omittingEmptySubsequences: false)
        let valid =
            parts[0].count == 10 && isDigits(parts[0])
            && (parts.count == 1 || (parts.count == 2 && parts[1].count == 3 && isDigits(parts[1])))
        return valid ? nil : "must be 10 digits, or 10 digits, a dash and a 3-digit branch number"
    }

    /// Vietnamese mobile prefixes in use (DOMAIN §6.2: 03[2-9], 05[25689], 07[06-9], 08[1-9] with iTel 087, 09[0-46-9]).
    static let mobilePrefixes: Set<String> = [
        "32", "33", "34", "35", "36", "37", "38", "39", "52", "55", "56", "58", "59", "70", "76", "77", "78", "79",
        "81", "82", "83", "84", "85", "86", "87", "88", "89", "90", "91", "92", "93", "94", "96", "97", "98", "99",
    ]

    /// The phone number in international form, or why it is invalid. Vietnamese numbers are
    /// checked strictly: `0` and 9 digits, or `+84` and 9 digits, with a mobile prefix in use;
    /// other countries' numbers are accepted in `+` form with 8–15 digits. Spaces, dots,
    /// dashes and brackets are ignored. (Checked by hand, not with regular expressions, which
    /// Foundation compiles anew on every call: this runs on every intake.)
    public static func normalise(phone: String) -> Result<String, PhoneProblem> {
        normaliseASCII(phone) ?? normaliseByCharacters(phone)
    }

    /// `normalise` for a number written only with digits, `+` and the separators — what a phone
    /// number is — a byte at a time, where each byte is a character (`HotPathTests.phones`);
    /// nil for any other text.
    static func normaliseASCII(_ phone: String) -> Result<String, PhoneProblem>? {
        var compact: [UInt8] = []
        compact.reserveCapacity(phone.utf8.count)
        for byte in phone.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"): compact.append(byte)
            case UInt8(ascii: " "), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "("), UInt8(ascii: ")"): continue
            default: return nil
            }
        }
        let plus = compact.first == UInt8(ascii: "+")
        let digits = plus ? compact.dropFirst() : compact[...]
        // A `+` anywhere but first is no digit: every branch below refuses it.
        let allDigits = !digits.isEmpty && !digits.contains(UInt8(ascii: "+"))
        let national: ArraySlice<UInt8>
        if plus, digits.starts(with: [UInt8(ascii: "8"), UInt8(ascii: "4")]) {
            national = digits.dropFirst(2)
        } else if !plus, compact.first == UInt8(ascii: "0") {
            national = compact.dropFirst()
        } else if plus {
            guard allDigits, (8...15).contains(digits.count), digits.first != UInt8(ascii: "0") else { return .failure(.malformed) }
            return .success(String(decoding: compact, as: UTF8.self))
        } else {
            return .failure(.malformed)
        }
        guard national.count == 9, !national.contains(UInt8(ascii: "+")) else { return .failure(.vietnameseLength) }
        guard mobilePrefixes.contains(String(decoding: national.prefix(2), as: UTF8.self)) else { return .failure(.unknownPrefix) }
        return .success("+84" + String(decoding: national, as: UTF8.self))
    }

    /// `normalise` by characters: the rule, for any text.
    static func normaliseByCharacters(_ phone: String) -> Result<String, PhoneProblem> {
        let compact = phone.filter { !" .-()".contains($0) }
        var national: Substring
        if compact.hasPrefix("+84") {
            national = compact.dropFirst(3)
        } else if compact.hasPrefix("0") {
            national = compact.dropFirst()
        } else if compact.hasPrefix("+") {
            let digits = compact.dropFirst()
            guard isDigits(digits), (8...15).contains(digits.count), digits.first != "0" else { return .failure(.malformed) }
            return .success(compact)
        } else {
            return .failure(.malformed)
        }
        guard national.count == 9, isDigits(national) else { return .failure(.vietnameseLength) }
        guard mobilePrefixes.contains(String(national.prefix(2))) else { return .failure(.unknownPrefix) }
        national = "+84" + national
        return .success(String(national))
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
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard text.count <= 254, parts.count == 2, !parts[0].isEmpty, !text.contains(where: \.isWhitespace) else { return false }
        let domain = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return domain.count >= 2 && domain.allSatisfy { !$0.isEmpty }
    }

    /// The cleaned id number, its problem (if any) recorded against `field`.
    static func checked(idNumber: String?, field: String, currentYear: Int, into validator: inout Validator) -> String? {
        let idNumber = Text.clean(idNumber)
        if let idNumber, let problem = problem(idNumber: idNumber, currentYear: currentYear) { validator.add(field, problem) }
        return idNumber
    }

    /// The phone in international form, its problem (if any) recorded against `field`.
    static func checked(phone: String?, field: String, into validator: inout Validator) -> String? {
        guard let text = Text.clean(phone) else { return nil }
        switch normalise(phone: text) {
        case .success(let normalised): return normalised
        case .failure(let problem):
            validator.add(field, problem.description)
            return text
        }
    }

    static func isDigits(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isNumber }
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
        let idNumber = Identifiers.checked(idNumber: idNumber, field: "\(field).idNumber", currentYear: currentYear, into: &validator)
        let taxCode = Text.clean(taxCode)
        if let taxCode, let problem = Identifiers.problem(taxCode: taxCode) {
            validator.add("\(field).taxCode", problem)
        }
        if kind == .organisation {
            validator.check(taxCode != nil, "\(field).taxCode", "is required for an organisation")
        }
        let phone = Identifiers.checked(phone: self.phone, field: "\(field).phone", into: &validator)
        let email = Text.clean(self.email)
        if let email { validator.check(Identifiers.isEmail(email), "\(field).email", "must be an e-mail address") }
        let address = Text.clean(self.address)
        if let address { validator.check(address.unicodeScalars.count <= 500, "\(field).address", "must be at most 500 characters") }
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
        let idNumber = Identifiers.checked(idNumber: idNumber, field: "\(field).idNumber", currentYear: currentYear, into: &validator)
        let phone = Identifiers.checked(phone: self.phone, field: "\(field).phone", into: &validator)
        return Representative(name: name, idNumber: idNumber, phone: phone, authorisation: Text.clean(authorisation))
    }
}
