import Foundation

/// What a ticket action depends on beyond the ticket itself: storage loads exactly these
/// (`TicketRules.needs`) and hands them to the decision. Anything missing is nil, and the
/// decision says why that is a problem, after the checks of role, version and state.
public struct TicketFacts: Sendable {
    public struct Needs: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// The ticket's service (route, time limit, rules).
        public static let service = Needs(rawValue: 1)
        /// The open step visit and the number of visits so far.
        public static let steps = Needs(rawValue: 2)
        /// The ticket's current department (who may decide there).
        public static let department = Needs(rawValue: 4)
        /// The department a transfer names.
        public static let target = Needs(rawValue: 8)
        /// The handler a reassignment names.
        public static let handler = Needs(rawValue: 16)
        /// The stored durations (acceptance, time waited on the citizen).
        public static let durations = Needs(rawValue: 32)
        /// The bodies the item was forwarded to.
        public static let forwards = Needs(rawValue: 64)
        /// The severity class the request names.
        public static let severity = Needs(rawValue: 128)
        /// The departments the request names as bodies (`bodies`, `body`).
        public static let bodies = Needs(rawValue: 256)
        /// The item a merge names (`into`).
        public static let mergeTarget = Needs(rawValue: 512)
        /// The payments of the ticket's charges.
        public static let payments = Needs(rawValue: 1024)
    }

    public var ticket: Ticket
    public var service: Service?
    public var openStep: StepVisit?
    public var visits = 0
    public var department: Department?
    public var target: Department?
    public var handler: Staff?
    public var acceptedAt: Date?
    public var pausedMinutes = 0
    /// Every forwarding of the item, oldest first.
    public var forwards: [Forward] = []
    public var severityClass: SeverityClass?
    /// The departments named as bodies, by code (those that exist).
    public var bodies: [String: Department] = [:]
    public var mergeTarget: Ticket?
    public var payments: [Payment] = []

    public init(ticket: Ticket) {
        self.ticket = ticket
    }
}

/// Who acts, when, and under which settings and calendar.
public struct TicketContext: Sendable {
    public var actor: Staff
    public var now: Date
    public var time: WorkingTime
    public var centre: Centre

    public init(actor: Staff, now: Date, time: WorkingTime, centre: Centre) {
        self.actor = actor
        self.now = now
        self.time = time
        self.centre = centre
    }
}

/// What an action does to the control sheet's step visits.
public enum StepEffect: Equatable, Sendable {
    /// The open visit is claimed now.
    case claim(at: Date)
    /// The open visit is left now, with its grade.
    case leave(visit: Int, grade: Timeliness?)
    /// A new visit opens.
    case enter(StepVisit)
    /// The open visit's due moment moves (a pause or a restart of the clock).
    case moveDue(visit: Int, to: Date?)
}

/// What an action does to the stored durations that reports read (docs/reports.md).
public struct DurationEffect: Equatable, Sendable {
    /// Working minutes waited on the citizen, added.
    public var addPausedMinutes = 0
    /// The moment the dossier was accepted, when it is accepted now.
    public var acceptedAt: Date?
    /// Set at the result: the grade and the handling time.
    public var resolution: Resolution?

    public struct Resolution: Equatable, Sendable {
        public var timeliness: Timeliness?
        public var calendarMinutes: Int
        public var workingMinutes: Int
    }
}

/// The outcome of a decision: the new ticket, the event detail (hashed into the audit chain:
/// its keys never change), and the effects on steps and durations. Storage applies all of it
/// in the action's transaction.
public struct TicketChange: Sendable {
    public let original: Ticket
    public var ticket: Ticket
    public let now: Date
    public var detail: [String: String?] = [:]
    /// A note changes nothing but the trail.
    public var unchanged = false
    public var steps: [StepEffect] = []
    public var durations = DurationEffect()
    public var forwards: [ForwardEffect] = []
    /// Payments recorded.
    public var payments: [Payment] = []

    init(ticket: Ticket, now: Date) {
        original = ticket
        self.ticket = ticket
        self.now = now
    }
}

/// The decisions of a ticket's life (SPEC §2), one per action, pure: the facts, the request,
/// the actor, now, the calendar and the settings in; a `TicketChange` out, or the error that
/// says why not. Checks run in the contract's order: role (403), the client's version (409),
/// the state (409 naming the allowed actions), then the action's own rules. Who may see the
/// ticket at all (404) is `Permissions.canSee`, checked before the facts are loaded.
public enum TicketRules {
    /// What each action needs loaded.
    public static func needs(_ action: TicketAction) -> TicketFacts.Needs {
        switch action {
        case .claim: [.steps]
        case .transfer: [.service, .steps, .department, .target]
        case .requestSupplement, .rate, .note, .return, .apologise: []
        case .supplementReceived: [.service, .steps, .durations]
        case .resolve: [.service, .steps, .department, .durations]
        case .reject, .withdraw: [.steps]
        case .reassign: [.handler]
        case .progress: []
        case .classify: [.service, .severity, .durations]
        case .forward: [.service, .steps, .forwards, .bodies]
        case .accept: [.forwards]
        case .sendBack: [.steps, .forwards]
        case .redirect, .merge: [.service, .steps, .durations, .mergeTarget]
        case .reopen: [.service, .steps]
        case .pay, .exempt: [.service, .steps, .durations, .payments]
        case .receive: [.service, .steps]
        }
    }

    public static func decide(_ action: TicketAction, _ facts: TicketFacts, _ request: ActionRequest, _ context: TicketContext) throws
        -> TicketChange
    {
        let ticket = facts.ticket
        let actor = context.actor
        guard Lifecycle.roles(action).contains(actor.role) else {
            throw DeskError.forbidden("role \(actor.role.rawValue) may not \(action.rawValue) tickets")
        }
        if let version = request.version, version != ticket.version {
            throw DeskError.staleVersion(current: ticket.version)
        }
        guard Lifecycle.fromStates(action).contains(ticket.state) else {
            throw DeskError.illegalTransition(
                action: action.rawValue, state: ticket.state.rawValue, allowed: Lifecycle.allowedActions(from: ticket.state).map(\.rawValue)
            )
        }
        var change = TicketChange(ticket: ticket, now: context.now)
        switch action {
        case .claim: try claim(&change, facts, context)
        case .transfer: try transfer(&change, facts, request, context)
        case .requestSupplement: try requestSupplement(&change, request, context)
        case .supplementReceived: try supplementReceived(&change, facts, context)
        case .resolve: try resolve(&change, facts, request, context)
        case .return: returnResult(&change, context)
        case .reject: try reject(&change, facts, request, context)
        case .withdraw: withdraw(&change, facts, request, context)
        case .apologise: try apologise(&change, request, context)
        case .rate: try rate(&change, request)
        case .note:
            change.detail["note"] = try required(request.note, "note", "a note needs text")
            change.unchanged = true
        case .reassign: try reassign(&change, facts, request)
        case .progress: try progress(&change, request, context)
        case .classify: try FeedbackRules.classify(&change, facts, request, context)
        case .forward: try FeedbackRules.forward(&change, facts, request, context)
        case .accept: try FeedbackRules.accept(&change, facts, request, context)
        case .sendBack: try FeedbackRules.sendBack(&change, facts, request, context)
        case .redirect: try FeedbackRules.redirect(&change, facts, request, context)
        case .reopen: try FeedbackRules.reopen(&change, facts, request, context)
        case .merge: try FeedbackRules.merge(&change, facts, request, context)
        case .pay: try PaymentRules.pay(&change, facts, request, context)
        case .exempt: try PaymentRules.exempt(&change, facts, request, context)
        case .receive: try receive(&change, facts, context)
        }
        return change
    }

    // MARK: The actions

    static func claim(_ change: inout TicketChange, _ facts: TicketFacts, _ context: TicketContext) throws {
        let actor = context.actor
        if actor.role == .handler && actor.department != facts.ticket.department {
            throw DeskError.forbidden("handlers claim tickets of their own department only")
        }
        change.ticket.state = .inProgress
        change.ticket.holder = actor.username
        change.steps.append(.claim(at: context.now))
    }

    static func transfer(_ change: inout TicketChange, _ facts: TicketFacts, _ request: ActionRequest, _ context: TicketContext) throws {
        let ticket = facts.ticket
        try Permissions.requireHolder(ticket, context.actor, .transfer)
        let service = try loaded(facts.service, "service")
        // A route's deciding step is passed only by a decision of someone allowed to decide (SPEC §1).
        if let text = request.outcome {
            guard let deciding = service.decidingStep, ticket.decision == nil else {
                throw DeskError.inconsistent([
                    FieldError("outcome", "a transfer carries a decision only from the route's deciding step, once")
                ])
            }
            guard let outcome = Ticket.Outcome(rawValue: text), outcome != .answered else {
                throw DeskError.validation([FieldError("outcome", "a decision is granted or refused")])
            }
            if outcome == .refused {
                change.detail["reasons"] = try required(request.note, "note", "a refusal gives its reasons")
            }
            try RouteRules.checkDecision(
                ticket: ticket, service: service, deciding: deciding, department: facts.department, actor: context.actor,
                mode: context.centre.mode)
            change.ticket.decision = outcome
            change.detail["decision"] = outcome.rawValue
        }
        let visit = facts.visits + 1
        let target: RouteStep
        var position: Int?
        if let named = Text.clean(request.department) {
            let reason = try required(request.note, "note", "a transfer to a named department gives its reason")
            guard let department = facts.target else { throw DeskError.notFound(entity: "department", id: named) }
            guard department.active else { throw DeskError.inconsistent([FieldError("department", "department \(named) is inactive")]) }
            target = RouteStep(department: named)
            change.detail["reason"] = reason
        } else {
            let next = (ticket.step ?? -1) + 1
            guard next < service.route.count else {
                throw DeskError.conflict("the ticket is at the last step of its route; resolve it, or name a department to transfer to")
            }
            // (A ticket that passed it before this rule existed has no decision and goes on as before.)
            if let deciding = service.decidingStep, ticket.step == deciding, change.ticket.decision == nil {
                throw DeskError.conflict(
                    "step \(deciding) (\(service.route[deciding].department)) is the deciding step: it is passed only by a decision; transfer with outcome granted or refused, as someone allowed to decide"
                )
            }
            target = service.route[next]
            position = next
            change.ticket.step = next
            if change.detail["reasons"] == nil, let note = Text.clean(request.note) { change.detail["note"] = note }
        }
        change.detail["fromDepartment"] = ticket.department
        change.detail["toDepartment"] = target.department
        change.detail["grade"] = leave(&change, facts, context)?.rawValue
        change.steps.append(.enter(Reception.enter(target, visit: visit, position: position, at: context.now, time: context.time)))
        change.ticket.state = .queued
        change.ticket.department = target.department
        change.ticket.holder = nil
        change.ticket.supplementRequests = 0  // a new stage
    }

    static func requestSupplement(_ change: inout TicketChange, _ request: ActionRequest, _ context: TicketContext) throws {
        let ticket = change.ticket
        let actor = context.actor
        try Permissions.requireHolder(ticket, actor, .requestSupplement)
        guard let kind = Ticket.AwaitingReason(rawValue: request.kind ?? "supplement") else {
            throw DeskError.validation([FieldError("kind", "must be supplement or payment")])
        }
        let missing = (request.missing ?? []).map(Text.clean).filter { !$0.isEmpty }
        if kind == .supplement && missing.isEmpty {
            // Decree 61/2018 art. 15(3): every missing item, in one single request.
            throw DeskError.validation([FieldError("missing", "a supplement request lists every missing item")])
        }
        if ticket.supplementRequests >= 1 {
            // One request per stage (Decree 61/2018 art. 11(2)(c)); a supervisor may override, and it is reported.
            guard [.supervisor, .admin].contains(actor.role), let reason = Text.clean(request.override) else {
                throw DeskError.conflict(
                    "a supplement request was already made at this stage; only a supervisor may make another, giving an override reason")
            }
            change.detail["override"] = reason
            change.detail["secondRequest"] = "true"
        }
        change.detail["kind"] = kind.rawValue
        if !missing.isEmpty { change.detail["missing"] = missing.joined(separator: "; ") }
        change.ticket.resumeState = ticket.state
        change.ticket.state = .awaitingCitizen
        change.ticket.awaitingReason = kind
        change.ticket.pausedAt = context.now
        change.ticket.supplementRequests += 1
    }

    static func supplementReceived(_ change: inout TicketChange, _ facts: TicketFacts, _ context: TicketContext) throws {
        if facts.ticket.holder != nil { try Permissions.requireHolder(facts.ticket, context.actor, .supplementReceived) }
        try resume(&change, facts, context)
    }

    /// The end of a wait on the citizen (a supplement received, or everything due paid): back to
    /// the state it came from, the clock started, restarted or resumed.
    static func resume(_ change: inout TicketChange, _ facts: TicketFacts, _ context: TicketContext) throws {
        let ticket = facts.ticket
        let service = try loaded(facts.service, "service")
        let now = context.now
        var clock = TicketClock(ticket: ticket, pausedMinutes: facts.pausedMinutes)
        let terms = TicketClock.Terms(service: service, channel: ticket.channel)
        if ticket.countingStartAt == nil {
            clock.apply(.completed(at: now), terms: terms, time: context.time)
        } else {
            // Decree 61/2018 art. 19(4): a completed supplement restarts the time limit; a payment, or the pause rule, resumes it.
            let restart = ticket.awaitingReason == .supplement && service.supplementRule == .restart
            clock.apply(.resumed(at: now, restart: restart), terms: terms, time: context.time)
        }
        // A dossier submitted online and completed is received: it goes to the queue.
        let back = ticket.resumeState ?? .queued
        change.ticket.state = back == .new ? .queued : back
        change.ticket.resumeState = nil
        change.ticket.awaitingReason = nil
        change.ticket.pausedAt = nil
        change.ticket.countingStartAt = clock.countingStart
        change.ticket.dueAt = clock.due
        change.durations.addPausedMinutes = clock.pausedMinutes - facts.pausedMinutes
        change.detail["clock"] = clock.change
        switch clock.change {
        case "start":
            // Incomplete at intake, now complete: accepted now, the route starts.
            change.ticket.step = 0
            change.ticket.department = service.route[0].department
            change.durations.acceptedAt = now
            change.steps.append(
                .enter(
                    Reception.enter(
                        service.route[0], visit: facts.visits + 1, position: 0, at: clock.countingStart ?? now, time: context.time)))
        case "restart":
            change.detail["previousDueAt"] = ticket.dueAt.map(context.time.clock.describe)
            // The step's allowance starts again with the time limit: the department is not
            // graded for the citizen's delay.
            // It counts from where the ticket's clock starts again (after the cut-off: tomorrow's opening).
            if let step = facts.openStep, step.allowance != nil {
                let start = clock.countingStart ?? now
                change.steps.append(
                    .moveDue(visit: step.visit, to: Reception.stepDue(enteredAt: start, allowance: step.allowance, time: context.time)))
            }
        case "pause":
            change.detail["pausedMinutes"] = String(clock.lastWait)
            change.detail["previousDueAt"] = ticket.dueAt.map(context.time.clock.describe)
            if let step = facts.openStep, let due = step.dueAt {
                change.steps.append(.moveDue(visit: step.visit, to: context.time.walk(minutes: clock.lastWait, from: due).due))
            }
        default: break
        }
        change.detail["dueAt"] = change.ticket.dueAt.map(context.time.clock.describe)
    }

    /// Online reception (Decree 61/2018 art. 17(2)): an officer has checked a dossier a portal
    /// submitted and receives it; the clock starts now, by the same rules as at the counter (an
    /// electronic channel: no cut-off, outside working hours from the next opening). Graded
    /// against the centre's reception limit from the submission, by the moment.
    static func receive(_ change: inout TicketChange, _ facts: TicketFacts, _ context: TicketContext) throws {
        let ticket = facts.ticket
        let service = try loaded(facts.service, "service")
        let (now, time) = (context.now, context.time)
        var clock = TicketClock()
        clock.apply(.accepted(at: now), terms: TicketClock.Terms(service: service, channel: ticket.channel), time: time)
        let first = service.route[0]
        change.steps.append(
            .enter(Reception.enter(first, visit: facts.visits + 1, position: 0, at: clock.countingStart ?? now, time: time)))
        change.durations.acceptedAt = now
        change.ticket.state = .queued
        change.ticket.step = 0
        change.ticket.department = first.department
        change.ticket.countingStartAt = clock.countingStart
        change.ticket.dueAt = clock.due
        let limit = Reception.due(receivedAt: ticket.receivedAt, limit: context.centre.receptionLimit, cutoff: false, time: time.quiet).due
        change.detail["receptionGrade"] = (now <= limit ? Timeliness.onTime : .late).rawValue
        change.detail["clock"] = "start"
        change.detail["dueAt"] = clock.due.map(time.clock.describe)
    }

    static func resolve(_ change: inout TicketChange, _ facts: TicketFacts, _ request: ActionRequest, _ context: TicketContext) throws {
        let ticket = facts.ticket
        try Permissions.requireHolder(ticket, context.actor, .resolve)
        guard let outcome = Ticket.Outcome(rawValue: request.outcome ?? "") else {
            throw DeskError.validation([FieldError("outcome", "must be granted, answered or refused")])
        }
        var note = Text.clean(request.note)
        if outcome == .refused {
            // Decree 61/2018 art. 19(8): a refusal after appraisal gives its reasons.
            note = try required(request.note, "note", "a refusal gives its reasons")
        }
        if ticket.state == .awaitingCitizen {
            guard ticket.countingStartAt != nil else {
                throw DeskError.conflict("the dossier was never accepted (incomplete at intake); reject it instead")
            }
            guard outcome == .refused else {
                throw DeskError.conflict(
                    "a ticket waiting on the citizen is resolved only as refused (the citizen never completed it); otherwise record the supplement first"
                )
            }
        }
        let service = try loaded(facts.service, "service")
        if let deciding = service.decidingStep {
            // A procedure with a deciding step ends with a decision (SPEC §1), taken there.
            guard outcome != .answered else {
                throw DeskError.conflict("\(service.code) ends with a decision at its deciding step: granted or refused, not answered")
            }
            if let decided = ticket.decision {
                guard decided == outcome else {
                    throw DeskError.conflict("the decision taken at the deciding step was \(decided.rawValue); the result is that decision")
                }
            } else if let step = ticket.step, step > deciding {
                // Passed before the rule existed (no decision recorded): resolved as before.
            } else {
                try RouteRules.checkDecision(
                    ticket: ticket, service: service, deciding: deciding, department: facts.department, actor: context.actor,
                    mode: context.centre.mode)
                change.ticket.decision = outcome
                change.detail["decision"] = outcome.rawValue
            }
        }
        let now = context.now
        // Graded where the clock stands: a dossier refused while waiting on the citizen is judged
        // at the moment its clock stopped (`Deadline.reference`), as overdue is.
        let finished = Deadline.reference(ticket, now: now)
        change.detail["outcome"] = outcome.rawValue
        change.detail["grade"] = leave(&change, facts, context, at: finished)?.rawValue
        // A round-the-clock class is judged by the moment (an urgent incident due at 14:00 and
        // handled at 18:00 is late); everything else by date, as the national indicators count.
        let timeliness = ticket.dueAt.map {
            ticket.severity?.roundTheClock == true
                ? (finished <= $0 ? Timeliness.onTime : .late) : context.time.grade(finishedAt: finished, dueAt: $0)
        }
        change.detail["timeliness"] = timeliness?.rawValue
        finish(&change, facts, service, context, outcome: outcome, note: note, timeliness: timeliness)
    }

    /// Ends the ticket with a result now: a wait on the citizen it is in ends (a refusal of a
    /// dossier never completed), and the durations are computed once.
    static func finish(
        _ change: inout TicketChange, _ facts: TicketFacts, _ service: Service, _ context: TicketContext, outcome: Ticket.Outcome,
        note: String?, timeliness: Timeliness?
    ) {
        let ticket = facts.ticket
        var clock = TicketClock(ticket: ticket, pausedMinutes: facts.pausedMinutes)
        clock.apply(.resolved(at: context.now), terms: TicketClock.Terms(service: service, channel: ticket.channel), time: context.time)
        change.durations.addPausedMinutes = clock.pausedMinutes - facts.pausedMinutes
        change.durations.resolution = handlingTime(facts, clock, context, timeliness: timeliness)
        change.ticket.state = .resolved
        change.ticket.resolvedAt = context.now
        change.ticket.outcome = outcome
        change.ticket.outcomeNote = note
        change.ticket.pausedAt = nil
        change.ticket.awaitingReason = nil
        change.ticket.resumeState = nil
    }

    static func returnResult(_ change: inout TicketChange, _ context: TicketContext) {
        let ticket = change.ticket
        let clock = context.time.clock
        let appointment = ticket.revisedDueAt ?? ticket.dueAt
        let early = appointment.map { clock.local(context.now).date < clock.local($0).date } ?? false
        change.ticket.state = .returned
        change.ticket.returnedAt = context.now
        change.ticket.earlyReturn = early
        change.detail["earlyReturn"] = early ? "true" : "false"
    }

    static func reject(_ change: inout TicketChange, _ facts: TicketFacts, _ request: ActionRequest, _ context: TicketContext) throws {
        if let accepted = facts.ticket.countingStartAt {
            throw DeskError.conflict(
                "the dossier was accepted (its clock started \(context.time.clock.describe(accepted))); after acceptance a refusal is resolve with outcome refused (Decree 61/2018 art. 19(8))"
            )
        }
        let reasons = try required(request.note, "note", "a rejection gives its reasons")
        change.detail["reasons"] = reasons
        change.detail["grade"] = leave(&change, facts, context)?.rawValue
        change.ticket.state = .rejected
        change.ticket.closedAt = context.now
        change.ticket.outcomeNote = reasons
        change.ticket.holder = nil
    }

    static func withdraw(_ change: inout TicketChange, _ facts: TicketFacts, _ request: ActionRequest, _ context: TicketContext) {
        // Decree 118/2025 art. 21: a stop at the citizen's request, only while no result exists.
        if let note = Text.clean(request.note) { change.detail["note"] = note }
        change.detail["grade"] = leave(&change, facts, context)?.rawValue
        change.ticket.state = .withdrawn
        change.ticket.closedAt = context.now
        change.ticket.holder = nil
    }

    /// Progress: what the responsible department has done, told to the citizen (and, for a
    /// request from Open311, in its `status_notes`), with the day it commits to finish by when it
    /// cannot finish in time. Nothing on the ticket changes: the legal due moment stays.
    static func progress(_ change: inout TicketChange, _ request: ActionRequest, _ context: TicketContext) throws {
        let text = try required(request.note, "note", "progress needs text: what was done")
        var committed: LocalDate?
        if let value = request.committedDate {
            guard let date = LocalDate(value) else {
                throw DeskError.validation([FieldError("committedDate", "must be a date YYYY-MM-DD")])
            }
            let today = context.time.clock.local(context.now).date
            guard date >= today else {
                throw DeskError.inconsistent([FieldError("committedDate", "is before today (\(today))")])
            }
            committed = date
        }
        let photos = request.photos ?? []
        guard photos.count <= 10 else { throw DeskError.validation([FieldError("photos", "at most 10 photos")]) }
        for (index, link) in photos.enumerated() {
            // Printable ASCII without spaces after http(s)://, as openapi.yaml's pattern says.
            guard link.unicodeScalars.count <= 2000, Text.matches(link, "^[Hh][Tt][Tt][Pp][Ss]?://[!-~]+$") else {
                throw DeskError.validation([FieldError("photos[\(index)]", "must be an http(s) link to a photo")])
            }
        }
        change.detail["note"] = text
        change.detail["committedDate"] = committed?.description
        if !photos.isEmpty { change.detail["photos"] = String(photos.count) }
        change.unchanged = true
    }

    static func apologise(_ change: inout TicketChange, _ request: ActionRequest, _ context: TicketContext) throws {
        let ticket = change.ticket
        let clock = context.time.clock
        guard ticket.apologisedAt == nil else {
            throw DeskError.conflict("an apology and new appointment was already issued; Decree 61/2018 art. 19(9) allows only one")
        }
        guard let due = ticket.dueAt else { throw DeskError.conflict("the ticket has no due moment yet (it is not complete)") }
        let reason = try required(request.note, "note", "an apology gives the reason for the delay")
        guard let revised = request.revisedDueAt else {
            throw DeskError.validation([FieldError("revisedDueAt", "is required: the new appointment")])
        }
        guard revised > due else {
            throw DeskError.inconsistent([FieldError("revisedDueAt", "must be after the current due moment \(clock.describe(due))")])
        }
        // Decree 61/2018 art. 19(9): at least one day before the due date, counted by date in
        // working days (the centre's setting, default 1): on a `1 d` dossier, the day before.
        let lead = context.centre.apologyLeadDays
        let latest = context.time.workingDay(lead, before: clock.local(due).date)
        let today = clock.local(context.now).date
        guard context.now < due, today <= latest else {
            throw DeskError.conflict(
                "an apology must be issued by \(latest), \(lead) working day(s) before the due date \(clock.describe(due)) (Decree 61/2018 art. 19(9)); today is \(today)"
            )
        }
        change.ticket.apologisedAt = context.now
        change.ticket.revisedDueAt = revised
        change.detail["reason"] = reason
        change.detail["revisedDueAt"] = clock.describe(revised)
    }

    static func rate(_ change: inout TicketChange, _ request: ActionRequest) throws {
        guard change.ticket.rating == nil else { throw DeskError.conflict("the ticket is already rated") }
        guard let rating = Ticket.Rating(rawValue: request.rating ?? "") else {
            throw DeskError.validation([FieldError("rating", "must be very-satisfied, satisfied or dissatisfied")])
        }
        change.ticket.rating = rating
        change.ticket.ratingComment = Text.clean(request.note)
        change.detail["rating"] = rating.rawValue
    }

    static func reassign(_ change: inout TicketChange, _ facts: TicketFacts, _ request: ActionRequest) throws {
        let ticket = facts.ticket
        let username = try required(request.handler, "handler", "name the handler to give the ticket to")
        guard let handler = facts.handler else { throw DeskError.notFound(entity: "staff", id: username) }
        guard handler.active, handler.role == .handler, handler.department == ticket.department else {
            throw DeskError.inconsistent([
                FieldError("handler", "\(username) is not an active handler of \(ticket.department ?? "the ticket's department")")
            ])
        }
        change.detail["fromHolder"] = ticket.holder
        change.detail["toHolder"] = username
        change.ticket.holder = username
    }

    // MARK: Helpers

    /// The durations computed once, at the result (reports read them; the replay recomputes
    /// them): calendar and working minutes from acceptance, less the time waited on the citizen.
    static func handlingTime(_ facts: TicketFacts, _ clock: TicketClock, _ context: TicketContext, timeliness: Timeliness?)
        -> DurationEffect.Resolution
    {
        let now = context.now
        let accepted = facts.acceptedAt ?? facts.ticket.receivedAt
        return DurationEffect.Resolution(
            timeliness: timeliness,
            calendarMinutes: Int((now.timeIntervalSince1970.rounded(.down) - accepted.timeIntervalSince1970.rounded(.down)) / 60),
            workingMinutes: max(0, context.time.workingMinutes(from: accepted, to: now) - clock.pausedMinutes))
    }

    /// Leaves the open step visit now and grades it against its own allowance (at `finished`,
    /// by default now).
    static func leave(_ change: inout TicketChange, _ facts: TicketFacts, _ context: TicketContext, at finished: Date? = nil) -> Timeliness?
    {
        guard let step = facts.openStep else { return nil }
        let grade = step.dueAt.map { context.time.grade(finishedAt: finished ?? context.now, dueAt: $0) }
        change.steps.append(.leave(visit: step.visit, grade: grade))
        return grade
    }

    static func required(_ text: String?, _ field: String, _ message: String) throws -> String {
        guard let text = Text.clean(text) else { throw DeskError.validation([FieldError(field, message)]) }
        guard text.unicodeScalars.count <= 4000 else { throw DeskError.validation([FieldError(field, "must be at most 4000 characters")]) }
        return text
    }

    static func loaded<Value>(_ value: Value?, _ what: String) throws -> Value {
        guard let value else { throw DeskError.conflict("the ticket's \(what) could not be read") }
        return value
    }
}
