import Foundation
import GRDB

extension AppDatabase {
    /// Performs one action of SPEC §2 on a ticket: checks who may see it (404), who may do it
    /// (403), the client's version (409), the state (409 naming the allowed actions) and the
    /// action's own rules; then writes the change and its event in one transaction.
    public func perform(_ action: TicketAction, on code: String, _ request: ActionRequest, actor: Staff) async throws -> TicketView {
        let now = clock()
        return try await write { db in
            let ticket = try Self.visibleTicket(db, code, viewer: actor)
            try Self.check(action, on: ticket, request, actor: actor)
            let (centre, time) = try self.workingTime(db)
            var change = TicketChange(ticket: ticket, now: now)
            try Self.apply(action, to: &change, request, actor: actor, centre: centre, time: time, db: db)
            try Self.save(db, change, action: action, actor: actor)
            return try Self.view(db, try Self.ticket(db, code), time: time, now: now, withApplicant: true)
        }
    }

    /// "Queue next": the department's next queued ticket — priority first, then the earliest
    /// due moment, then the oldest — claimed by `actor` in the same write transaction, so two
    /// handlers never get the same ticket. Nil when the queue is empty.
    public func claimNext(department: String, actor: Staff) async throws -> TicketView? {
        let now = clock()
        return try await write { db in
            _ = try Self.department(db, department)
            if actor.role == .handler && actor.department != department {
                throw DeskError.forbidden("handlers take work from their own department's queue only")
            }
            guard Lifecycle.roles(.claim).contains(actor.role) else {
                throw DeskError.forbidden("role \(actor.role.rawValue) may not claim tickets")
            }
            guard let code = try db.fetchValue(String.self, sql: Self.queueSQL("code") + " LIMIT 1", arguments: [department]) else {
                return nil
            }
            let (centre, time) = try self.workingTime(db)
            var change = TicketChange(ticket: try Self.ticket(db, code), now: now)
            try Self.apply(.claim, to: &change, ActionRequest(), actor: actor, centre: centre, time: time, db: db)
            try Self.save(db, change, action: .claim, actor: actor)
            return try Self.view(db, try Self.ticket(db, code), time: time, now: now, withApplicant: true)
        }
    }

    /// The queue order of SPEC §2: priority first, then earliest due, then oldest.
    static func queueSQL(_ columns: String) -> String {
        """
        SELECT \(columns) FROM ticket WHERE department = ? AND state = 'queued'
        ORDER BY (CASE priority WHEN 'urgent' THEN 0 WHEN 'priority' THEN 1 ELSE 2 END), due_at, received_at, code
        """
    }

    /// A department's work queue, in the order "next" takes it.
    public func queue(department: String, viewer: Staff, limit: Int = 100) async throws -> [TicketView] {
        let now = clock()
        return try await read { db in
            _ = try Self.department(db, department)
            if viewer.role == .handler && viewer.department != department {
                throw DeskError.notFound(entity: "department queue", id: department)
            }
            guard [.admin, .supervisor, .officer, .handler].contains(viewer.role) else {
                throw DeskError.forbidden("role \(viewer.role.rawValue) may not see work queues")
            }
            let (_, time) = try self.workingTime(db)
            // One query for the whole queue (it was one more per ticket).
            return try Row.fetchAll(db, sql: Self.queueSQL("*") + " LIMIT ?", arguments: [department, limit]).map {
                try Self.view(db, Ticket(row: $0), time: time, now: now, withApplicant: false)
            }
        }
    }

    // MARK: Checks shared by every action

    static func check(_ action: TicketAction, on ticket: Ticket, _ request: ActionRequest, actor: Staff) throws {
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
    }

    /// Supervisors and admins act on any ticket; a handler only on what they hold.
    static func requireHolder(_ ticket: Ticket, _ actor: Staff, _ action: TicketAction) throws {
        if [.supervisor, .admin].contains(actor.role) { return }
        if actor.role == .officer && [.requestSupplement, .supplementReceived].contains(action) { return }
        guard ticket.holder == actor.username else {
            throw DeskError.forbidden("only the holder (\(ticket.holder ?? "nobody")) or a supervisor may \(action.rawValue) this ticket")
        }
    }

    static func required(_ text: String?, _ field: String, _ message: String) throws -> String {
        guard let text = Text.clean(text) else { throw DeskError.validation([FieldError(field, message)]) }
        guard text.count <= 4000 else { throw DeskError.validation([FieldError(field, "must be at most 4000 characters")]) }
        return text
    }

    // MARK: The actions

    static func apply(
        _ action: TicketAction, to change: inout TicketChange, _ request: ActionRequest, actor: Staff, centre: Centre, time: WorkingTime,
        db: Database
    ) throws {
        let ticket = change.ticket
        let now = change.now
        switch action {
        case .claim:
            if actor.role == .handler && actor.department != ticket.department {
                throw DeskError.forbidden("handlers claim tickets of their own department only")
            }
            change.ticket.state = .inProgress
            change.ticket.holder = actor.username
            try db.cachedExecute(
                sql: "UPDATE ticket_step SET claimed_at = ? WHERE ticket = ? AND left_at IS NULL",
                arguments: [now.storedSeconds, ticket.code])

        case .transfer:
            try requireHolder(ticket, actor, action)
            let service = try service(db, ticket.service)
            let visit =
                (try db.fetchValue(Int.self, sql: "SELECT max(visit) FROM ticket_step WHERE ticket = ?", arguments: [ticket.code]) ?? 0) + 1
            let target: RouteStep
            var position: Int?
            if let named = Text.clean(request.department) {
                let reason = try required(request.note, "note", "a transfer to a named department gives its reason")
                let department = try Self.department(db, named)
                guard department.active else { throw DeskError.validation([FieldError("department", "department \(named) is inactive")]) }
                target = RouteStep(department: named)
                change.detail["reason"] = reason
            } else {
                let next = (ticket.step ?? -1) + 1
                guard next < service.route.count else {
                    throw DeskError.conflict("the ticket is at the last step of its route; resolve it, or name a department to transfer to")
                }
                target = service.route[next]
                position = next
                change.ticket.step = next
                if let note = Text.clean(request.note) { change.detail["note"] = note }
            }
            change.detail["fromDepartment"] = ticket.department
            change.detail["toDepartment"] = target.department
            change.detail["grade"] = try leaveStep(db, code: ticket.code, at: now, time: time)?.rawValue
            try enterStep(db, code: ticket.code, visit: visit, position: position, step: target, at: now, time: time)
            change.ticket.state = .queued
            change.ticket.department = target.department
            change.ticket.holder = nil
            change.ticket.supplementRequests = 0  // a new stage

        case .requestSupplement:
            try requireHolder(ticket, actor, action)
            let kind = Ticket.AwaitingReason(rawValue: request.kind ?? "supplement")
            guard let kind else { throw DeskError.validation([FieldError("kind", "must be supplement or payment")]) }
            let missing = (request.missing ?? []).map(Text.clean).filter { !$0.isEmpty }
            if kind == .supplement && missing.isEmpty {
                // Decree 61/2018 art. 15(3): every missing item, in one single request.
                throw DeskError.validation([FieldError("missing", "a supplement request lists every missing item")])
            }
            if ticket.supplementRequests >= 1 {
                // One request per stage (Decree 61/2018 art. 11(2)(c)); a supervisor may override, and it is reported.
                guard [.supervisor, .admin].contains(actor.role), let reason = Text.clean(request.override) else {
                    throw DeskError.conflict(
                        "a supplement request was already made at this stage; only a supervisor may make another, giving an override reason"
                    )
                }
                change.detail["override"] = reason
                change.detail["secondRequest"] = "true"
            }
            change.detail["kind"] = kind.rawValue
            if !missing.isEmpty { change.detail["missing"] = missing.joined(separator: "; ") }
            change.ticket.resumeState = ticket.state
            change.ticket.state = .awaitingCitizen
            change.ticket.awaitingReason = kind
            change.ticket.pausedAt = now
            change.ticket.supplementRequests += 1

        case .supplementReceived:
            if ticket.state == .awaitingCitizen && ticket.holder != nil { try requireHolder(ticket, actor, action) }
            let service = try service(db, ticket.service)
            if ticket.countingStartAt != nil, let paused = ticket.pausedAt {
                // Time waiting on the citizen is reported apart from handling time.
                try db.cachedExecute(
                    sql: "UPDATE ticket SET paused_minutes = paused_minutes + ? WHERE code = ?",
                    arguments: [time.workingMinutes(from: paused, to: now), ticket.code])
            }
            change.ticket.state = ticket.resumeState ?? .queued
            change.ticket.resumeState = nil
            change.ticket.awaitingReason = nil
            change.ticket.pausedAt = nil
            if ticket.countingStartAt == nil {
                // Incomplete at intake: now complete, the clock starts (it never ran).
                let start = time.countingStart(acceptedAt: now).start
                change.ticket.countingStartAt = start
                change.ticket.dueAt = time.due(from: start, limit: service.timeLimit).due
                change.ticket.step = 0
                change.ticket.department = service.route[0].department
                try enterStep(db, code: ticket.code, visit: 1, position: 0, step: service.route[0], at: start, time: time)
                // Accepted now: handling time counts from here.
                try db.cachedExecute(sql: "UPDATE ticket SET accepted_at = ? WHERE code = ?", arguments: [now.storedSeconds, ticket.code])
                change.detail["clock"] = "start"
            } else if ticket.awaitingReason == .supplement && service.supplementRule == .restart {
                // Decree 61/2018 art. 19(4): the time limit starts again from zero once complete.
                let start = time.countingStart(acceptedAt: now).start
                change.ticket.countingStartAt = start
                change.ticket.dueAt = time.due(from: start, limit: service.timeLimit).due
                change.detail["clock"] = "restart"
                change.detail["previousDueAt"] = ticket.dueAt.map(time.clock.describe)
            } else if let paused = ticket.pausedAt, let due = ticket.dueAt {
                let minutes = time.workingMinutes(from: paused, to: now)
                change.ticket.dueAt = time.walk(minutes: minutes, from: due).due
                change.detail["clock"] = "pause"
                change.detail["pausedMinutes"] = String(minutes)
                change.detail["previousDueAt"] = time.clock.describe(due)
                try db.cachedExecute(
                    sql: "UPDATE ticket_step SET due_at = ? WHERE ticket = ? AND left_at IS NULL AND due_at IS NOT NULL",
                    arguments: [
                        (try db.fetchValue(
                            Int64.self, sql: "SELECT due_at FROM ticket_step WHERE ticket = ? AND left_at IS NULL", arguments: [ticket.code]
                        ))
                        .map { time.walk(minutes: minutes, from: Date(storedSeconds: $0)).due.storedSeconds },
                        ticket.code,
                    ])
            }
            change.detail["dueAt"] = change.ticket.dueAt.map(time.clock.describe)

        case .resolve:
            try requireHolder(ticket, actor, action)
            guard let outcome = Ticket.Outcome(rawValue: request.outcome ?? "") else {
                throw DeskError.validation([FieldError("outcome", "must be granted, answered or refused")])
            }
            var note = Text.clean(request.note)
            if outcome == .refused {
                // Decree 61/2018 art. 19(8): a refusal after appraisal gives its reasons.
                note = try required(request.note, "note", "a refusal gives its reasons")
            }
            let service = try service(db, ticket.service)
            if let deciding = service.decidingStep, outcome != .answered {
                guard let step = ticket.step, step >= deciding else {
                    throw DeskError.conflict(
                        "the deciding step (\(deciding): \(service.route[deciding].department)) has not been reached; transfer the ticket there"
                    )
                }
                if step == deciding, let department = ticket.department {
                    try checkDecider(actor: actor, department: try Self.department(db, department), service: service, mode: centre.mode)
                }
            }
            change.detail["outcome"] = outcome.rawValue
            change.detail["grade"] = try leaveStep(db, code: ticket.code, at: now, time: time)?.rawValue
            let timeliness = ticket.dueAt.map { time.grade(finishedAt: now, dueAt: $0) }
            change.detail["timeliness"] = timeliness?.rawValue
            // Durations computed once, at the result (reports read them; `deskcli report replay`
            // recomputes them after a calendar correction).
            let accepted =
                try db.fetchValue(
                    Int64.self, sql: "SELECT coalesce(accepted_at, received_at) FROM ticket WHERE code = ?", arguments: [ticket.code])
                ?? ticket.receivedAt.storedSeconds
            try db.cachedExecute(
                sql: "UPDATE ticket_step SET ticket_resolved_at = ? WHERE ticket = ?", arguments: [now.storedSeconds, ticket.code])
            try db.cachedExecute(
                sql: """
                    UPDATE ticket SET timeliness = ?, handling_calendar_minutes = (? - ?) / 60,
                    handling_working_minutes = max(0, ? - paused_minutes) WHERE code = ?
                    """,
                arguments: [
                    timeliness?.rawValue, now.storedSeconds, accepted,
                    time.workingMinutes(from: Date(storedSeconds: accepted), to: now), ticket.code,
                ])
            change.ticket.state = .resolved
            change.ticket.resolvedAt = now
            change.ticket.outcome = outcome
            change.ticket.outcomeNote = note

        case .return:
            let appointment = ticket.revisedDueAt ?? ticket.dueAt
            let early = appointment.map { time.clock.local(now).date < time.clock.local($0).date } ?? false
            change.ticket.state = .returned
            change.ticket.returnedAt = now
            change.ticket.earlyReturn = early
            change.detail["earlyReturn"] = early ? "true" : "false"

        case .reject:
            if ticket.state == .queued && (ticket.step ?? 0) != 0 {
                throw DeskError.conflict("a queued ticket can be rejected only at its intake step; later steps resolve it as refused")
            }
            let reasons = try required(request.note, "note", "a rejection gives its reasons")
            change.detail["reasons"] = reasons
            change.detail["grade"] = try leaveStep(db, code: ticket.code, at: now, time: time)?.rawValue
            change.ticket.state = .rejected
            change.ticket.closedAt = now
            change.ticket.outcomeNote = reasons
            change.ticket.holder = nil

        case .withdraw:
            // 118/2025 art. 21: a stop at the citizen's request, only while no result exists.
            if let note = Text.clean(request.note) { change.detail["note"] = note }
            change.detail["grade"] = try leaveStep(db, code: ticket.code, at: now, time: time)?.rawValue
            change.ticket.state = .withdrawn
            change.ticket.closedAt = now
            change.ticket.holder = nil

        case .apologise:
            guard ticket.apologisedAt == nil else {
                throw DeskError.conflict("an apology and new appointment was already issued; Decree 61/2018 art. 19(9) allows only one")
            }
            guard let due = ticket.dueAt else { throw DeskError.conflict("the ticket has no due moment yet (it is not complete)") }
            let reason = try required(request.note, "note", "an apology gives the reason for the delay")
            guard let revised = request.revisedDueAt else {
                throw DeskError.validation([FieldError("revisedDueAt", "is required: the new appointment")])
            }
            guard revised > due else {
                throw DeskError.validation([FieldError("revisedDueAt", "must be after the current due moment \(time.clock.describe(due))")])
            }
            let left = time.workingMinutes(from: now, to: due)
            guard now < due, left >= apologyLeadWorkingMinutes else {
                throw DeskError.conflict(
                    "an apology must be issued at least one working day before the due moment \(time.clock.describe(due)); \(left) working minutes are left"
                )
            }
            change.ticket.apologisedAt = now
            change.ticket.revisedDueAt = revised
            change.detail["reason"] = reason
            change.detail["revisedDueAt"] = time.clock.describe(revised)

        case .rate:
            guard ticket.rating == nil else { throw DeskError.conflict("the ticket is already rated") }
            guard let rating = Ticket.Rating(rawValue: request.rating ?? "") else {
                throw DeskError.validation([FieldError("rating", "must be very-satisfied, satisfied or dissatisfied")])
            }
            change.ticket.rating = rating
            change.ticket.ratingComment = Text.clean(request.note)
            change.detail["rating"] = rating.rawValue

        case .note:
            change.detail["note"] = try required(request.note, "note", "a note needs text")
            change.unchanged = true

        case .reassign:
            let username = try required(request.handler, "handler", "name the handler to give the ticket to")
            let handler = try staff(db, username)
            guard handler.active, handler.role == .handler, handler.department == ticket.department else {
                throw DeskError.validation([
                    FieldError("handler", "\(username) is not an active handler of \(ticket.department ?? "the ticket's department")")
                ])
            }
            change.detail["fromHolder"] = ticket.holder
            change.detail["toHolder"] = username
            change.ticket.holder = username
        }
    }

    /// Who may resolve at a deciding step (SPEC §1): in an administrative body only a civil
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

    /// Writes the ticket row (bumping its version) and the action's event.
    static func save(_ db: Database, _ change: TicketChange, action: TicketAction, actor: Staff) throws {
        var detail = change.detail
        detail["from"] = detail["from"] ?? change.original.state.rawValue
        detail["to"] = change.ticket.state.rawValue
        if !change.unchanged {
            let t = change.ticket
            try db.cachedExecute(
                sql: """
                    UPDATE ticket SET state = ?, awaiting_reason = ?, resume_state = ?, step = ?, department = ?, holder = ?,
                    counting_start = ?, due_at = ?, revised_due_at = ?, paused_at = ?, resolved_at = ?, returned_at = ?, closed_at = ?,
                    outcome = ?, outcome_note = ?, early_return = ?, rating = ?, rating_comment = ?, apologised_at = ?,
                    supplement_requests = ?, version = version + 1
                    WHERE code = ? AND version = ?
                    """,
                arguments: [
                    t.state.rawValue, t.awaitingReason?.rawValue, t.resumeState?.rawValue, t.step, t.department, t.holder,
                    t.countingStartAt?.storedSeconds, t.dueAt?.storedSeconds, t.revisedDueAt?.storedSeconds, t.pausedAt?.storedSeconds,
                    t.resolvedAt?.storedSeconds, t.returnedAt?.storedSeconds, t.closedAt?.storedSeconds, t.outcome?.rawValue, t.outcomeNote,
                    t.earlyReturn, t.rating?.rawValue, t.ratingComment, t.apologisedAt?.storedSeconds, t.supplementRequests, t.code,
                    change.original.version,
                ])
            guard db.changesCount == 1 else { throw DeskError.staleVersion(current: change.original.version + 1) }
        }
        try EventLog.append(
            db, at: change.now, actor: actor.username, action: "ticket.\(action.rawValue)", entity: "ticket", entityId: change.ticket.code,
            detail: detail.compactMapValues { $0 })
    }
}

/// A ticket being changed by one action, with the event detail it will write.
struct TicketChange {
    let original: Ticket
    var ticket: Ticket
    let now: Date
    var detail: [String: String?] = [:]
    /// A note changes nothing but the trail.
    var unchanged = false

    init(ticket: Ticket, now: Date) {
        original = ticket
        self.ticket = ticket
        self.now = now
    }
}
