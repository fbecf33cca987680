import Foundation
import GRDB

extension AppDatabase {
    /// Performs one action of SPEC §2 on a ticket: who may see it (404), then the decision of
    /// `TicketRules` (role 403, version 409, state 409, the action's rules) on the facts it
    /// needs; then writes the change, its step and duration effects and its event in one
    /// transaction. No rule lives here.
    public func perform(_ action: TicketAction, on code: String, _ request: ActionRequest, actor: Staff) async throws -> TicketView {
        let now = clock()
        return try await write { db in
            let ticket = try Self.visibleTicket(db, code, viewer: actor)
            let (centre, time) = try self.workingTime(db)
            let facts = try Self.facts(db, for: ticket, needs: TicketRules.needs(action), request: request)
            let change = try TicketRules.decide(action, facts, request, TicketContext(actor: actor, now: now, time: time, centre: centre))
            try Self.save(db, change, action: action, actor: actor, year: time.clock.local(now).date.year)
            let committed = (change.detail["committedDate"] ?? nil).flatMap(LocalDate.init)
            if action == .progress {
                try db.execute(
                    sql:
                        "INSERT INTO progress_post (ticket, at, author, department, text, committed_date, photos) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [
                        ticket.code, now.storedSeconds, actor.username, ticket.department, change.detail["note"] ?? nil,
                        committed?.description, APIJSON.text(request.photos ?? []),
                    ])
            }
            if let kind = NoticeKind.after(action, change, serviceKind: facts.service?.kind ?? .procedure) {
                try Self.enqueueNotice(
                    db, kind, ticket: change.ticket, reason: Self.noticeReason(kind, detail: change.detail), centre: centre, time: time,
                    now: now, committed: committed)
            }
            return try Self.view(db, try Self.ticket(db, ticket.code), centre: centre, time: time, now: now, withApplicant: true)
        }
    }

    /// "Queue next": the department's next queued ticket in `QueueOrder`, claimed by `actor` in
    /// the same write transaction, so two handlers never get the same ticket. Nil when the
    /// queue is empty.
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
            guard let row = try db.fetchRow(sql: Self.queueSQL("*") + " LIMIT 1", arguments: [department]) else { return nil }
            let ticket = Ticket(row: row)
            let (centre, time) = try self.workingTime(db)
            let facts = try Self.facts(db, for: ticket, needs: TicketRules.needs(.claim), request: ActionRequest())
            let change = try TicketRules.decide(
                .claim, facts, ActionRequest(), TicketContext(actor: actor, now: now, time: time, centre: centre))
            try Self.save(db, change, action: .claim, actor: actor, year: time.clock.local(now).date.year)
            return try Self.view(db, try Self.ticket(db, ticket.code), centre: centre, time: time, now: now, withApplicant: true)
        }
    }

    /// A department's queued tickets in `QueueOrder`.
    static func queueSQL(_ columns: String) -> String {
        "SELECT \(columns) FROM ticket WHERE department = ? AND state = 'queued' ORDER BY \(QueueOrder.sql)"
    }

    /// A department's work queue, in the order "next" takes it.
    public func queue(department: String, viewer: Staff, limit: Int = 100) async throws -> [TicketView] {
        let now = clock()
        return try await read { db in
            _ = try Self.department(db, department)
            if viewer.role == .handler && viewer.department != department {
                throw DeskError.notFound(entity: "department queue", id: department)
            }
            guard Permissions.queueReaders.contains(viewer.role) else {
                throw DeskError.forbidden("role \(viewer.role.rawValue) may not see work queues")
            }
            let (centre, time) = try self.workingTime(db)
            let horizon = Deadline.atRiskHorizon(now: now, days: centre.atRiskDays, time: time)
            // One query for the whole queue (it was one more per ticket).
            return try Row.fetchAll(db, sql: Self.queueSQL("*") + " LIMIT ?", arguments: [department, limit]).map {
                Self.view(Ticket(row: $0), applicant: nil, now: now, horizon: horizon)
            }
        }
    }

    // MARK: Facts in, change out

    /// Loads what a decision needs (`TicketRules.needs`), nothing more: a claim reads no
    /// service, a note reads nothing.
    static func facts(_ db: any SQLSession, for ticket: Ticket, needs: TicketFacts.Needs, request: ActionRequest) throws -> TicketFacts {
        var facts = TicketFacts(ticket: ticket)
        if needs.contains(.service) { facts.service = try service(db, ticket.service) }
        if needs.contains(.steps) {
            facts.openStep = try db.fetchRow(
                sql: "SELECT * FROM ticket_step WHERE ticket = ? AND left_at IS NULL ORDER BY visit DESC LIMIT 1", arguments: [ticket.code]
            ).map(StepVisit.init(row:))
            facts.visits =
                try db.fetchValue(Int.self, sql: "SELECT max(visit) FROM ticket_step WHERE ticket = ?", arguments: [ticket.code]) ?? 0
        }
        if needs.contains(.department), let code = ticket.department {
            facts.department = try db.fetchRow(sql: "SELECT * FROM department WHERE code = ?", arguments: [code]).map(Department.init(row:))
        }
        if needs.contains(.target), let code = Text.clean(request.department) {
            facts.target = try db.fetchRow(sql: "SELECT * FROM department WHERE code = ?", arguments: [code]).map(Department.init(row:))
        }
        if needs.contains(.handler), let username = Text.clean(request.handler) {
            facts.handler = try db.fetchRow(sql: "SELECT * FROM staff WHERE username = ?", arguments: [username]).map(Staff.init(row:))
        }
        if needs.contains(.durations),
            let row = try db.fetchRow(sql: "SELECT accepted_at, paused_minutes FROM ticket WHERE code = ?", arguments: [ticket.code])
        {
            facts.acceptedAt = (row["accepted_at"] as Int64?).map(Date.init(storedSeconds:))
            facts.pausedMinutes = row["paused_minutes"] ?? 0
        }
        if needs.contains(.forwards) { facts.forwards = try forwards(db, ticket.code) }
        if needs.contains(.payments) { facts.payments = try payments(db, ticket.code) }
        if needs.contains(.severity), let code = Text.clean(request.severity) {
            facts.severityClass = try db.fetchRow(sql: "SELECT * FROM severity_class WHERE code = ?", arguments: [code]).map(
                SeverityClass.init(row:))
        }
        if needs.contains(.bodies) {
            let names = ((request.bodies ?? []) + [request.body].compactMap { $0 }).compactMap { Text.clean($0) as String? }
            for name in names where facts.bodies[name] == nil {
                facts.bodies[name] = try db.fetchRow(sql: "SELECT * FROM department WHERE code = ?", arguments: [name]).map(
                    Department.init(row:))
            }
        }
        if needs.contains(.mergeTarget), let code = Text.clean(request.into) {
            facts.mergeTarget = try db.fetchRow(sql: "SELECT * FROM ticket WHERE code = ?", arguments: [code]).map(Ticket.init(row:))
        }
        return facts
    }

    /// A ticket's forwardings, oldest first.
    static func forwards(_ db: any SQLSession, _ code: String) throws -> [Forward] {
        try Row.fetchAll(db, sql: "SELECT * FROM forward WHERE ticket = ? ORDER BY id", arguments: [code]).map(Forward.init(row:))
    }

    /// Writes a decision: the ticket row (bumping its version, refusing a concurrent edit), the
    /// step visits, the durations, and the action's event.
    /// `year`: the local year of the change, for the number of a form it issues.
    static func save(_ db: any SQLSession, _ change: TicketChange, action: TicketAction, actor: Staff, year: Int) throws {
        let code = change.ticket.code
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
                    supplement_requests = ?, decision = ?, decided_by = coalesce(decided_by, ?), severity = ?, severity_limit = ?,
                    round_the_clock = ?, nature = ?, reopened = ?, merged_into = ?, version = version + 1
                    WHERE code = ? AND version = ?
                    """,
                arguments: [
                    t.state.rawValue, t.awaitingReason?.rawValue, t.resumeState?.rawValue, t.step, t.department, t.holder,
                    t.countingStartAt?.storedSeconds, t.dueAt?.storedSeconds, t.revisedDueAt?.storedSeconds, t.pausedAt?.storedSeconds,
                    t.resolvedAt?.storedSeconds, t.returnedAt?.storedSeconds, t.closedAt?.storedSeconds, t.outcome?.rawValue, t.outcomeNote,
                    t.earlyReturn, t.rating?.rawValue, t.ratingComment, t.apologisedAt?.storedSeconds, t.supplementRequests,
                    t.decision?.rawValue, t.decision != change.original.decision ? actor.username : nil, t.severity?.code,
                    t.severity?.timeLimit?.description, t.severity?.roundTheClock ?? false, t.nature?.rawValue, t.reopened, t.mergedInto,
                    code, change.original.version,
                ])
            guard db.changesCount == 1 else { throw DeskError.staleVersion(current: change.original.version + 1) }
        }
        for effect in change.steps {
            switch effect {
            case .claim(let at):
                try db.cachedExecute(
                    sql: "UPDATE ticket_step SET claimed_at = ? WHERE ticket = ? AND left_at IS NULL", arguments: [at.storedSeconds, code])
            case .leave(let visit, let grade):
                try db.cachedExecute(
                    sql: "UPDATE ticket_step SET left_at = ?, grade = ? WHERE ticket = ? AND visit = ?",
                    arguments: [change.now.storedSeconds, grade?.rawValue, code, visit])
            case .enter(let step):
                try insert(db, step: step, ticket: code)
            case .moveDue(let visit, let due):
                try db.cachedExecute(
                    sql: "UPDATE ticket_step SET due_at = ? WHERE ticket = ? AND visit = ?", arguments: [due?.storedSeconds, code, visit])
            }
        }
        for effect in change.forwards {
            switch effect {
            case .send(let f):
                try db.execute(
                    sql: """
                        INSERT INTO forward (ticket, body, lead, from_department, sent_at, sent_by, grade, accept_due)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        code, f.body, f.lead, f.fromDepartment, f.sentAt.storedSeconds, f.sentBy, f.grade?.rawValue,
                        f.acceptDueAt.storedSeconds,
                    ])
            case .accept(let body, let by, let grade):
                try db.execute(
                    sql: """
                        UPDATE forward SET accepted_at = ?, accepted_by = ?, acceptance_grade = ?
                        WHERE ticket = ? AND body = ? AND accepted_at IS NULL AND sent_back_at IS NULL
                        """,
                    arguments: [change.now.storedSeconds, by, grade.rawValue, code, body])
            case .sendBack(let body, let by, let reason):
                try db.execute(
                    sql: """
                        UPDATE forward SET sent_back_at = ?, sent_back_by = ?, sent_back_reason = ?
                        WHERE ticket = ? AND body = ? AND accepted_at IS NULL AND sent_back_at IS NULL
                        """,
                    arguments: [change.now.storedSeconds, by, reason, code, body])
            }
        }
        for p in change.payments {
            try db.execute(
                sql: """
                    INSERT INTO payment (ticket, line, kind, amount, method, receipt_number, reason, reference, at, collected_by)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    code, p.line, p.kind.rawValue, p.amount, p.method?.rawValue, p.receiptNumber, p.reason, p.reference, p.at.storedSeconds,
                    p.collectedBy,
                ])
        }
        let durations = change.durations
        if durations.addPausedMinutes != 0 || durations.acceptedAt != nil {
            try db.cachedExecute(
                sql: "UPDATE ticket SET paused_minutes = paused_minutes + ?, accepted_at = coalesce(?, accepted_at) WHERE code = ?",
                arguments: [durations.addPausedMinutes, durations.acceptedAt?.storedSeconds, code])
        }
        if let resolution = durations.resolution {
            // The resolution moment is copied onto the steps, so the per-step split of
            // handling-times finds them by a range scan (migration 0004).
            try db.cachedExecute(
                sql: "UPDATE ticket_step SET ticket_resolved_at = ? WHERE ticket = ?", arguments: [change.now.storedSeconds, code])
            try db.cachedExecute(
                sql: "UPDATE ticket SET timeliness = ?, handling_calendar_minutes = ?, handling_working_minutes = ? WHERE code = ?",
                arguments: [resolution.timeliness?.rawValue, resolution.calendarMinutes, resolution.workingMinutes, code])
        }
        try EventLog.appendTicketEvent(
            db, at: change.now, year: year, actor: actor.username, action: "ticket.\(action.rawValue)", code: code,
            detail: detail.compactMapValues { $0 })
    }

    /// Opens a step visit (a line of the control sheet).
    static func insert(_ db: any SQLSession, step: StepVisit, ticket code: String) throws {
        try db.cachedExecute(
            sql:
                "INSERT INTO ticket_step (ticket, visit, position, department, allowance, entered_at, due_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            arguments: [
                code, step.visit, step.position, step.department, step.allowance?.description, step.enteredAt.storedSeconds,
                step.dueAt?.storedSeconds,
            ])
    }
}
