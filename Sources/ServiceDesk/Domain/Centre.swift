import Foundation

/// The centre: exactly one per database (SPEC §1).
public struct Centre: Codable, Equatable, Sendable {
    /// Agency code (*mã định danh*), e.g. `000.00.31.H29`; the first part of every dossier code.
    public var code: String
    public var name: String
    public var mode: OrganisationalMode
    /// Financial autonomy group 1–4 (Decree 60/2021); public-service-unit mode only.
    public var autonomyGroup: Int?
    /// IANA time zone of the centre; dates, cut-off and working hours are in it.
    public var timezone: String
    /// Dossiers accepted after this local time start counting the next working day
    /// (Decree 61/2018 art. 18).
    public var intakeCutoff: TimeOfDay
    /// An apology and new appointment is issued at the latest this many working days before
    /// the due date, compared by date (Decree 61/2018 art. 19(9): at least one day before).
    public var apologyLeadDays: Int
    /// An open ticket is at risk when its due moment is at most this many working days away (SPEC §2).
    public var atRiskDays: Int
    /// The body the centre belongs to, first line of a form's header (*cơ quan chủ quản*, Decree
    /// 30/2020 Phụ lục I), e.g. `UBND QUẬN BA ĐÌNH`.
    public var issuingBody: String?
    /// The place name of a form's date line (*địa danh*), e.g. `Hà Nội`.
    public var place: String?
    /// In public-service-unit mode, the legal one-stop desk (*Bộ phận Một cửa*) the unit receives
    /// dossiers for by assignment or contract, printed on its forms as "thay mặt …" (a unit that is
    /// not the desk itself; Decree 118/2025 art. 7; docs/modes.md). Ignored in administrative-body mode.
    public var onBehalfOf: String?
    /// The number a citizen calls for help with a dossier (a hotline or the desk's line), printed
    /// with the contact person of a supplement request (form 02), e.g. `0236 3822 101`.
    public var contactPhone: String?
    /// Feedback: a body asked must accept the item within this limit, in working time (Hanoi
    /// QĐ 1207/QĐ-UBND 2025: 8 working hours).
    public var acceptanceLimit: TimeLimit = Centre.defaultAcceptanceLimit
    /// Feedback: a citizen may reopen a resolved item once, within this many days of its resolution.
    public var reopenDays: Int = 10
    /// Online reception: an officer receives a dossier a portal submitted within this limit, in
    /// working time from its submission (graded; docs/tickets.md).
    public var receptionLimit: TimeLimit = Centre.defaultAcceptanceLimit

    public init(
        code: String, name: String, mode: OrganisationalMode = .administrativeBody,
        autonomyGroup: Int? = nil, timezone: String = Centre.defaultTimezone,
        intakeCutoff: TimeOfDay = Centre.defaultCutoff, apologyLeadDays: Int = 1, atRiskDays: Int = 1,
        issuingBody: String? = nil, place: String? = nil, onBehalfOf: String? = nil, contactPhone: String? = nil
    ) {
        self.contactPhone = contactPhone
        self.code = code
        self.name = name
        self.mode = mode
        self.autonomyGroup = autonomyGroup
        self.timezone = timezone
        self.intakeCutoff = intakeCutoff
        self.apologyLeadDays = apologyLeadDays
        self.atRiskDays = atRiskDays
        self.issuingBody = issuingBody
        self.place = place
        self.onBehalfOf = onBehalfOf
    }

    public static let defaultTimezone = "Asia/Ho_Chi_Minh"
    public static let defaultCutoff = TimeOfDay(hour: 15, minute: 0)
    public static let defaultAcceptanceLimit = TimeLimit.hours(8)
    /// What a fresh database is created with; the admin renames it with `PATCH /api/v1/centre`.
    public static let bootstrap = Centre(code: "000.00.00.H00", name: "Trung tâm kết nối công dân")

    /// Agency codes are dot-separated groups of digits and capitals (`000.00.31.H29`); they
    /// become part of dossier codes and so of URLs.
    static func isValidCode(_ code: String) -> Bool {
        code.count <= 32 && Text.matches(code, "^[0-9A-Z]+(\\.[0-9A-Z]+)*$")
    }

    static func validate(_ centre: Centre, into validator: inout Validator) {
        validator.check(
            isValidCode(centre.code), "code", "must be groups of digits and capital letters separated by dots, e.g. 000.00.31.H29")
        validator.check(!centre.name.isEmpty && centre.name.unicodeScalars.count <= 200, "name", "is required (at most 200 characters)")
        validator.check(TimeZone(identifier: centre.timezone) != nil, "timezone", "must be an IANA time zone such as Asia/Ho_Chi_Minh")
        if let group = centre.autonomyGroup {
            validator.check((1...4).contains(group), "autonomyGroup", "must be 1, 2, 3 or 4")
        }
        validator.check((0...30).contains(centre.apologyLeadDays), "apologyLeadDays", "must be 0 to 30 working days")
        validator.check((0...30).contains(centre.atRiskDays), "atRiskDays", "must be 0 to 30 working days")
        validator.check((0...365).contains(centre.reopenDays), "reopenDays", "must be 0 to 365 days")
        validator.check((centre.issuingBody?.unicodeScalars.count ?? 0) <= 200, "issuingBody", "must be at most 200 characters")
        validator.check((centre.place?.unicodeScalars.count ?? 0) <= 100, "place", "must be at most 100 characters")
        validator.check((centre.onBehalfOf?.unicodeScalars.count ?? 0) <= 200, "onBehalfOf", "must be at most 200 characters")
        if let phone = centre.contactPhone {
            validator.check(
                Text.matches(phone, "^\\+?[0-9][0-9 .()-]{1,28}[0-9]$"), "contactPhone",
                "must be a phone number of digits, spaces, dots or dashes, e.g. 0236 3822 101 or 1022")
        }
    }
}

/// `PATCH /api/v1/centre`: any subset of the settings. The mode has its own endpoint,
/// because changing it validates the whole configuration.
public struct CentrePatch: Decodable, Sendable {
    public var code: String?
    public var name: String?
    public var timezone: String?
    public var intakeCutoff: String?
    public var autonomyGroup: PatchField<Int>
    public var mode: String?
    public var apologyLeadDays: Int?
    public var atRiskDays: Int?
    public var issuingBody: PatchField<String>
    public var place: PatchField<String>
    public var onBehalfOf: PatchField<String>
    public var contactPhone: PatchField<String>
    public var acceptanceLimit: String?
    public var reopenDays: Int?
    public var receptionLimit: String?

    enum CodingKeys: String, CodingKey {
        case code, name, timezone, intakeCutoff, autonomyGroup, mode, apologyLeadDays, atRiskDays, issuingBody, place, onBehalfOf
        case contactPhone, acceptanceLimit, reopenDays, receptionLimit
    }

    public init(
        code: String? = nil, name: String? = nil, timezone: String? = nil, intakeCutoff: String? = nil,
        autonomyGroup: PatchField<Int> = .unchanged, apologyLeadDays: Int? = nil, atRiskDays: Int? = nil,
        issuingBody: PatchField<String> = .unchanged, place: PatchField<String> = .unchanged,
        onBehalfOf: PatchField<String> = .unchanged, contactPhone: PatchField<String> = .unchanged
    ) {
        self.contactPhone = contactPhone
        self.code = code
        self.name = name
        self.timezone = timezone
        self.intakeCutoff = intakeCutoff
        self.autonomyGroup = autonomyGroup
        self.apologyLeadDays = apologyLeadDays
        self.atRiskDays = atRiskDays
        self.issuingBody = issuingBody
        self.place = place
        self.onBehalfOf = onBehalfOf
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decodeIfPresent(String.self, forKey: .code)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        timezone = try container.decodeIfPresent(String.self, forKey: .timezone)
        intakeCutoff = try container.decodeIfPresent(String.self, forKey: .intakeCutoff)
        autonomyGroup = try container.decodePatch(Int.self, forKey: .autonomyGroup)
        mode = try container.decodeIfPresent(String.self, forKey: .mode)
        apologyLeadDays = try container.decodeIfPresent(Int.self, forKey: .apologyLeadDays)
        atRiskDays = try container.decodeIfPresent(Int.self, forKey: .atRiskDays)
        issuingBody = try container.decodePatch(String.self, forKey: .issuingBody)
        place = try container.decodePatch(String.self, forKey: .place)
        onBehalfOf = try container.decodePatch(String.self, forKey: .onBehalfOf)
        contactPhone = try container.decodePatch(String.self, forKey: .contactPhone)
        acceptanceLimit = try container.decodeIfPresent(String.self, forKey: .acceptanceLimit)
        reopenDays = try container.decodeIfPresent(Int.self, forKey: .reopenDays)
        receptionLimit = try container.decodeIfPresent(String.self, forKey: .receptionLimit)
    }

    /// The centre after the patch, validated. Mode rules on the autonomy group apply.
    func applied(to centre: Centre) throws(DeskError) -> Centre {
        var validator = Validator()
        var result = centre
        if mode != nil {
            validator.add("mode", "is changed with POST /api/v1/centre/mode, which checks the whole configuration")
        }
        if let code { result.code = Text.clean(code) }
        if let name { result.name = Text.clean(name) }
        if let timezone { result.timezone = Text.clean(timezone) }
        if let intakeCutoff {
            if let time = TimeOfDay(intakeCutoff) {
                result.intakeCutoff = time
            } else {
                validator.add("intakeCutoff", "must be a time HH:MM")
            }
        }
        result.autonomyGroup = autonomyGroup.applied(to: centre.autonomyGroup)
        if let apologyLeadDays { result.apologyLeadDays = apologyLeadDays }
        if let atRiskDays { result.atRiskDays = atRiskDays }
        if let reopenDays { result.reopenDays = reopenDays }
        if let receptionLimit {
            if let limit = TimeLimit(receptionLimit) {
                result.receptionLimit = limit
            } else {
                validator.add("receptionLimit", "must be \(TimeLimit.textFormat)")
            }
        }
        if let acceptanceLimit {
            if let limit = TimeLimit(acceptanceLimit) {
                result.acceptanceLimit = limit
            } else {
                validator.add("acceptanceLimit", "must be \(TimeLimit.textFormat)")
            }
        }
        // Lengths as sent (the document's maxLength), before the text is trimmed.
        for (field, patch, limit) in [("issuingBody", issuingBody, 200), ("place", place, 100), ("onBehalfOf", onBehalfOf, 200)]
        where patch.setsLonger(than: limit) {
            validator.add(field, "must be at most \(limit) characters")
        }
        result.issuingBody = Text.clean(issuingBody.applied(to: centre.issuingBody))
        result.place = Text.clean(place.applied(to: centre.place))
        result.onBehalfOf = Text.clean(onBehalfOf.applied(to: centre.onBehalfOf))
        if contactPhone.setsBlank { validator.add("contactPhone", "must not be blank: null removes it") }
        result.contactPhone = Text.clean(contactPhone.applied(to: centre.contactPhone))
        Centre.validate(result, into: &validator)
        try validator.finish()
        // Against the centre's present mode: a `409`, since the same patch fits the other mode.
        var present = Validator()
        if case .set = autonomyGroup {
            switch result.mode {
            case .administrativeBody:
                present.check(result.autonomyGroup == nil, "autonomyGroup", "applies only in public-service-unit mode")
            case .publicServiceUnit:
                present.check(result.autonomyGroup != nil, "autonomyGroup", "is required in public-service-unit mode")
            }
        }
        try present.finishInconsistent()
        return result
    }
}
