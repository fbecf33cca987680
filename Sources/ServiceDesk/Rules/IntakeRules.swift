import Foundation

/// What an intake decides (SPEC §2, Decree 61/2018 art. 17): the state the ticket starts in,
/// where it starts, and — when accepted — its clock and first step visit.
public struct IntakeDecision: Sendable {
    public var state: Ticket.State
    public var department: String?
    public var step: Int?
    public var closedAt: Date?
    /// The due computation of an accepted dossier: its counting start, due moment and warnings,
    /// without lines (`WorkingTime.quiet`; `explain-due` replays them).
    public var due: DueComputation?
    /// The first step visit of an accepted dossier.
    public var firstStep: StepVisit?
    /// Feedback classed at intake: the class and its terms.
    public var severity: Severity?
}

extension TicketRules {
    /// Intake: accepted starts the clock at step 0; incomplete waits on the citizen with no
    /// clock; refused closes the ticket as rejected. `throughOpen311` says the request came in
    /// through `/open311/v2`, the only way to the `open311` channel.
    public static func intake(
        _ outcome: IntakeRequest.Outcome, service: Service, channel: Ticket.Channel, actor: Staff, now: Date, time: WorkingTime,
        throughOpen311: Bool = false, severity: Severity? = nil
    ) throws -> IntakeDecision {
        guard Permissions.intake.contains(actor.role) else {
            throw DeskError.forbidden("role \(actor.role.rawValue) may not receive tickets")
        }
        let allowed = throughOpen311 ? [.open311] : Permissions.intakeChannels(for: actor.role)
        guard allowed.contains(channel) else {
            let names = Ticket.Channel.allCases.filter(allowed.contains).map(\.rawValue).joined(separator: ", ")
            throw DeskError.validation([
                FieldError(
                    "channel",
                    channel == .open311
                        ? "open311 is the channel of requests posted to /open311/v2; name the channel this one came by (\(names))"
                        : "role \(actor.role.rawValue) files \(names)")
            ])
        }
        guard service.active else { throw DeskError.inconsistent([FieldError("service", "service \(service.code) is retired")]) }
        if severity != nil { try FeedbackRules.requireKind(service, .classify) }
        let first = service.route[0]
        // Online reception (Decree 61/2018 art. 17(2)): a dossier a portal files waits, with no
        // clock, until an officer has checked it and receives it (`receive`).
        if outcome == .accepted && actor.role == .integration && service.kind == .procedure {
            return IntakeDecision(state: .new, department: first.department, step: nil, severity: severity)
        }
        switch outcome {
        case .accepted:
            // Moments only (`quiet`): the lines are `explain-due`'s, which replays the clock.
            let due: DueComputation
            if let severity {
                var clock = TicketClock()
                let terms = TicketClock.Terms(service: service, channel: channel)
                clock.apply(.classified(at: now, severity: severity), terms: terms, time: time.quiet)
                clock.apply(.accepted(at: now), terms: terms, time: time.quiet)
                due = DueComputation(
                    countingStart: clock.countingStart ?? now, due: clock.due ?? now, lines: clock.lines, warnings: clock.warnings)
            } else {
                due = Reception.due(
                    receivedAt: now, limit: service.timeLimit, cutoff: Reception.cutoffApplies(service: service, channel: channel),
                    time: time.quiet)
            }
            return IntakeDecision(
                state: .queued, department: first.department, step: 0, due: due,
                firstStep: Reception.enter(first, visit: 1, position: 0, at: due.countingStart, time: time), severity: severity)
        case .incomplete:
            return IntakeDecision(state: .awaitingCitizen, department: first.department, step: 0, severity: severity)
        case .refused:
            return IntakeDecision(state: .rejected, department: nil, step: nil, closedAt: now)
        case .submitted:
            throw DeskError.validation([FieldError("outcome", "must be accepted, incomplete or refused")])
        }
    }
}
