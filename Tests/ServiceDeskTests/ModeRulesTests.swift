import Testing

@testable import ServiceDesk

@Suite("Organisational mode rules")
struct ModeRulesTests {
    static let internalDept = Department(code: "mot-cua", name: "Một cửa", kind: .internal)
    static let decidingDept = Department(code: "tu-phap", name: "Tư pháp", kind: .internal, decides: true)
    static let authority = Department(code: "so-xd", name: "Sở Xây dựng", kind: .authority)

    static func configuration(
        mode: OrganisationalMode = .administrativeBody, autonomyGroup: Int? = nil, staff: [Staff] = [], services: [Service] = []
    ) -> Configuration {
        Configuration(
            centre: Centre(code: "000.00.00.H00", name: "Centre", mode: mode, autonomyGroup: autonomyGroup),
            departments: [internalDept, decidingDept, authority], staff: staff, services: services)
    }

    static func service(decidingAt department: String?, legalBasis: String? = nil, charges: [Charge] = []) -> Service {
        Service(
            code: "1.000001", name: "Thủ tục", kind: .procedure, timeLimit: .days(5),
            route: [RouteStep(department: "mot-cua"), RouteStep(department: department ?? "mot-cua")],
            decidingStep: department == nil ? nil : 1, legalBasis: legalBasis, charges: charges)
    }

    @Test(
        "employment of internal departments' staff follows the mode",
        arguments: [
            (OrganisationalMode.administrativeBody, Employment.civilServant, true),
            (.administrativeBody, .contract, true),
            (.administrativeBody, .publicEmployee, false),
            (.publicServiceUnit, .publicEmployee, true),
            (.publicServiceUnit, .contract, true),
            (.publicServiceUnit, .civilServant, false),
        ])
    func employment(mode: OrganisationalMode, employment: Employment, allowed: Bool) {
        let staff = Staff(username: "lan", name: "Lan", role: .handler, department: "mot-cua", employment: employment)
        let conflicts = ModeRules.conflicts(in: Self.configuration(mode: mode, autonomyGroup: 2, staff: [staff]), for: mode)
        #expect(conflicts.isEmpty == allowed)
        if !allowed { #expect(conflicts.map(\.rule) == ["staff.employment"]) }
    }

    @Test("staff of an authority, staff without department and inactive staff are not bound")
    func unboundStaff() {
        let staff = [
            Staff(username: "a", name: "A", role: .handler, department: "so-xd", employment: .civilServant),
            Staff(username: "b", name: "B", role: .admin, employment: .civilServant),
            Staff(username: "c", name: "C", role: .handler, department: "mot-cua", employment: .civilServant, active: false),
        ]
        #expect(
            ModeRules.conflicts(in: Self.configuration(mode: .publicServiceUnit, autonomyGroup: 1, staff: staff), for: .publicServiceUnit)
                .isEmpty)
    }

    @Test(
        "who may hold the deciding step",
        arguments: [
            // administrative body: an internal department must be marked `decides`
            (OrganisationalMode.administrativeBody, "mot-cua", nil as String?, false),
            (.administrativeBody, "tu-phap", nil, true),
            (.administrativeBody, "so-xd", nil, true),
            // public service unit: an internal department needs a legal basis; authorities always may
            (.publicServiceUnit, "tu-phap", nil, false),
            (.publicServiceUnit, "mot-cua", "Luật Đất đai 2024, Điều 21" as String?, true),
            (.publicServiceUnit, "so-xd", nil, true),
        ])
    func decidingStep(mode: OrganisationalMode, department: String, legalBasis: String?, allowed: Bool) {
        let service = Self.service(decidingAt: department, legalBasis: legalBasis)
        let conflicts = ModeRules.conflicts(in: Self.configuration(mode: mode, autonomyGroup: 1, services: [service]), for: mode)
        #expect(conflicts.isEmpty == allowed)
        if !allowed { #expect(conflicts.map(\.rule) == ["service.deciding-step"]) }
    }

    @Test(
        "charges: service prices and retained phí only in a public service unit",
        arguments: [
            (OrganisationalMode.administrativeBody, Charge.Kind.servicePrice, Charge.Remittance.budget, ["service.charge-kind"]),
            (.administrativeBody, .phi, .retained, ["service.charge-remittance"]),
            (.administrativeBody, .phi, .budget, []),
            (.administrativeBody, .lePhi, .budget, []),
            (.publicServiceUnit, .servicePrice, .retained, []),
            (.publicServiceUnit, .phi, .retained, []),
        ])
    func charges(mode: OrganisationalMode, kind: Charge.Kind, remittance: Charge.Remittance, rules: [String]) {
        let service = Self.service(decidingAt: nil, charges: [Charge(kind: kind, amount: 10_000, remittance: remittance)])
        let conflicts = ModeRules.conflicts(in: Self.configuration(mode: mode, autonomyGroup: 3, services: [service]), for: mode)
        #expect(conflicts.map(\.rule) == rules)
    }

    @Test("a public service unit records its autonomy group")
    func autonomyGroup() {
        #expect(
            ModeRules.conflicts(in: Self.configuration(mode: .publicServiceUnit), for: .publicServiceUnit).map(\.rule) == [
                "centre.autonomy-group"
            ])
        #expect(ModeRules.conflicts(in: Self.configuration(mode: .publicServiceUnit, autonomyGroup: 4), for: .publicServiceUnit).isEmpty)
        #expect(ModeRules.conflicts(in: Self.configuration(), for: .administrativeBody).isEmpty)
    }

    @Test("lệ phí retained is refused in every mode, as a plain validation error")
    func lePhiAlwaysBudget() {
        let draft = ServiceDraft(
            code: "X1", name: "X", kind: "procedure", timeLimit: "1 d", route: [RouteStepDraft(department: "mot-cua")],
            charges: [ChargeDraft(kind: "le-phi", amount: 1000, remittance: "retained")])
        #expect(throws: DeskError.validation([FieldError("charges[0].remittance", "lệ phí is always remitted to the budget")])) {
            try draft.validated()
        }
    }
}
