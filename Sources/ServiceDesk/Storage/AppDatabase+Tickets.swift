import Foundation
import GRDB
import Synchronization

/// An `Idempotency-Key` of an intake, checked and stored in the intake's own transaction.
public struct IdempotencyContext: Sendable {
    public var key: String
    public var fingerprint: String

    public init(key: String, fingerprint: String) {
        self.key = key
        self.fingerprint = fingerprint
    }
}

/// The answer to an intake: new, or the first answer replayed. Indirect: the caller holds it
/// across an `await`, in its task's frame, where a ticket's whole view inline took kilobytes of
/// every request in flight (docs/benchmarks.md).
public indirect enum IntakeAnswer: Sendable {
    case created(IntakeResult, body: Data)
    case replayed(status: Int, body: Data)
}

/// What the intake's transaction hands out: the answer, built and encoded after the commit,
/// outside the single writer, unless an idempotency key had it remembered in the transaction.
/// Indirect, as `IntakeAnswer` is.
private indirect enum Written: Sendable {
    case made(IntakeMade)
    case created(IntakeResult, body: Data)
    case replayed(status: Int, body: Data)

    @inline(never)
    func answer() throws -> IntakeAnswer {
        switch self {
        case .made(let made):
            let result = made.result()
            return .created(result, body: try APIJSON.encodeIntake(result))
        case .created(let result, let body): return .created(result, body: body)
        case .replayed(let status, let body): return .replayed(status: status, body: body)
        }
    }
}

/// An intake's search words (`ticket_search`, `applicant_search`), folded before the write: the
/// texts' words, to which the ticket's row adds its code's and its service name's inside.
struct IntakeWords: Sendable {
    var applicant: String
    /// The description's, the address's and the portal code's words.
    var texts: String

    init(_ input: IntakeRequest.Validated) {
        applicant = Self.applicant(input.applicant)
        // Folded after a space, as they were when the whole row was folded at once.
        texts = TextFolding.searchBody(
            " " + [input.description, input.location?.address ?? "", input.portalCode ?? ""].joined(separator: " "))
    }

    static func applicant(_ applicant: Applicant) -> String {
        TextFolding.searchBody([applicant.name, applicant.address ?? "", applicant.representative?.name ?? ""].joined(separator: " "))
    }

    /// The ticket's row: what `TextFolding.searchBody` gives for its code, service name and texts
    /// joined by spaces (`HotPathTests.intakeWords`).
    /// The service's name is folded once per name (after a space, as in the whole row), not at
    /// every intake inside the writer.
    func ticket(code: String, serviceName: String) -> String {
        [TextFolding.searchBody(code), Self.serviceWords(serviceName), texts].filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// Service names folded, by name (a catalogue has hundreds; emptied past 4,096 names).
    private static let foldedNames = Mutex<[String: String]>([:])

    static func serviceWords(_ name: String) -> String {
        if let known = foldedNames.withLock({ $0[name] }) { return known }
        let words = TextFolding.searchBody(" " + name)
        foldedNames.withLock { names in
            if names.count >= 4_096 { names.removeAll() }
            names[name] = words
        }
        return words
    }
}

/// What an intake wrote, enough to build its answer (the ticket's view and the receipt) without
/// the database: intake is the hot path, and what needs no lock is done after the commit.
private struct IntakeMade: Sendable {
    var ticket: Ticket
    var applicant: Applicant
    var outcome: IntakeRequest.Outcome
    var serviceName: String
    var missing: [String]
    var reasons: String?
    var warnings: [String]
    /// As the rules computed them (the ticket keeps them to the second).
    var countingStart: Date?
    var due: Date?
    var issued: DocumentNumber?
    var atRiskDays: Int
    var time: WorkingTime
    var now: Date

    func result() -> IntakeResult {
        let clock = time.clock
        let receipt = Receipt(
            code: ticket.code, outcome: outcome, service: ticket.service, serviceName: serviceName, receivedAt: now,
            countingStartAt: countingStart, dueAt: due, receivedLocal: clock.describe(now), dueLocal: due.map(clock.describe),
            documents: ticket.documents, charges: ticket.charges, missing: missing,
            reasons: reasons, warnings: warnings,
            forms: FormLink.links(code: ticket.code, numbers: issued.map { [$0] } ?? [], accepted: countingStart != nil))
        let horizon = Deadline.atRiskHorizon(now: now, days: atRiskDays, time: time)
        var view = AppDatabase.view(ticket, applicant: applicant, now: now, horizon: horizon)
        view.forms = receipt.forms
        return IntakeResult(ticket: view, receipt: receipt)
    }
}

extension AppDatabase {
    /// The centre and its working time, from memory unless they changed.
    func workingTime(_ db: any SQLSession) throws -> (Centre, WorkingTime) {
        let (centre, generation) = try catalogue.centreAndGeneration(db)
        let calendar = try calendarCache.calendar(catalogue: generation) { try Self.calendar(db) }
        let clock = calendarCache.clock(for: centre.timezone)
        return (centre, WorkingTime(calendar: calendar, clock: clock, cutoff: centre.intakeCutoff))
    }

    // MARK: Intake

    /// Receives a dossier (SPEC §2 intake): gives it its code, stores the applicant apart,
    /// starts the clock when accepted, and writes the event — one transaction. With an
    /// idempotency key, a retry gets the first answer and creates nothing.
    /// An Open311 request (`open311`) also stores its address id, media URLs and attributes,
    /// checked against the service's definition, in the same transaction.
    public func intake(
        _ request: IntakeRequest, actor: Staff, idempotency: IdempotencyContext? = nil, open311: Open311Extra? = nil
    ) async throws -> IntakeAnswer {
        // Only the write crosses the `await`: a value an async function holds lives in its task's
        // frame, allocated for each request — the intake's work inline here made that frame 15.6 KB
        // of every request in flight (heaptrack; docs/benchmarks.md). The work before and after runs
        // in plain functions, on the thread's stack.
        let written = try await write(intakeWrite(request, actor: actor, idempotency: idempotency, open311: open311))
        return try written.answer()
    }

    /// The intake's transaction, its input prepared outside the single writer.
    @inline(never)
    private func intakeWrite(
        _ request: IntakeRequest, actor: Staff, idempotency: IdempotencyContext?, open311: Open311Extra?
    ) -> @Sendable (any SQLSession) throws -> Written {
        let now = clock()
        var withChannel = request
        if withChannel.channel == nil { withChannel.channel = Permissions.defaultChannel(for: actor.role).rawValue }
        let request = withChannel
        // Validation needs only the year at the centre: done here, off the single writer, with
        // the centre as last read, and again inside in the rare case the year turns out other
        // (the first intake after a start, a change of time zone, New Year's midnight).
        // Its texts are folded for search here too (the dossier code and the service's name, known
        // inside only, are folded there).
        let early = catalogue.lastCentre.map { centre in
            let year = calendarCache.clock(for: centre.timezone).local(now).date.year
            return (year: year, input: Result { try Self.prepared(request, currentYear: year) })
        }
        return { db in
            if let idempotency, let earlier = try Self.storedAnswer(db, username: actor.username, key: idempotency.key, now: now) {
                guard earlier.fingerprint == idempotency.fingerprint else { throw DeskError.idempotencyKeyReused }
                return .replayed(status: earlier.status, body: earlier.body)
            }
            let (centre, time) = try self.workingTime(db)
            let local = time.clock.local(now)
            let (input, words) =
                try early.flatMap { $0.year == local.date.year ? $0.input : nil }?.get()
                ?? Self.prepared(request, currentYear: local.date.year)
            let service = try self.catalogue.service(db, request.service!)
            let severity = try input.severity.map { try Self.severityClass(db, $0).terms }
            let decision = try TicketRules.intake(
                input.outcome, service: service, channel: input.channel, actor: actor, now: now, time: time, throughOpen311: open311 != nil,
                severity: severity)
            let attributes = try open311?.checkedAttributes(for: service)
            let documents = try Document.matched(input.documents, to: service, field: "documents")
            let digitisation = DigitisationCounts(documents)
            if let portalCode = input.portalCode,
                let other = try String.fetchOne(db, sql: "SELECT code FROM ticket WHERE portal_code = ?", arguments: [portalCode])
            {
                throw DeskError.conflict("the portal's dossier \(portalCode) was received here already, as \(other)")
            }
            // A dossier a portal files waits for an officer (`new`): its outcome says so.
            let outcome = decision.state == .new ? IntakeRequest.Outcome.submitted : input.outcome

            // The sequence of the local day, taken in this transaction: gap-free, never twice.
            let day = DossierCode.day(local.date)
            let sequence =
                try db.counted(
                    "INSERT INTO dossier_sequence (day, last) VALUES (?, 1) ON CONFLICT (day) DO UPDATE SET last = dossier_sequence.last + 1",
                    arguments: [day], read: "SELECT last FROM dossier_sequence WHERE day = ?", key: [day]) ?? 1
            let code = DossierCode.make(centre: centre.code, day: day, sequence: sequence)

            // A walk-in number being served today: the ticket's timeline starts with its wait.
            var walkIn: QueueNumber?
            if let label = input.queueNumber {
                guard
                    let row = try db.fetchRow(
                        sql:
                            "SELECT * FROM queue_number WHERE day = ? AND label = ? AND state IN ('called', 'serving', 'served') ORDER BY id DESC LIMIT 1",
                        arguments: [local.date.description, label])
                else {
                    throw DeskError.validation([FieldError("queueNumber", "no walk-in number \(label) called or served today")])
                }
                walkIn = QueueNumber(row: row)
            }
            let applicantId = try insert(db, applicant: input.applicant, at: now, words: words.applicant)
            let state = decision.state
            let department = decision.department
            let step = decision.step
            let countingStart = decision.due?.countingStart
            let due = decision.due?.due
            let closedAt = decision.closedAt
            try db.cachedExecute(
                sql: """
                    INSERT INTO ticket (code, service, service_version, channel, applicant, description, location_address, location_lat,
                    location_long, documents, priority, priority_reason, charges, state, awaiting_reason, resume_state, step, department,
                    received_at, counting_start, due_at, paused_at, closed_at, outcome_note, supplement_requests, queue_number, created_by,
                    charge_lines, charge_le_phi, charge_phi, charge_service_price, charge_retained, severity, severity_limit, round_the_clock,
                    documents_to_digitise, documents_digitised, documents_reused, portal_code, portal_reference, accepted_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    code, service.code, service.version, input.channel.rawValue, applicantId, input.description, input.location?.address,
                    input.location?.lat, input.location?.long, APIJSON.text(documents), input.priority.rawValue, input.priorityReason,
                    APIJSON.text(service.charges), state.rawValue, state == .awaitingCitizen ? "supplement" : nil,
                    state == .awaitingCitizen ? "queued" : nil, step, department, now.storedSeconds, countingStart?.storedSeconds,
                    due?.storedSeconds, nil as Int64?, closedAt?.storedSeconds,
                    input.outcome == .refused ? input.reasons : nil, input.outcome == .incomplete ? 1 : 0, input.queueNumber,
                    actor.username,
                ] + SQLArguments(try Self.chargeColumns(service.charges))
                    + [decision.severity?.code, decision.severity?.timeLimit?.description, decision.severity?.roundTheClock ?? false]
                    + [digitisation.toDigitise, digitisation.digitised, digitisation.reused, input.portalCode, input.portalReference]
                    // Accepted at the counter: the clock starts at receipt (the first step's entry).
                    + [decision.firstStep == nil ? nil : now.storedSeconds])
            if let first = decision.firstStep { try Self.insert(db, step: first, ticket: code) }
            if let open311, let attributes {
                try db.cachedExecute(
                    sql:
                        "INSERT INTO open311_request (ticket, address_id, media_urls, attributes, account_id, device_id) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [
                        code, open311.addressId, APIJSON.text(open311.mediaURLs), APIJSON.text(attributes), open311.accountId,
                        open311.deviceId,
                    ])
                for upload in open311.uploads {
                    try db.cachedExecute(
                        sql: """
                            INSERT INTO open311_media (token, ticket, part, filename, content_type, size, bytes, created_at)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            TokenSecret.randomName(), code, upload.part, upload.filename, upload.contentType, upload.bytes.count,
                            upload.bytes, now.storedSeconds,
                        ])
                }
            }
            let ticketWords = words.ticket(code: code, serviceName: service.name)
            try afterWrites(db) { db in
                try db.cachedExecute(sql: "INSERT INTO ticket_search (code, body) VALUES (?, ?)", arguments: [code, ticketWords])
            }
            var detail = [
                "outcome": outcome.rawValue, "service": service.code, "serviceVersion": String(service.version),
                "channel": input.channel.rawValue, "to": state.rawValue,
            ]
            detail["toDepartment"] = department
            detail["dueAt"] = due.map(time.clock.describe)
            if !input.missing.isEmpty { detail["missing"] = input.missing.joined(separator: "; ") }
            detail["reasons"] = input.reasons
            detail["portalCode"] = input.portalCode
            if let severity = decision.severity { detail.merge(severity.detail.compactMapValues { $0 }) { $1 } }
            if let walkIn {
                try db.cachedExecute(sql: "UPDATE queue_number SET ticket = ? WHERE id = ?", arguments: [code, walkIn.id])
                detail["queueNumber"] = walkIn.label
                detail["walkInIssuedAt"] = time.clock.describe(walkIn.issuedAt)
                detail["walkInWaitMinutes"] = walkIn.calledAt.map { String(($0.storedSeconds - walkIn.issuedAt.storedSeconds) / 60) }
                detail["walkInCounter"] = walkIn.counter.map(String.init)
            }
            let issued = try EventLog.appendTicketEvent(
                db, at: now, year: local.date.year, actor: actor.username, action: "ticket.intake", code: code, detail: detail,
                service: service)

            // Built from what was just written rather than read back: intake is the hot path.
            let ticket = Ticket(
                code: code, service: service.code, serviceVersion: service.version, channel: input.channel, applicantId: applicantId,
                description: input.description, location: input.location, documents: documents, priority: input.priority,
                priorityReason: input.priorityReason, charges: service.charges, state: state,
                awaitingReason: state == .awaitingCitizen ? .supplement : nil, resumeState: state == .awaitingCitizen ? .queued : nil,
                step: step, department: department, holder: nil, receivedAt: Date(storedSeconds: now.storedSeconds),
                countingStartAt: countingStart.map { Date(storedSeconds: $0.storedSeconds) },
                dueAt: due.map { Date(storedSeconds: $0.storedSeconds) },
                revisedDueAt: nil, pausedAt: nil, resolvedAt: nil, returnedAt: nil,
                closedAt: closedAt.map { Date(storedSeconds: $0.storedSeconds) },
                outcome: nil, outcomeNote: input.outcome == .refused ? input.reasons : nil, earlyReturn: nil, rating: nil,
                ratingComment: nil,
                apologisedAt: nil, decision: nil, supplementRequests: input.outcome == .incomplete ? 1 : 0, queueNumber: input.queueNumber,
                createdBy: actor.username, version: 1, severity: decision.severity, portalCode: input.portalCode,
                portalReference: input.portalReference)
            if let notice = NoticeKind.intake(outcome) {
                try Self.enqueueNotice(
                    db, notice, ticket: ticket,
                    reason: input.outcome == .refused ? input.reasons : input.missing.isEmpty ? nil : input.missing.joined(separator: "; "),
                    centre: centre, time: time, now: now)
            }
            let made = IntakeMade(
                ticket: ticket, applicant: input.applicant, outcome: outcome, serviceName: service.name, missing: input.missing,
                reasons: input.reasons, warnings: decision.due?.warnings ?? [], countingStart: countingStart, due: due, issued: issued,
                atRiskDays: centre.atRiskDays, time: time,
                now: now)
            // The answer is built and encoded here only when it must be remembered with the intake
            // (an idempotency key); otherwise after the commit, outside the single writer.
            guard let idempotency else { return .made(made) }
            let result = made.result()
            let body = try APIJSON.encodeIntake(result)
            try Self.storeAnswer(
                db, username: actor.username, key: idempotency.key,
                answer: IdempotentAnswer(fingerprint: idempotency.fingerprint, status: 201, body: body), now: now)
            return .created(result, body: body)
        }
    }

    /// An intake's request validated, and its texts folded for search: what needs no database.
    static func prepared(_ request: IntakeRequest, currentYear: Int) throws -> (IntakeRequest.Validated, IntakeWords) {
        let input = try request.validated(currentYear: currentYear)
        return (input, IntakeWords(input))
    }

    /// A ticket's charge columns (migration 0006): lines, then totals of lệ phí, phí, service
    /// prices and the part retained, in integer VND — what the revenue report sums.
    static func chargeColumns(_ charges: [Charge]) throws -> [Int] {
        // A catalogue written before amounts were bounded may hold any Int: sum with a check.
        func total(_ include: (Charge) -> Bool) throws -> Int {
            try charges.filter(include).reduce(0) { sum, charge in
                let (result, overflow) = sum.addingReportingOverflow(charge.amount)
                guard !overflow, charge.amount >= 0 else {
                    throw DeskError.conflict(
                        "the service's charges are out of range; correct them in the catalogue (at most \(Charge.maxAmount) VND a line)")
                }
                return result
            }
        }
        return [
            charges.count, try total { $0.kind == .lePhi }, try total { $0.kind == .phi }, try total { $0.kind == .servicePrice },
            try total { $0.remittance == .retained },
        ]
    }

    /// Stores an applicant; their search row is added at the end of the batch (`afterWrites`),
    /// with `words` when the caller folded them already (`IntakeWords`).
    func insert(_ db: any SQLSession, applicant: Applicant, at now: Date, words: String? = nil) throws -> Int64 {
        try db.cachedExecute(
            sql: """
                INSERT INTO applicant (kind, name, id_number, tax_code, phone, email, address, representative, representative_phone, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                applicant.kind.rawValue, applicant.name, applicant.idNumber, applicant.taxCode, applicant.phone, applicant.email,
                applicant.address, applicant.representative.map(APIJSON.text), applicant.representative?.phone, now.storedSeconds,
            ])
        let id = try db.lastInsertedRowID
        let words = words ?? IntakeWords.applicant(applicant)
        try afterWrites(db) { db in
            try db.cachedExecute(sql: "INSERT INTO applicant_search (applicant, body) VALUES (?, ?)", arguments: [id, words])
        }
        return id
    }

    // MARK: Reading

    static func ticket(_ db: any SQLSession, _ code: String) throws -> Ticket {
        guard let row = try db.fetchRow(sql: "SELECT * FROM ticket WHERE code = ?", arguments: [code]) else {
            throw DeskError.notFound(entity: "ticket", id: code)
        }
        return Ticket(row: row)
    }

    /// A ticket as the API shows it, overdue and at risk by `Deadline` at `now`.
    static func view(
        _ db: any SQLSession, _ ticket: Ticket, centre: Centre, time: WorkingTime, now: Date, withApplicant: Bool = false
    ) throws -> TicketView {
        var applicant: Applicant?
        if withApplicant, let row = try db.fetchRow(sql: "SELECT * FROM applicant WHERE id = ?", arguments: [ticket.applicantId]) {
            applicant = Applicant(row: row)
        }
        let horizon = Deadline.atRiskHorizon(now: now, days: centre.atRiskDays, time: time)
        var result = view(ticket, applicant: applicant, now: now, horizon: horizon)
        if withApplicant, ticket.channel == .open311,
            let text = try String.fetchOne(db, sql: "SELECT attributes FROM open311_request WHERE ticket = ?", arguments: [ticket.code]),
            let values = try? APIJSON.decoder.decode([String: [String]].self, from: Data(text.utf8)), !values.isEmpty
        {
            result.attributes = values
        }
        if withApplicant {
            let numbers = try Row.fetchAll(
                db, sql: "SELECT kind, year, number, event_id FROM document_number WHERE ticket = ?", arguments: [ticket.code]
            ).compactMap(DocumentNumber.init(row:))
            result.forms = FormLink.links(code: ticket.code, numbers: numbers, accepted: ticket.countingStartAt != nil)
        }
        return result
    }

    static func view(_ ticket: Ticket, applicant: Applicant?, now: Date, horizon: Date) -> TicketView {
        TicketView(
            ticket: ticket, applicant: applicant, overdue: Deadline.isOverdue(ticket, now: now),
            atRisk: Deadline.isAtRisk(ticket, now: now, horizon: horizon))
    }

    /// A ticket as `viewer` may see it: a handler sees only their department's tickets and an
    /// integration only those it created; anything else is "not found" (no existence leak).
    public func ticket(_ code: String, viewer: Staff) async throws -> TicketView {
        let now = clock()
        return try await read { db in
            let ticket = try Self.visibleTicket(db, code, viewer: viewer)
            let (centre, time) = try self.workingTime(db)
            return try Self.view(db, ticket, centre: centre, time: time, now: now, withApplicant: true)
        }
    }

    /// Tickets that may report the same thing (`Duplicates`): of the same service, received
    /// within a week of it, at the same place or in much the same words; nearest first.
    public func duplicates(of code: String, viewer: Staff) async throws -> [DuplicateCandidate] {
        try await read { db in
            let ticket = try Self.visibleTicket(db, code, viewer: viewer)
            let window = Int64(Duplicates.window)
            let others = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM ticket WHERE received_at BETWEEN ? AND ? AND service = ? AND code != ?
                    ORDER BY received_at LIMIT 2000
                    """,
                arguments: [
                    ticket.receivedAt.storedSeconds - window, ticket.receivedAt.storedSeconds + window, ticket.service, ticket.code,
                ]
            ).map(Ticket.init(row:))
            return Duplicates.suggest(for: ticket, among: others.filter { Permissions.canSee($0, viewer: viewer) == true })
        }
    }

    static func visibleTicket(_ db: any SQLSession, _ code: String, viewer: Staff) throws -> Ticket {
        let ticket = try ticket(db, code)
        // A handler of a body asked to act on feedback (not leading) sees it too, to answer.
        var asked: Set<String> = []
        if viewer.role == .handler, let department = viewer.department, ticket.department != department {
            asked = Set(
                try String.fetchAll(
                    db, sql: "SELECT body FROM forward WHERE ticket = ? AND body = ? AND sent_back_at IS NULL",
                    arguments: [code, department]))
        }
        switch Permissions.canSee(ticket, viewer: viewer, askedOf: asked) {
        case true?: return ticket
        case false?: throw DeskError.notFound(entity: "ticket", id: code)
        case nil: throw DeskError.forbidden("role \(viewer.role.rawValue) may not see tickets")
        }
    }

    /// The audit trail of a ticket (its control sheet), oldest first.
    public func ticketEvents(_ code: String, viewer: Staff) async throws -> [TicketEvent] {
        try await read { db in
            _ = try Self.visibleTicket(db, code, viewer: viewer)
            let events = try EventLog.events(db, entity: "ticket", entityId: code)
            let notes = try EventLog.notes(db, eventIds: events.map(\.id))
            return events.map { event in
                var detail = (try? JSONDecoder().decode([String: String].self, from: Data(event.detail.utf8))) ?? [:]
                // The free text kept beside the chain, under its own keys (or `notes: [erased]`).
                if let texts = notes[event.id] { detail.merge(texts) { _, text in text } }
                return TicketEvent(id: event.id, at: event.at, actor: event.actor, action: event.action, detail: detail, hash: event.hash)
            }
        }
    }

    /// The control sheet: each step visit with its allowance, due moment and grade.
    public func ticketSteps(_ code: String, viewer: Staff) async throws -> [StepVisit] {
        try await read { db in
            _ = try Self.visibleTicket(db, code, viewer: viewer)
            return try Row.fetchAll(db, sql: "SELECT * FROM ticket_step WHERE ticket = ? ORDER BY visit", arguments: [code]).map(
                StepVisit.init(row:))
        }
    }

    /// `explain-due`: the counting start and why, each day or stretch, each pause or restart,
    /// the result — the fold of the ticket's event log (`TicketClock`) over today's calendar.
    public func explainDue(_ code: String, viewer: Staff) async throws -> DueExplanation {
        try await read { db in
            let ticket = try Self.visibleTicket(db, code, viewer: viewer)
            let (_, time) = try self.workingTime(db)
            let service = try Self.service(db, ticket.service)
            let clock = TicketClock.fold(
                try Self.clockEvents(db, code), terms: TicketClock.Terms(service: service, channel: ticket.channel), time: time)
            return DueExplanation(
                code: code, timeLimit: service.timeLimit, supplementRule: service.supplementRule, lines: clock.lines,
                storedDueAt: ticket.dueAt, recomputedDueAt: clock.due, revisedDueAt: ticket.revisedDueAt, warnings: clock.warnings)
        }
    }

    /// The clock events of a ticket's audit trail, oldest first.
    static func clockEvents(_ db: any SQLSession, _ code: String) throws -> [TicketClock.Event] {
        try db.fetchRows(
            sql: "SELECT at, action, detail FROM event WHERE entity = 'ticket' AND entity_id = ? ORDER BY id", arguments: [code]
        ).flatMap { row in
            let detail = EventLog.detail(row["detail"])
            return TicketClock.Event.events(action: row["action"], at: Date(storedSeconds: row["at"]), detail: detail)
        }
    }

    // MARK: Public lookup

    /// The citizen's status lookup: the code and the phone given at intake (the applicant's or
    /// the representative's). A wrong phone is the same "not found" as an unknown code.
    public func publicStatus(code: String, phone: String) async throws -> PublicStatus {
        guard case .success(let normalised) = Identifiers.normalise(phone: phone) else {
            throw DeskError.notFound(entity: "ticket", id: code)
        }
        return try await read { db in
            guard
                let row = try db.fetchRow(
                    sql: """
                        SELECT t.*, s.name AS service_name, d.name AS department_name FROM ticket t
                        JOIN applicant a ON a.id = t.applicant JOIN service s ON s.code = t.service
                        LEFT JOIN department d ON d.code = t.department
                        WHERE t.code = ? AND (a.phone = ? OR a.representative_phone = ?)
                        """,
                    arguments: [code, normalised, normalised])
            else { throw DeskError.notFound(entity: "ticket", id: code) }
            let ticket = Ticket(row: row)
            var status = PublicStatus(
                code: ticket.code, state: ticket.state, portalStatus: ticket.portalStatus, service: row["service_name"],
                department: row["department_name"], receivedAt: ticket.receivedAt, dueAt: ticket.dueAt, revisedDueAt: ticket.revisedDueAt)
            if ticket.state == .awaitingCitizen, ticket.awaitingReason == .supplement,
                let request = try Self.issuingEvent(db, .supplementRequest, ticket: ticket)
            {
                status.missing = Self.missingItems(request.texts["missing"])
            }
            if ticket.state.isOpen { status.progress = try Self.latestProgress(db, [ticket.code])[ticket.code] }
            return status
        }
    }

    /// The latest progress post (with text: a purged one has none) of each of `codes`.
    static func latestProgress(_ db: any SQLSession, _ codes: [String]) throws -> [String: Progress] {
        guard !codes.isEmpty else { return [:] }
        let marks = codes.map { _ in "?" }.joined(separator: ",")
        var latest: [String: Progress] = [:]
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT ticket, at, text, committed_date FROM progress_post WHERE id IN (
                    SELECT max(id) FROM progress_post WHERE ticket IN (\(marks)) AND text IS NOT NULL GROUP BY ticket)
                """, arguments: SQLArguments(codes))
        {
            latest[row["ticket"]] = Progress(
                at: Date(storedSeconds: row["at"]), text: row["text"],
                committedDate: (row["committed_date"] as String?).flatMap(LocalDate.init))
        }
        return latest
    }
}
