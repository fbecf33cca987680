/// One way the configuration breaks the rules of an organisational mode.
public struct ModeConflict: Codable, Equatable, Sendable {
    /// `centre`, `staff`, `service` (later: `ticket`).
    public var entity: String
    /// The entity's key: username, service code, …
    public var id: String
    /// A stable rule identifier, e.g. `staff.employment`.
    public var rule: String
    /// The field of the entity that breaks the rule.
    public var field: String
    /// The rule in plain words, for people.
    public var message: String

    public init(entity: String, id: String, rule: String, field: String, message: String) {
        self.entity = entity
        self.id = id
        self.rule = rule
        self.field = field
        self.message = message
    }
}

/// Everything the mode rules look at.
public struct Configuration: Sendable {
    public var centre: Centre
    public var departments: [Department]
    public var staff: [Staff]
    public var services: [Service]
    /// Open tickets with the charges they were received with.
    public var openTickets: [(code: String, charges: [Charge])]

    public init(
        centre: Centre, departments: [Department], staff: [Staff], services: [Service],
        openTickets: [(code: String, charges: [Charge])] = []
    ) {
        self.centre = centre
        self.departments = departments
        self.staff = staff
        self.services = services
        self.openTickets = openTickets
    }
}

/// The rules of SPEC §1's mode table, as pure functions. Every configuration write checks
/// them for the current mode (so the stored configuration always satisfies its mode), and a
/// mode change checks them for the target mode. Inactive staff and services are history,
/// not configuration in force, so the rules look at active ones only; reactivating one checks it.
public enum ModeRules {
    public static func conflicts(in configuration: Configuration, for mode: OrganisationalMode) -> [ModeConflict] {
        let departments = Dictionary(configuration.departments.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        var result = conflicts(centre: configuration.centre, for: mode)
        for staff in configuration.staff where staff.active {
            result += conflicts(staff: staff, department: staff.department.flatMap { departments[$0] }, for: mode)
        }
        for service in configuration.services where service.active {
            result += conflicts(service: service, departments: departments, for: mode)
        }
        for ticket in configuration.openTickets {
            result += conflicts(ticket: ticket.code, charges: ticket.charges, for: mode)
        }
        return result
    }

    /// An open ticket keeps the charges it was received with: an administrative body cannot
    /// carry a service price or a retained phí that a public service unit billed.
    static func conflicts(ticket code: String, charges: [Charge], for mode: OrganisationalMode) -> [ModeConflict] {
        guard mode == .administrativeBody else { return [] }
        return charges.enumerated().compactMap { index, charge in
            guard charge.kind == .servicePrice || charge.remittance == .retained else { return nil }
            return ModeConflict(
                entity: "ticket", id: code, rule: "ticket.charges", field: "charges[\(index)]",
                message:
                    "the open ticket carries a \(charge.kind == .servicePrice ? "public-service price" : "retained phí"), which an administrative body cannot collect; finish or withdraw it first"
            )
        }
    }

    /// Decree 60/2021: a public service unit records its financial autonomy group.
    static func conflicts(centre: Centre, for mode: OrganisationalMode) -> [ModeConflict] {
        guard mode == .publicServiceUnit, centre.autonomyGroup == nil else { return [] }
        return [
            ModeConflict(
                entity: "centre", id: centre.code, rule: "centre.autonomy-group", field: "autonomyGroup",
                message: "a public service unit records its financial autonomy group (1–4, Decree 60/2021)")
        ]
    }

    /// Staff of internal departments: civil servants or contract staff in an administrative
    /// body (Decree 118/2025 arts. 10–11); public employees or contract staff in a public
    /// service unit (Law on Public Employees art. 2). Staff of outside authorities and staff
    /// without a department (the admin) are not bound.
    static func conflicts(staff: Staff, department: Department?, for mode: OrganisationalMode) -> [ModeConflict] {
        guard let department, department.kind == .internal, !mode.allowedEmployment.contains(staff.employment) else {
            return []
        }
        let allowed = Employment.allCases.filter(mode.allowedEmployment.contains).map(\.rawValue).joined(separator: " or ")
        return [
            ModeConflict(
                entity: "staff", id: staff.username, rule: "staff.employment", field: "employment",
                message:
                    "staff of the internal department \(department.code) must be \(allowed) in \(mode.rawValue) mode, not \(staff.employment.rawValue)"
            )
        ]
    }

    static func conflicts(service: Service, departments: [String: Department], for mode: OrganisationalMode) -> [ModeConflict] {
        var result: [ModeConflict] = []
        func conflict(_ rule: String, _ field: String, _ message: String) {
            result.append(ModeConflict(entity: "service", id: service.code, rule: rule, field: field, message: message))
        }
        if let index = service.decidingStep, service.route.indices.contains(index),
            let department = departments[service.route[index].department], department.kind == .internal
        {
            switch mode {
            case .administrativeBody:
                // Decree 61/2018 art. 8(1)(c): the desk receives and returns; it decides only
                // where the procedure is delegated or authorised to it.
                if !department.decides {
                    conflict(
                        "service.deciding-step", "decidingStep",
                        "the deciding step is at the internal department \(department.code), which is not marked as deciding (delegated or authorised)"
                    )
                }
            case .publicServiceUnit:
                // Law on Public Employees art. 9: a unit decides only where specialised law makes it competent.
                if service.legalBasis == nil {
                    conflict(
                        "service.deciding-step", "decidingStep",
                        "in public-service-unit mode a deciding step at the internal department \(department.code) needs a legalBasis making the unit competent; otherwise the deciding step must be at an authority"
                    )
                }
            }
        }
        if mode == .administrativeBody {
            // Law on Fees and Charges 97/2015 arts. 3, 12: an administrative body collects only
            // statutory charges, remitted to the budget.
            for (index, charge) in service.charges.enumerated() {
                if charge.kind == .servicePrice {
                    conflict(
                        "service.charge-kind", "charges[\(index)].kind",
                        "a public-service price (giá dịch vụ) can be billed only in public-service-unit mode")
                }
                if charge.remittance == .retained {
                    conflict(
                        "service.charge-remittance", "charges[\(index)].remittance",
                        "an administrative body remits every charge to the budget; only a public service unit may retain part of a phí")
                }
            }
        }
        return result
    }
}
