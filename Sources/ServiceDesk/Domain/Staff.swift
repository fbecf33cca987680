/// What a staff member (or API client) may do (SPEC §1).
public enum Role: String, Codable, CaseIterable, Sendable {
    /// Everything, including configuration, mode and tokens.
    case admin
    /// Tickets and queues of every department, reports, overrides.
    case supervisor
    /// Counter work: intake, walk-in queue, returning results.
    case officer
    /// Tickets of their own department only.
    case handler
    /// API clients (Open311, portals): create tickets, read their own.
    case integration
    /// Issues walk-in queue numbers only.
    case kiosk
    /// Reads the queue display feed only.
    case display
}

/// Employment category; which ones the centre's internal departments may have depends on
/// the organisational mode.
public enum Employment: String, Codable, CaseIterable, Sendable {
    /// *Công chức* (Law on Cadres and Civil Servants art. 4).
    case civilServant = "civil-servant"
    /// *Viên chức* (Law on Public Employees art. 2).
    case publicEmployee = "public-employee"
    /// Contract staff (*nhân viên* under a service or labour contract).
    case contract
}

/// A person (or client) who signs in to ServiceDesk.
public struct Staff: Codable, Equatable, Sendable {
    public var username: String
    public var name: String
    public var role: Role
    public var department: String?
    public var employment: Employment
    public var active: Bool
    /// Where they come from and for how long (docs/reports.md, staffing-plan).
    public var career: Career

    public init(
        username: String, name: String, role: Role, department: String? = nil,
        employment: Employment, active: Bool = true, career: Career = Career()
    ) {
        self.career = career
        self.username = username
        self.name = name
        self.role = role
        self.department = department
        self.employment = employment
        self.active = active
    }

    static func isValidUsername(_ username: String) -> Bool {
        Text.matches(username, "^[a-z0-9][a-z0-9._-]{1,39}$")
    }

    /// Rules that hold in every mode.
    static func validate(_ staff: Staff, into validator: inout Validator) {
        if staff.role == .handler {
            validator.check(
                staff.department != nil, "department", "is required for a handler: handlers work on their own department's tickets")
        }
    }
}

/// `POST /api/v1/staff`.
public struct StaffDraft: Codable, Sendable {
    public var username: String?
    public var name: String?
    public var role: String?
    public var department: String?
    public var employment: String?
    public var active: Bool?
    public var career: CareerDraft?

    public init(
        username: String, name: String, role: String, department: String? = nil,
        employment: String, active: Bool? = nil, career: CareerDraft? = nil
    ) {
        self.career = career
        self.username = username
        self.name = name
        self.role = role
        self.department = department
        self.employment = employment
        self.active = active
    }

    func validated() throws(DeskError) -> Staff {
        var validator = Validator()
        let username = Text.clean(username ?? "")
        validator.check(Staff.isValidUsername(username), "username", "must be 2–40 lower-case letters, digits, dots, dashes or underscores")
        let name = Text.requiredName(name, field: "name", into: &validator)
        let role = Role(rawValue: role ?? "")
        validator.check(role != nil, "role", "must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        let employment = Employment(rawValue: employment ?? "")
        validator.check(employment != nil, "employment", "must be one of \(Employment.allCases.map(\.rawValue).joined(separator: ", "))")
        var relations = Validator()
        let career = career?.validated(into: &validator, relations: &relations) ?? Career()
        try validator.finish()
        try relations.finishInconsistent()
        let staff = Staff(
            username: username, name: name, role: role!, department: Text.clean(department),
            employment: employment!, active: active ?? true, career: career)
        Staff.validate(staff, into: &validator)
        try validator.finish()
        return staff
    }
}

/// `PATCH /api/v1/staff/{username}`; `department: null` removes the department.
public struct StaffPatch: Decodable, Sendable {
    public var name: String?
    public var role: String?
    public var department: PatchField<String>
    public var employment: String?
    public var active: Bool?
    /// The whole career record, replacing the stored one.
    public var career: CareerDraft?

    enum CodingKeys: String, CodingKey { case name, role, department, employment, active, career }

    public init(
        name: String? = nil, role: String? = nil, department: PatchField<String> = .unchanged,
        employment: String? = nil, active: Bool? = nil, career: CareerDraft? = nil
    ) {
        self.career = career
        self.name = name
        self.role = role
        self.department = department
        self.employment = employment
        self.active = active
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        role = try container.decodeIfPresent(String.self, forKey: .role)
        department = try container.decodePatch(String.self, forKey: .department)
        employment = try container.decodeIfPresent(String.self, forKey: .employment)
        active = try container.decodeIfPresent(Bool.self, forKey: .active)
        career = try container.decodeIfPresent(CareerDraft.self, forKey: .career)
    }

    func applied(to staff: Staff) throws(DeskError) -> Staff {
        var validator = Validator()
        var result = staff
        if let name { result.name = Text.requiredName(name, field: "name", into: &validator) }
        if let role {
            if let value = Role(rawValue: role) {
                result.role = value
            } else {
                validator.add("role", "must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        result.department = Text.clean(department.applied(to: staff.department))
        if let employment {
            if let value = Employment(rawValue: employment) {
                result.employment = value
            } else {
                validator.add("employment", "must be one of \(Employment.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if let active { result.active = active }
        var relations = Validator()
        if let career { result.career = career.validated(into: &validator, relations: &relations) }
        try validator.finish()
        try relations.finishInconsistent()
        // The member after the patch: what the patch leaves of the stored member counts, so a
        // handler without a department is a `409` (a patch naming a department succeeds).
        var present = Validator()
        Staff.validate(result, into: &present)
        try present.finishInconsistent()
        return result
    }
}
