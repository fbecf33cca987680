/// The legal model of the centre (SPEC §1, DOMAIN §4): who may decide, who may work there
/// and what may be charged. Vietnamese law leaves open which one a citizen connection
/// centre is, so it is a setting, and the rules in `ModeRules` follow it.
public enum OrganisationalMode: String, Codable, CaseIterable, Sendable {
    /// *Tổ chức hành chính* — part of the state administrative apparatus; the legal form of
    /// today's Public Administration Service Centres (Decree 118/2025).
    case administrativeBody = "administrative-body"
    /// *Đơn vị sự nghiệp công lập* — a legal entity providing public services (Law on Public
    /// Employees art. 9); it may support a one-stop unit.
    case publicServiceUnit = "public-service-unit"

    /// The employment categories allowed for staff of the centre's internal departments.
    public var allowedEmployment: Set<Employment> {
        switch self {
        // Decree 118/2025 arts. 10–11: civil servants (own or seconded) and contract staff.
        case .administrativeBody: [.civilServant, .contract]
        // Law on Public Employees art. 2: public employees under working contracts, and contract staff.
        case .publicServiceUnit: [.publicEmployee, .contract]
        }
    }

    /// How reports name the headcount of the centre's own staff.
    public var headcountWording: String {
        switch self {
        case .administrativeBody: "civil servants (biên chế công chức)"
        case .publicServiceUnit: "public employees (số người làm việc)"
        }
    }
}
