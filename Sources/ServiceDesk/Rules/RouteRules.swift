/// The rules of a service's route (SPEC §1): allowances that fit in the time limit, and who
/// passes the deciding step.
public enum RouteRules {
    /// The steps' allowances add up to at most the time limit, both counted in the usual working
    /// day of this calendar: with 7.5-hour days an `8 h` step
    /// would run past a `1 d` limit even though 8 h "is" one day.
    static func checkAllowances(of service: Service, calendar: WorkingCalendar, into validator: inout Validator) {
        let day = calendar.usualDayMinutes
        let allotted = service.route.compactMap(\.allowance).reduce(0) { $0 + $1.workingMinutes(dayMinutes: day) }
        let limit = service.timeLimit.workingMinutes(dayMinutes: day)
        validator.check(
            allotted <= limit, "route",
            "the steps' allowances add up to \(allotted) working minutes, more than the time limit \(service.timeLimit) (\(limit) working minutes with this calendar's \(day)-minute working day)"
        )
    }

    /// Who may decide at a deciding step (SPEC §1): in an administrative body only a civil
    /// servant, at a department marked deciding; in a public service unit only where the
    /// service records its legal basis. Authorities decide for themselves.
    static func checkDecider(actor: Staff, department: Department, service: Service, mode: OrganisationalMode) throws {
        guard department.kind == .internal else { return }
        switch mode {
        case .administrativeBody:
            guard department.decides else { throw DeskError.forbidden("\(department.code) may not decide in administrative-body mode") }
            guard actor.employment == .civilServant else {
                throw DeskError.forbidden(
                    "only a civil servant resolves a deciding step in administrative-body mode; \(actor.username) is \(actor.employment.rawValue)"
                )
            }
        case .publicServiceUnit:
            guard service.legalBasis != nil else {
                throw DeskError.forbidden("in public-service-unit mode the unit decides only with a recorded legal basis")
            }
        }
    }

    /// A decision (granted or refused) taken now on `ticket`: it must be at the deciding
    /// step's department, at or past that step, by someone allowed to decide there.
    static func checkDecision(
        ticket: Ticket, service: Service, deciding: Int, department: Department?, actor: Staff, mode: OrganisationalMode
    )
        throws
    {
        let decidingDepartment = service.route[deciding].department
        guard let step = ticket.step, step >= deciding else {
            throw DeskError.conflict(
                "the deciding step (\(deciding): \(decidingDepartment)) has not been reached; transfer the ticket there")
        }
        guard let department, ticket.department == decidingDepartment else {
            throw DeskError.conflict(
                "the decision is taken at the deciding step's department \(decidingDepartment); the ticket is at \(ticket.department ?? "no department"): transfer it there to decide"
            )
        }
        try checkDecider(actor: actor, department: department, service: service, mode: mode)
    }
}
