/// A catalogue entry: an administrative procedure, a feedback, inquiry or complaint type (SPEC §1).
public struct Service: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, CaseIterable, Sendable {
        case procedure, feedback, inquiry, complaint
    }

    /// What happens to the clock while the ticket waits for the citizen.
    public enum SupplementRule: String, Codable, CaseIterable, Sendable {
        /// Decree 61/2018 art. 19(4): once the dossier is complete the time limit starts again from zero.
        case restart
        /// The clock stops while waiting and resumes where it stood (the usual rule for feedback).
        case pause
    }

    /// National procedure code (e.g. `1.004227`) or the centre's own code.
    public var code: String
    public var name: String
    public var kind: Kind
    public var timeLimit: TimeLimit
    /// The departments the dossier passes through, in order (*liên thông*).
    public var route: [RouteStep]
    /// Index of the step whose department issues the decision, if the procedure needs one.
    public var decidingStep: Int?
    /// The legal text that makes the centre's own unit competent (needed for a deciding
    /// internal step in public-service-unit mode).
    public var legalBasis: String?
    /// The field (*lĩnh vực*) the procedure belongs to, e.g. `Hộ tịch`: one tracking book per
    /// field and year (Circular 01/2018 art. 10; docs/forms.md). Nil: the general book.
    public var field: String?
    public var supplementRule: SupplementRule
    /// Whether a paper dossier received after the centre's cut-off counts as received on the
    /// next working day (Decree 61/2018 art. 18); nil: the default, `cutoffByDefault(kind:limit:)`.
    public var cutoff: Bool?
    public var charges: [Charge]
    /// Letter of the walk-in queue numbers for this service (`A` gives `A012`).
    public var queuePrefix: String?
    /// Tags or synonyms, published as Open311 `keywords`.
    public var keywords: [String]
    /// The Open311 attributes a request for this service carries (docs/open311.md).
    public var attributes: [ServiceAttribute]
    public var active: Bool
    /// Bumped on every change; a ticket records the version it was received under.
    public var version: Int
    /// The components a complete dossier holds (*thành phần hồ sơ*); empty: not listed.
    public var components: [DossierComponent] = []
    /// Offered online, partly or fully (*toàn trình*); nil: at the counter only.
    public var online: OnlineLevel? = nil

    public init(
        code: String, name: String, kind: Kind, timeLimit: TimeLimit, route: [RouteStep],
        decidingStep: Int? = nil, legalBasis: String? = nil, supplementRule: SupplementRule? = nil, cutoff: Bool? = nil,
        charges: [Charge] = [], queuePrefix: String? = nil, keywords: [String] = [], attributes: [ServiceAttribute] = [],
        active: Bool = true, version: Int = 1, field: String? = nil
    ) {
        self.field = field
        self.cutoff = cutoff
        self.code = code
        self.name = name
        self.kind = kind
        self.timeLimit = timeLimit
        self.route = route
        self.decidingStep = decidingStep
        self.legalBasis = legalBasis
        self.supplementRule = supplementRule ?? Service.defaultSupplementRule(for: kind)
        self.charges = charges
        self.queuePrefix = queuePrefix
        self.keywords = keywords
        self.attributes = attributes
        self.active = active
        self.version = version
    }

    /// The cut-off is on by default for procedures counted in days; a same-day service (`0 d`:
    /// within the day of reception), one counted in hours and any feedback, inquiry or
    /// complaint count from reception.
    public static func cutoffByDefault(kind: Kind, limit: TimeLimit) -> Bool {
        guard kind == .procedure, case .days(let days) = limit else { return false }
        return days > 0
    }

    /// Whether the centre's cut-off applies to this service (its setting, or the default).
    public var appliesCutoff: Bool { cutoff ?? Self.cutoffByDefault(kind: kind, limit: timeLimit) }

    /// Procedures restart the clock after a supplement (Decree 61/2018 art. 19(4)); feedback,
    /// inquiries and complaints pause it.
    public static func defaultSupplementRule(for kind: Kind) -> SupplementRule {
        kind == .procedure ? .restart : .pause
    }

    static func isValidCode(_ code: String) -> Bool {
        code.count <= 40 && Text.matches(code, "^[0-9A-Za-z][0-9A-Za-z._-]*$")
    }

    /// Keywords: Open311 joins them with commas, so none may hold one.
    static func validate(keywords: [String], into validator: inout Validator) {
        for (index, keyword) in keywords.enumerated() {
            validator.check(
                !keyword.isEmpty && keyword.unicodeScalars.count <= 100 && !keyword.contains(","), "keywords[\(index)]",
                "must be 1 to 100 characters without a comma")
        }
        validator.check(keywords.count <= 50, "keywords", "at most 50 keywords")
    }

    /// Rules that hold in every mode and need no other entity.
    static func validate(_ service: Service, into validator: inout Validator) {
        validator.check(!service.route.isEmpty, "route", "needs at least one step")
        if let step = service.decidingStep {
            validator.check(
                service.route.indices.contains(step), "decidingStep",
                "must be the index of a route step (0 to \(max(0, service.route.count - 1)))")
        }
        for (index, step) in service.route.enumerated() {
            validator.check(Department.isValidCode(step.department), "route[\(index)].department", "must be a department code")
        }
        validator.check(service.charges.count <= Charge.maxLines, "charges", "at most \(Charge.maxLines) charge lines")
        for (index, charge) in service.charges.enumerated() {
            validator.check(
                (0...Charge.maxAmount).contains(charge.amount), "charges[\(index)].amount",
                "must be 0 to \(Charge.maxAmount) (integer VND)")
            // Law on Fees and Charges 97/2015 art. 12: lệ phí is always remitted in full to the budget.
            if charge.kind == .lePhi {
                validator.check(charge.remittance == .budget, "charges[\(index)].remittance", "lệ phí is always remitted to the budget")
            }
        }
        if let prefix = service.queuePrefix {
            validator.check(Text.matches(prefix, "^[A-Z]$"), "queuePrefix", "must be one capital letter A–Z")
        }
        if let basis = service.legalBasis {
            validator.check(basis.unicodeScalars.count <= 2000, "legalBasis", "must be at most 2000 characters")
        }
        if let field = service.field {
            validator.check(
                field.unicodeScalars.count <= 200 && !field.contains("+"), "field",
                "must be a name of at most 200 characters without '+', e.g. Hộ tịch")
        }
        validate(keywords: service.keywords, into: &validator)
        ServiceAttribute.validate(service.attributes, into: &validator)
        DossierComponent.validate(service.components, into: &validator)
    }
}

/// One step of a route: a department with its own allowance and task (the inter-agency
/// transfer slip names each body's task and time limit).
public struct RouteStep: Codable, Equatable, Sendable {
    public var department: String
    public var allowance: TimeLimit?
    public var task: String?

    public init(department: String, allowance: TimeLimit? = nil, task: String? = nil) {
        self.department = department
        self.allowance = allowance
        self.task = task
    }
}

/// One charge line of a service, in integer VND.
public struct Charge: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, CaseIterable, Sendable {
        /// *Lệ phí*: a state fee, always remitted to the budget.
        case lePhi = "le-phi"
        /// *Phí*: a charge; a public service unit may retain part of it.
        case phi
        /// *Giá dịch vụ*: a public-service price (public-service-unit mode only).
        case servicePrice = "service-price"
    }

    public enum Remittance: String, Codable, CaseIterable, Sendable {
        case budget, retained
    }

    /// The largest amount of one charge line, 10^12 VND: far above any fee, and small enough that
    /// the sums of every report stay exact in 64-bit integers.
    public static let maxAmount = 1_000_000_000_000
    /// The most charge lines a service may have.
    public static let maxLines = 50

    public var kind: Kind
    public var amount: Int
    public var remittance: Remittance
    public var label: String?

    public init(kind: Kind, amount: Int, remittance: Remittance, label: String? = nil) {
        self.kind = kind
        self.amount = amount
        self.remittance = remittance
        self.label = label
    }
}

/// `POST /api/v1/services` and each row of a catalogue import. Enumerations arrive as text
/// so that a wrong value is reported against its field.
public struct ServiceDraft: Codable, Sendable {
    public var code: String?
    public var name: String?
    public var kind: String?
    public var timeLimit: String?
    public var route: [RouteStepDraft]?
    public var decidingStep: Int?
    public var legalBasis: String?
    public var field: String?
    public var supplementRule: String?
    /// Whether the intake cut-off applies; absent: the default for the service's kind and limit.
    public var cutoff: Bool?
    public var charges: [ChargeDraft]?
    public var queuePrefix: String?
    public var keywords: [String]?
    public var attributes: [ServiceAttributeDraft]?
    public var active: Bool?
    /// The dossier's components (docs/dossiers.md).
    public var components: [DossierComponent]?
    /// `partial` or `full`; absent: at the counter only.
    public var online: String?

    public init(
        code: String? = nil, name: String? = nil, kind: String? = nil, timeLimit: String? = nil,
        route: [RouteStepDraft]? = nil, decidingStep: Int? = nil, legalBasis: String? = nil,
        supplementRule: String? = nil, cutoff: Bool? = nil, charges: [ChargeDraft]? = nil, queuePrefix: String? = nil,
        keywords: [String]? = nil, attributes: [ServiceAttributeDraft]? = nil, active: Bool? = nil, field: String? = nil
    ) {
        self.field = field
        self.cutoff = cutoff
        self.code = code
        self.name = name
        self.kind = kind
        self.timeLimit = timeLimit
        self.route = route
        self.decidingStep = decidingStep
        self.legalBasis = legalBasis
        self.supplementRule = supplementRule
        self.charges = charges
        self.queuePrefix = queuePrefix
        self.keywords = keywords
        self.attributes = attributes
        self.active = active
    }

    func validated() throws(DeskError) -> Service {
        var validator = Validator()
        let code = Text.clean(code ?? "")
        validator.check(
            Service.isValidCode(code), "code", "must be letters, digits, dots, dashes or underscores (e.g. 1.004227), at most 40 characters"
        )
        let name = Text.requiredName(name, field: "name", maxLength: 500, into: &validator)
        let kind = Service.Kind(rawValue: kind ?? "")
        validator.check(kind != nil, "kind", "must be one of \(Service.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        let timeLimit = TimeLimit(timeLimit ?? "")
        validator.check(timeLimit != nil, "timeLimit", "must be 'N d' (working days) or 'N h' (working hours), e.g. '15 d'")
        let route = RouteStepDraft.validated(route, into: &validator)
        if let field {
            validator.check(!Text.isBlank(field), "field", "must not be blank: leave it out for the general book")
            validator.check(field.unicodeScalars.count <= 200, "field", "must be at most 200 characters")
        }
        let charges = ChargeDraft.validated(charges ?? [], into: &validator)
        let attributes = ServiceAttributeDraft.validated(attributes ?? [], into: &validator)
        var rule: Service.SupplementRule?
        if let supplementRule {
            rule = Service.SupplementRule(rawValue: supplementRule)
            validator.check(rule != nil, "supplementRule", "must be restart or pause")
        }
        let online = OnlineLevel.validated(online, into: &validator)
        try validator.finish()
        var service = Service(
            code: code, name: name, kind: kind!, timeLimit: timeLimit!, route: route,
            decidingStep: decidingStep, legalBasis: Text.clean(legalBasis), supplementRule: rule, cutoff: cutoff,
            charges: charges, queuePrefix: Text.clean(queuePrefix), keywords: (keywords ?? []).map(Text.clean),
            attributes: attributes, active: active ?? true, field: Text.clean(field))
        service.components = DossierComponent.cleaned(components ?? [])
        service.online = online
        Service.validate(service, into: &validator)
        try validator.finish()
        return service
    }
}

public struct RouteStepDraft: Codable, Sendable {
    public var department: String?
    public var allowance: String?
    public var task: String?

    public init(department: String?, allowance: String? = nil, task: String? = nil) {
        self.department = department
        self.allowance = allowance
        self.task = task
    }

    static func validated(_ drafts: [RouteStepDraft]?, into validator: inout Validator) -> [RouteStep] {
        guard let drafts else {
            validator.add("route", "is required: the ordered list of departments the ticket passes through")
            return []
        }
        return drafts.enumerated().map { index, draft in
            let department = Text.clean(draft.department ?? "")
            validator.check(!department.isEmpty, "route[\(index)].department", "is required")
            var allowance: TimeLimit?
            if let text = draft.allowance {
                allowance = TimeLimit(text)
                validator.check(allowance != nil, "route[\(index)].allowance", "must be 'N d' or 'N h'")
            }
            return RouteStep(department: department, allowance: allowance, task: Text.clean(draft.task))
        }
    }
}

public struct ChargeDraft: Codable, Sendable {
    public var kind: String?
    public var amount: Int?
    public var remittance: String?
    public var label: String?

    public init(kind: String?, amount: Int?, remittance: String? = nil, label: String? = nil) {
        self.kind = kind
        self.amount = amount
        self.remittance = remittance
        self.label = label
    }

    static func validated(_ drafts: [ChargeDraft], into validator: inout Validator) -> [Charge] {
        drafts.enumerated().compactMap { index, draft in
            let kind = Charge.Kind(rawValue: draft.kind ?? "")
            validator.check(kind != nil, "charges[\(index)].kind", "must be le-phi, phi or service-price")
            validator.check(draft.amount != nil, "charges[\(index)].amount", "is required (integer VND)")
            // Without a remittance, a charge goes to the budget: the only choice that is legal in both modes.
            let remittance = Charge.Remittance(rawValue: draft.remittance ?? "budget")
            validator.check(remittance != nil, "charges[\(index)].remittance", "must be budget or retained")
            guard let kind, let amount = draft.amount, let remittance else { return nil }
            return Charge(kind: kind, amount: amount, remittance: remittance, label: Text.clean(draft.label))
        }
    }
}

/// `PATCH /api/v1/services/{code}`; `null` clears `decidingStep`, `legalBasis`, `field` and `queuePrefix`.
public struct ServicePatch: Decodable, Sendable {
    public var name: String?
    public var kind: String?
    public var timeLimit: String?
    public var route: [RouteStepDraft]?
    public var decidingStep: PatchField<Int>
    public var legalBasis: PatchField<String>
    public var field: PatchField<String>
    public var supplementRule: String?
    /// `null` returns the cut-off to the default for the service.
    public var cutoff: PatchField<Bool>
    public var charges: [ChargeDraft]?
    public var queuePrefix: PatchField<String>
    public var keywords: [String]?
    public var attributes: [ServiceAttributeDraft]?
    public var active: Bool?
    public var components: [DossierComponent]? = nil
    /// `null` takes the service off line (counter only).
    public var online: PatchField<String> = .unchanged

    enum CodingKeys: String, CodingKey {
        case name, kind, timeLimit, route, decidingStep, legalBasis, supplementRule, cutoff, charges, queuePrefix, keywords, attributes,
            active, field, components, online
    }

    public init(
        name: String? = nil, kind: String? = nil, timeLimit: String? = nil, route: [RouteStepDraft]? = nil,
        decidingStep: PatchField<Int> = .unchanged, legalBasis: PatchField<String> = .unchanged,
        supplementRule: String? = nil, cutoff: PatchField<Bool> = .unchanged, charges: [ChargeDraft]? = nil,
        queuePrefix: PatchField<String> = .unchanged, keywords: [String]? = nil, attributes: [ServiceAttributeDraft]? = nil,
        active: Bool? = nil, field: PatchField<String> = .unchanged
    ) {
        self.field = field
        self.cutoff = cutoff
        self.name = name
        self.kind = kind
        self.timeLimit = timeLimit
        self.route = route
        self.decidingStep = decidingStep
        self.legalBasis = legalBasis
        self.supplementRule = supplementRule
        self.charges = charges
        self.queuePrefix = queuePrefix
        self.keywords = keywords
        self.attributes = attributes
        self.active = active
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        timeLimit = try container.decodeIfPresent(String.self, forKey: .timeLimit)
        route = try container.decodeIfPresent([RouteStepDraft].self, forKey: .route)
        decidingStep = try container.decodePatch(Int.self, forKey: .decidingStep)
        legalBasis = try container.decodePatch(String.self, forKey: .legalBasis)
        field = try container.decodePatch(String.self, forKey: .field)
        supplementRule = try container.decodeIfPresent(String.self, forKey: .supplementRule)
        cutoff = try container.decodePatch(Bool.self, forKey: .cutoff)
        charges = try container.decodeIfPresent([ChargeDraft].self, forKey: .charges)
        queuePrefix = try container.decodePatch(String.self, forKey: .queuePrefix)
        keywords = try container.decodeIfPresent([String].self, forKey: .keywords)
        attributes = try container.decodeIfPresent([ServiceAttributeDraft].self, forKey: .attributes)
        active = try container.decodeIfPresent(Bool.self, forKey: .active)
        components = try container.decodeIfPresent([DossierComponent].self, forKey: .components)
        online = try container.decodePatch(String.self, forKey: .online)
    }

    func applied(to service: Service) throws(DeskError) -> Service {
        var validator = Validator()
        var result = service
        if let name { result.name = Text.requiredName(name, field: "name", maxLength: 500, into: &validator) }
        if let kind {
            if let value = Service.Kind(rawValue: kind) {
                result.kind = value
            } else {
                validator.add("kind", "must be one of \(Service.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if let timeLimit {
            if let value = TimeLimit(timeLimit) {
                result.timeLimit = value
            } else {
                validator.add("timeLimit", "must be 'N d' or 'N h', e.g. '15 d'")
            }
        }
        if route != nil { result.route = RouteStepDraft.validated(route, into: &validator) }
        result.decidingStep = decidingStep.applied(to: service.decidingStep)
        result.legalBasis = Text.clean(legalBasis.applied(to: service.legalBasis))
        if field.setsBlank { validator.add("field", "must not be blank: null removes it") }
        if field.setsLonger(than: 200) { validator.add("field", "must be at most 200 characters") }
        result.field = Text.clean(field.applied(to: service.field))
        if let supplementRule {
            if let value = Service.SupplementRule(rawValue: supplementRule) {
                result.supplementRule = value
            } else {
                validator.add("supplementRule", "must be restart or pause")
            }
        }
        result.cutoff = cutoff.applied(to: service.cutoff)
        if let charges { result.charges = ChargeDraft.validated(charges, into: &validator) }
        result.queuePrefix = Text.clean(queuePrefix.applied(to: service.queuePrefix))
        if let keywords { result.keywords = keywords.map(Text.clean) }
        if let attributes { result.attributes = ServiceAttributeDraft.validated(attributes, into: &validator) }
        if let active { result.active = active }
        if let components { result.components = DossierComponent.cleaned(components) }
        switch online {
        case .unchanged: break
        case .set(nil): result.online = nil
        case .set(let text?): result.online = OnlineLevel.validated(text, into: &validator)
        }
        try validator.finish()
        Service.validate(result, into: &validator)
        try validator.finish()
        return result
    }
}
