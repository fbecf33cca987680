import Foundation

/// The decisions of a feedback item's life in a citizen connection centre (docs/feedback.md):
/// classing it, forwarding it to the bodies that must act and their answers, closing a
/// complaint or denunciation with guidance, reopening, merging a duplicate. Pure, as
/// `TicketRules`, which calls them after the checks of role, version and state.
public enum FeedbackRules {
    /// The service kinds an action applies to: feedback (*phản ánh, kiến nghị*); forwarding and
    /// the guidance on a complaint also to inquiries.
    static func requireKind(_ service: Service, _ action: TicketAction) throws {
        let kinds: Set<Service.Kind> = [.forward, .redirect].contains(action) ? [.feedback, .inquiry] : [.feedback]
        guard kinds.contains(service.kind) else {
            let names = Service.Kind.allCases.filter(kinds.contains).map(\.rawValue).joined(separator: " and ")
            throw DeskError.conflict("\(action.rawValue) applies to \(names) items; \(service.code) is of kind \(service.kind.rawValue)")
        }
    }

    /// Gives or changes the severity class: the class's limit and counting replace the
    /// service's from where the clock started; a change of class gives its reason.
    static func classify(_ change: inout TicketChange, _ facts: TicketFacts, _ request: ActionRequest, _ context: TicketContext) throws {
        let ticket = facts.ticket
        let service = try TicketRules.loaded(facts.service, "service")
        try requireKind(service, .classify)
        let code = try TicketRules.required(request.severity, "severity", "name the severity class")
        guard let given = facts.severityClass else {
            throw DeskError.inconsistent([FieldError("severity", "no severity class \(code); see GET /api/v1/severity-classes")])
        }
        if let current = ticket.severity {
            guard current.code != given.code else { throw DeskError.conflict("the item is already classed \(given.code)") }
            // (A rule of the ticket's state, not of the request's shape: 409.)
            guard let reason = Text.clean(request.note) else {
                throw DeskError.inconsistent([FieldError("note", "the item is classed \(current.code): a change of class gives its reason")]
                )
            }
            change.detail["reason"] = reason
            change.detail["previousClass"] = current.code
        } else if let note = Text.clean(request.note) {
            change.detail["note"] = note
        }
        var clock = TicketClock(ticket: ticket, pausedMinutes: facts.pausedMinutes, acceptedAt: facts.acceptedAt)
        clock.apply(
            .classified(at: context.now, severity: given.terms), terms: TicketClock.Terms(service: service, channel: ticket.channel),
            time: context.time)
        change.ticket.severity = given.terms
        change.ticket.countingStartAt = clock.countingStart
        change.ticket.dueAt = clock.due
        change.detail.merge(given.terms.detail) { $1 }
        change.detail["previousDueAt"] = ticket.dueAt.map(context.time.clock.describe)
        change.detail["dueAt"] = clock.due.map(context.time.clock.describe)
    }

    /// Forwards the item to the bodies that must act, one leading: the item moves to the lead's
    /// queue. Graded against 5 working days from reception (Decree 20/2008/NĐ-CP); each body
    /// must accept within the centre's acceptance limit.
    static func forward(_ change: inout TicketChange, _ facts: TicketFacts, _ request: ActionRequest, _ context: TicketContext) throws {
        let ticket = facts.ticket
        let service = try TicketRules.loaded(facts.service, "service")
        try requireKind(service, .forward)
        let given = request.bodies ?? []
        guard (1...10).contains(given.count) else {
            throw DeskError.validation([FieldError("bodies", "name 1 to 10 bodies (department codes)")])
        }
        var names: [String] = []
        for (index, name) in given.enumerated() {
            guard Department.isValidCode(name) else {
                throw DeskError.validation([FieldError("bodies[\(index)]", "must be a department code (e.g. ubnd-phuong)")])
            }
            if !names.contains(name) { names.append(name) }
        }
        if let lead = request.lead, !Department.isValidCode(lead) {
            throw DeskError.validation([FieldError("lead", "must be a department code (e.g. ubnd-phuong)")])
        }
        guard let lead = request.lead ?? (given.count == 1 ? names[0] : nil) else {
            throw DeskError.validation([FieldError("lead", "several bodies: name the one that leads")])
        }
        guard names.contains(lead) else { throw DeskError.inconsistent([FieldError("lead", "must be one of bodies")]) }
        if let leading = facts.forwards.first(where: { $0.lead && $0.active }) {
            throw DeskError.conflict("the item is already forwarded to \(leading.body), leading; it must send it back first")
        }
        guard lead != ticket.department else { throw DeskError.inconsistent([FieldError("lead", "the item is already with \(lead)")]) }
        for name in names {
            guard let body = facts.bodies[name] else { throw DeskError.notFound(entity: "department", id: name) }
            guard body.active else { throw DeskError.inconsistent([FieldError("bodies", "department \(name) is inactive")]) }
            if facts.forwards.contains(where: { $0.body == name && $0.active }) {
                throw DeskError.conflict("the item is already with \(name)")
            }
        }
        let (now, time) = (context.now, context.time)
        let forwardDue = Reception.due(receivedAt: ticket.receivedAt, limit: Severity.forwardLimit, cutoff: false, time: time.quiet).due
        let grade = time.grade(finishedAt: now, dueAt: forwardDue)
        let acceptDue = Reception.due(receivedAt: now, limit: context.centre.acceptanceLimit, cutoff: false, time: time.quiet).due
        for name in names {
            change.forwards.append(
                .send(
                    Forward(
                        body: name, lead: name == lead, fromDepartment: ticket.department, sentAt: now, sentBy: context.actor.username,
                        grade: grade, acceptDueAt: acceptDue)))
        }
        change.detail["bodies"] = names.joined(separator: ",")
        change.detail["lead"] = lead
        change.detail["leadName"] = facts.bodies[lead]?.name
        change.detail["forwardGrade"] = grade.rawValue
        change.detail["acceptDueAt"] = time.clock.describe(acceptDue)
        if let note = Text.clean(request.note) { change.detail["note"] = note }
        move(&change, facts, context, to: lead)
    }

    /// A body asked accepts the item, graded against its acceptance limit by the moment.
    static func accept(_ change: inout TicketChange, _ facts: TicketFacts, _ request: ActionRequest, _ context: TicketContext) throws {
        let forward = try askedBody(facts, request, context)
        guard forward.pending else {
            throw DeskError.conflict("\(forward.body) already accepted the item")
        }
        let grade: Timeliness = context.now <= forward.acceptDueAt ? .onTime : .late
        change.forwards.append(.accept(body: forward.body, by: context.actor.username, grade: grade))
        change.detail["body"] = forward.body
        change.detail["acceptanceGrade"] = grade.rawValue
        if let note = Text.clean(request.note) { change.detail["note"] = note }
        change.unchanged = true
    }

    /// A body asked sends the item back with its reason; when the lead does, the item goes back
    /// to the department that forwarded it, to be forwarded elsewhere.
    static func sendBack(_ change: inout TicketChange, _ facts: TicketFacts, _ request: ActionRequest, _ context: TicketContext) throws {
        let forward = try askedBody(facts, request, context)
        guard forward.pending else {
            throw DeskError.conflict("\(forward.body) accepted the item; a body that accepted answers it (progress, resolve)")
        }
        let reason = try TicketRules.required(request.note, "note", "sending back gives its reason (e.g. not our competence)")
        change.forwards.append(.sendBack(body: forward.body, by: context.actor.username, reason: reason))
        change.detail["body"] = forward.body
        change.detail["reason"] = reason
        if forward.lead, let back = forward.fromDepartment ?? facts.ticket.department {
            move(&change, facts, context, to: back)
        } else {
            change.unchanged = true
        }
    }

    /// Closes an item classed a complaint or a denunciation with the guidance and the competent
    /// body (Law on Complaints 2011, Law on Denunciations 2018): it is not feedback, and is
    /// counted apart.
    static func redirect(_ change: inout TicketChange, _ facts: TicketFacts, _ request: ActionRequest, _ context: TicketContext) throws {
        let service = try TicketRules.loaded(facts.service, "service")
        try requireKind(service, .redirect)
        guard let nature = Nature(rawValue: request.nature ?? "") else {
            throw DeskError.validation([FieldError("nature", "must be complaint or denunciation")])
        }
        let body = try TicketRules.required(request.body, "body", "name the body competent to settle it")
        let guidance = try TicketRules.required(request.note, "note", "give the citizen the guidance: where and how to file it")
        change.detail["nature"] = nature.rawValue
        change.detail["body"] = body
        change.detail["note"] = guidance
        close(&change, facts, service, context, note: "\(guidance) — \(body)")
        change.ticket.nature = nature
    }

    /// Merges a duplicate into another open item of the same service: the duplicate closes, and
    /// its reporter is told from then on what the other item's reporter is told.
    static func merge(_ change: inout TicketChange, _ facts: TicketFacts, _ request: ActionRequest, _ context: TicketContext) throws {
        let ticket = facts.ticket
        let service = try TicketRules.loaded(facts.service, "service")
        try requireKind(service, .merge)
        let into = try TicketRules.required(request.into, "into", "name the item this one duplicates")
        guard (request.into ?? "").unicodeScalars.count <= 64 else {
            throw DeskError.validation([FieldError("into", "must be a dossier code of at most 64 characters")])
        }
        guard into != ticket.code else { throw DeskError.inconsistent([FieldError("into", "an item is not merged into itself")]) }
        guard let target = facts.mergeTarget else { throw DeskError.notFound(entity: "ticket", id: into) }
        guard target.service == ticket.service, target.state.isOpen, target.mergedInto == nil else {
            throw DeskError.inconsistent([
                FieldError("into", "must be an open item of the same service (\(ticket.service)), not itself merged")
            ])
        }
        change.detail["into"] = into
        if let note = Text.clean(request.note) { change.detail["note"] = note }
        close(&change, facts, service, context, note: "merged into \(into)")
        change.ticket.mergedInto = into
    }

    /// The citizen reopens a resolved item once, within the centre's days of its resolution:
    /// it goes back to the body that resolved it with a new time limit from now.
    static func reopen(_ change: inout TicketChange, _ facts: TicketFacts, _ request: ActionRequest, _ context: TicketContext) throws {
        let ticket = facts.ticket
        let service = try TicketRules.loaded(facts.service, "service")
        try requireKind(service, .reopen)
        guard ticket.nature == nil, ticket.mergedInto == nil else {
            throw DeskError.conflict("a complaint or denunciation closed with guidance, or a merged duplicate, is not reopened")
        }
        guard ticket.reopened < 1 else { throw DeskError.conflict("the item was already reopened once") }
        let clock = context.time.clock
        guard let resolved = ticket.resolvedAt else { throw DeskError.conflict("the item has no resolution to reopen") }
        let days = context.centre.reopenDays
        let last = clock.local(resolved).date.adding(days: days)
        guard clock.local(context.now).date <= last else {
            throw DeskError.conflict("the item could be reopened until \(last), \(days) days after its resolution")
        }
        let reason = try TicketRules.required(request.note, "note", "say why the citizen is not satisfied")
        var ticking = TicketClock(ticket: ticket, pausedMinutes: 0)
        ticking.apply(.reopened(at: context.now), terms: TicketClock.Terms(service: service, channel: ticket.channel), time: context.time)
        let department = ticket.department ?? service.route[0].department
        change.steps.append(
            .enter(
                StepVisit(
                    visit: facts.visits + 1, position: ticket.step, department: department, allowance: nil, enteredAt: context.now,
                    dueAt: nil)))
        change.ticket.state = .queued
        change.ticket.department = department
        change.ticket.holder = nil
        change.ticket.outcome = nil
        change.ticket.outcomeNote = nil
        change.ticket.resolvedAt = nil
        change.ticket.returnedAt = nil
        change.ticket.earlyReturn = nil
        change.ticket.apologisedAt = nil
        change.ticket.revisedDueAt = nil
        change.ticket.countingStartAt = ticking.countingStart
        change.ticket.dueAt = ticking.due
        change.ticket.reopened += 1
        change.detail["reason"] = reason
        change.detail["toDepartment"] = department
        change.detail["dueAt"] = ticking.due.map(clock.describe)
    }

    // MARK: Helpers

    /// The forwarding a body's answer is about: the body named (a handler's own department by
    /// default), which must still have the item.
    static func askedBody(_ facts: TicketFacts, _ request: ActionRequest, _ context: TicketContext) throws -> Forward {
        let actor = context.actor
        if let body = request.body, !Department.isValidCode(body) {
            throw DeskError.validation([FieldError("body", "must be a department code (e.g. ubnd-phuong)")])
        }
        guard let name = request.body ?? (actor.role == .handler ? actor.department : nil) else {
            // Whether a body must be named depends on who answers (a handler's own by default): 409.
            throw DeskError.inconsistent([FieldError("body", "name the body that answers (a department code)")])
        }
        if actor.role == .handler && actor.department != name {
            throw DeskError.forbidden("a handler answers for its own department only")
        }
        guard let forward = facts.forwards.last(where: { $0.body == name && $0.active }) else {
            throw DeskError.conflict("the item was not forwarded to \(name), or \(name) sent it back")
        }
        return forward
    }

    /// Moves the item to `department`'s queue: the open step visit is left and graded, a new
    /// one (outside the route) opens.
    static func move(_ change: inout TicketChange, _ facts: TicketFacts, _ context: TicketContext, to department: String) {
        change.detail["fromDepartment"] = facts.ticket.department
        change.detail["toDepartment"] = department
        change.detail["grade"] = TicketRules.leave(&change, facts, context)?.rawValue
        change.steps.append(
            .enter(
                StepVisit(
                    visit: facts.visits + 1, position: nil, department: department, allowance: nil, enteredAt: context.now, dueAt: nil)))
        change.ticket.state = .queued
        change.ticket.department = department
        change.ticket.holder = nil
    }

    /// Closes the item here (answered, with `note`), ungraded: a complaint guided elsewhere or a
    /// merged duplicate is not judged against the feedback time limit.
    static func close(_ change: inout TicketChange, _ facts: TicketFacts, _ service: Service, _ context: TicketContext, note: String) {
        change.detail["grade"] = TicketRules.leave(&change, facts, context)?.rawValue
        TicketRules.finish(&change, facts, service, context, outcome: .answered, note: note, timeliness: nil)
        change.ticket.holder = nil
    }
}
