import Foundation
import Testing

@testable import ServiceDesk

/// The rules core, pure: decisions on values, no database and no clock (Sources/ServiceDesk/Rules).
@Suite("Rules: decisions on facts, without storage")
struct RulesTests {
    static let clock = LocalClock(identifier: "Asia/Ho_Chi_Minh")!
    static let time = WorkingTime(
        calendar: WorkingCalendar(days: CalendarImport.parseICS(Demo.holidaysICS).days), clock: clock, cutoff: TimeOfDay("15:00")!)
    static let centre = Centre(code: "000.00.00.H00", name: "Trung tâm")

    static func at(_ text: String) -> Date { clock.instant(parsing: text)! }

    /// A route mot-cua (1 d) → tu-phap (deciding, 4 d) → mot-cua (1 d), 6 d in all.
    static let service = Service(
        code: "1.000894", name: "Đăng ký kết hôn", kind: .procedure, timeLimit: .days(6),
        route: [
            RouteStep(department: "mot-cua", allowance: .days(1)), RouteStep(department: "tu-phap", allowance: .days(4)),
            RouteStep(department: "mot-cua", allowance: .days(1)),
        ], decidingStep: 1)
    static let deciding = Department(code: "tu-phap", name: "Phòng Tư pháp", kind: .internal, decides: true)
    static let civilServant = Staff(username: "hung.tp", name: "Hùng", role: .handler, department: "tu-phap", employment: .civilServant)
    static let contract = Staff(username: "tuan.tp", name: "Tuấn", role: .handler, department: "tu-phap", employment: .contract)
    static let supervisor = Staff(username: "giamsat", name: "Giám", role: .supervisor, employment: .civilServant)

    static func ticket(
        state: Ticket.State = .inProgress, step: Int? = 1, department: String? = "tu-phap", holder: String? = "hung.tp",
        received: String = "2026-11-30 09:00", due: String? = "2026-12-08 09:00", paused: String? = nil, decision: Ticket.Outcome? = nil
    ) -> Ticket {
        Ticket(
            code: "000.00.00.H00-261130-0001", service: service.code, serviceVersion: 1, channel: .counter, applicantId: 1, description: "",
            location: nil, documents: [], priority: .normal, priorityReason: nil, charges: [], state: state,
            awaitingReason: paused == nil ? nil : .supplement, resumeState: paused == nil ? nil : .inProgress, step: step,
            department: department, holder: holder, receivedAt: at(received), countingStartAt: due == nil ? nil : at(received),
            dueAt: due.map(at), revisedDueAt: nil, pausedAt: paused.map(at), resolvedAt: nil, returnedAt: nil, closedAt: nil, outcome: nil,
            outcomeNote: nil, earlyReturn: nil, rating: nil, ratingComment: nil, apologisedAt: nil, decision: decision,
            supplementRequests: 0,
            queueNumber: nil, createdBy: "lan.mc", version: 3)
    }

    static func facts(_ ticket: Ticket, openStep: StepVisit? = nil) -> TicketFacts {
        var facts = TicketFacts(ticket: ticket)
        facts.service = service
        facts.department = deciding
        facts.openStep = openStep
        facts.visits = 2
        return facts
    }

    static func decide(
        _ action: TicketAction, _ facts: TicketFacts, _ request: ActionRequest = ActionRequest(), by actor: Staff = civilServant,
        at now: String = "2026-12-02 10:00", centre: Centre = RulesTests.centre
    ) throws -> TicketChange {
        try TicketRules.decide(action, facts, request, TicketContext(actor: actor, now: at(now), time: time, centre: centre))
    }

    // MARK: The deciding step (SPEC §1)

    @Test("the deciding step is passed only by a decision: a plain transfer onward is refused")
    func transferWithoutDecision() {
        #expect(throws: DeskError.self) { try Self.decide(.transfer, Self.facts(Self.ticket())) }
        // A supervisor cannot skip it either.
        #expect(throws: DeskError.self) { try Self.decide(.transfer, Self.facts(Self.ticket()), by: Self.supervisor) }
    }

    @Test("a transfer carrying the decision passes it, by someone allowed to decide; the later resolution returns that decision")
    func transferWithDecision() throws {
        #expect(
            throws: DeskError.forbidden("only a civil servant resolves a deciding step in administrative-body mode; tuan.tp is contract")
        ) {
            try Self.decide(
                .transfer, Self.facts(Self.ticket(holder: "tuan.tp")), ActionRequest(outcome: "granted"), by: Self.contract)
        }
        let change = try Self.decide(.transfer, Self.facts(Self.ticket()), ActionRequest(outcome: "granted"))
        #expect(change.ticket.decision == .granted && change.ticket.step == 2 && change.ticket.department == "mot-cua")
        #expect(change.detail["decision"] == "granted")
        // At the last step, the officer returns what was decided, and nothing else.
        let later = Self.ticket(step: 2, department: "mot-cua", holder: "thu.mc", decision: .granted)
        let desk = Staff(username: "thu.mc", name: "Thu", role: .handler, department: "mot-cua", employment: .contract)
        #expect(try Self.decide(.resolve, Self.facts(later), ActionRequest(outcome: "granted"), by: desk).ticket.state == .resolved)
        #expect(throws: DeskError.self) {
            try Self.decide(.resolve, Self.facts(later), ActionRequest(note: "không đủ", outcome: "refused"), by: desk)
        }
    }

    @Test("the decision is taken at the deciding step's department; a procedure with a deciding step is never just answered")
    func decisionBelongsToTheDecidingDepartment() {
        // Sent to mot-cua for a consultation (a named transfer keeps the step): nobody there may decide.
        let consulted = Self.ticket(step: 1, department: "mot-cua", holder: "thu.mc")
        let desk = Staff(username: "thu.mc", name: "Thu", role: .handler, department: "mot-cua", employment: .civilServant)
        var facts = Self.facts(consulted)
        facts.department = Department(code: "mot-cua", name: "Một cửa", kind: .internal, decides: true)
        #expect(throws: DeskError.self) { try Self.decide(.resolve, facts, ActionRequest(outcome: "granted"), by: desk) }
        #expect(throws: DeskError.self) { try Self.decide(.resolve, facts, ActionRequest(outcome: "granted"), by: Self.supervisor) }
        #expect(throws: DeskError.self) { try Self.decide(.resolve, Self.facts(Self.ticket()), ActionRequest(outcome: "answered")) }
        // At the deciding department, the resolution is the decision, and the trail says so.
        let decided = try? Self.decide(.resolve, Self.facts(Self.ticket()), ActionRequest(note: "không đủ điều kiện", outcome: "refused"))
        #expect(decided?.ticket.decision == .refused && decided?.detail["decision"] == "refused")
    }

    @Test("a ticket that passed the deciding step before the rule existed (no decision recorded) goes on as before")
    func legacyPastTheDecidingStep() throws {
        let later = Self.ticket(step: 2, department: "mot-cua", holder: "thu.mc")
        let desk = Staff(username: "thu.mc", name: "Thu", role: .handler, department: "mot-cua", employment: .contract)
        #expect(try Self.decide(.resolve, Self.facts(later), ActionRequest(outcome: "granted"), by: desk).ticket.state == .resolved)
    }

    // MARK: The clock

    @Test("a restart after a supplement moves the current step's deadline: its allowance counts again from the completion")
    func restartMovesStep() throws {
        let waiting = Self.ticket(state: .awaitingCitizen, holder: nil, due: "2026-12-08 09:00", paused: "2026-12-01 10:00")
        let step = StepVisit(
            visit: 2, position: 1, department: "tu-phap", allowance: .days(4), enteredAt: Self.at("2026-11-30 10:00"),
            dueAt: Self.at("2026-12-04 10:00"))
        let change = try Self.decide(.supplementReceived, Self.facts(waiting, openStep: step), at: "2026-12-07 14:00")
        #expect(change.detail["clock"] == "restart")
        // Decree 61/2018 art. 19(4): the whole limit again from Mon 14:00: 6 working days → Tue 15/12 14:00.
        #expect(Self.clock.describe(change.ticket.dueAt!) == "2026-12-15 14:00")
        // The step's 4 d from the same moment (no cut-off for a step) → Fri 11/12 14:00, not the stale Fri 4/12.
        #expect(change.steps == [.moveDue(visit: 2, to: Self.at("2026-12-11 14:00"))])
        #expect(
            change.durations.addPausedMinutes
                == Self.time.workingMinutes(from: Self.at("2026-12-01 10:00"), to: Self.at("2026-12-07 14:00")))
    }

    @Test("one fold: the events the decisions write, read back from the trail, give the due moment they stored")
    func foldMatchesDecisions() throws {
        let terms = TicketClock.Terms(service: Self.service, channel: .counter)
        let accepted = Reception.due(receivedAt: Self.at("2026-11-30 09:00"), limit: .days(6), cutoff: true, time: Self.time)
        for (restart, awaiting) in [(true, Ticket.AwaitingReason.supplement), (false, .payment)] {
            var waiting = Self.ticket(
                state: .awaitingCitizen, holder: nil, due: Self.clock.describe(accepted.due), paused: "2026-12-01 10:00")
            waiting.awaitingReason = awaiting
            let change = try Self.decide(.supplementReceived, Self.facts(waiting), at: "2026-12-07 16:00")
            #expect(change.detail["clock"] == (restart ? "restart" : "pause"))
            let trail: [(String, String, [String: String])] = [
                ("ticket.intake", "2026-11-30 09:00", ["outcome": "accepted"]),
                ("ticket.request-supplement", "2026-12-01 10:00", ["kind": awaiting.rawValue]),
                ("ticket.supplement-received", "2026-12-07 16:00", change.detail.compactMapValues { $0 }),
            ]
            let events = trail.compactMap { TicketClock.Event(action: $0.0, at: Self.at($0.1), detail: $0.2) }
            let folded = TicketClock.fold(events, terms: terms, time: Self.time)
            #expect(folded.due == change.ticket.dueAt && folded.pausedMinutes == change.durations.addPausedMinutes)
            // Folded with the quiet working time: the same clock, no lines (explain-due's words).
            let quiet = TicketClock.fold(events, terms: terms, time: Self.time.quiet)
            #expect(quiet.due == folded.due && quiet.pausedMinutes == folded.pausedMinutes && quiet.countingStart == folded.countingStart)
            #expect(quiet.lines.isEmpty && !folded.lines.isEmpty)
        }
    }

    // MARK: Rejection and refusal (item 8)

    @Test("rejection is before acceptance only; after it, a refusal is a resolution, even while waiting on the citizen")
    func rejectOnlyBeforeAcceptance() throws {
        let officer = Staff(username: "lan.mc", name: "Lan", role: .officer, department: "mot-cua", employment: .civilServant)
        let accepted = Self.ticket(state: .awaitingCitizen, holder: nil, paused: "2026-12-01 10:00")
        #expect(throws: DeskError.self) { try Self.decide(.reject, Self.facts(accepted), ActionRequest(note: "x"), by: officer) }
        let incomplete = Self.ticket(state: .awaitingCitizen, step: 0, department: "mot-cua", holder: nil, due: nil, paused: nil)
        #expect(
            try Self.decide(.reject, Self.facts(incomplete), ActionRequest(note: "không bổ sung"), by: officer).ticket.state == .rejected)
        // The holder's department refuses it: resolved, graded, counted.
        let refused = try Self.decide(
            .resolve, Self.facts(accepted), ActionRequest(note: "công dân không bổ sung", outcome: "refused"), by: Self.supervisor,
            at: "2026-12-09 10:00")
        #expect(refused.ticket.state == .resolved && refused.ticket.outcome == .refused && refused.ticket.pausedAt == nil)
        // Graded where its clock stopped (waiting since 1/12, due 8/12), as overdue is: early.
        #expect(refused.detail["timeliness"] == "early" && refused.durations.resolution != nil)
        #expect(throws: DeskError.self) {
            try Self.decide(.resolve, Self.facts(accepted), ActionRequest(outcome: "granted"), by: Self.supervisor)
        }
    }

    // MARK: Apology (Decree 61/2018 art. 19(9))

    @Test(
        "an apology is issued at the latest the working day(s) before the due date, compared by date",
        arguments: [
            ("1 d dossier, the day before: accepted", "2026-12-04 10:00", "2026-12-03 16:59", 1, true),
            ("on the due date, hours before the due moment: refused", "2026-12-04 10:00", "2026-12-04 07:35", 1, false),
            ("due Monday: Friday is the working day before", "2026-12-07 09:00", "2026-12-04 16:00", 1, true),
            ("due Monday: Saturday is too late", "2026-12-07 09:00", "2026-12-05 09:00", 1, false),
            ("lead of 2 days: two working days before", "2026-12-04 10:00", "2026-12-02 10:00", 2, true),
            ("lead of 2 days: the day before is too late", "2026-12-04 10:00", "2026-12-03 10:00", 2, false),
            ("lead of 0: the due date itself, before the due moment", "2026-12-04 10:00", "2026-12-04 09:00", 0, true),
            ("lead of 0: after the due moment", "2026-12-04 10:00", "2026-12-04 10:30", 0, false),
        ])
    func apology(_ name: String, due: String, now: String, lead: Int, allowed: Bool) {
        var centre = Self.centre
        centre.apologyLeadDays = lead
        let facts = Self.facts(Self.ticket(due: due))
        let request = ActionRequest(note: "chờ xác minh", revisedDueAt: Self.at("2026-12-18 17:00"))
        let result = Result { try Self.decide(.apologise, facts, request, by: Self.supervisor, at: now, centre: centre) }
        #expect(((try? result.get()) != nil) == allowed, "\(name)")
    }

    // MARK: Overdue and at risk (one definition)

    @Test(
        "overdue: the moment asked, or the moment the clock stopped while waiting on the citizen",
        arguments: [
            ("running, due later today, asked at 06:13", "in-progress", "2026-12-04 08:30", nil as String?, "2026-12-04 06:13", false),
            ("running, asked after the due moment", "in-progress", "2026-12-04 08:30", nil, "2026-12-04 08:31", true),
            (
                "waiting since before the due moment, asked long after", "awaiting-citizen", "2026-12-04 08:30", "2026-12-03 10:00",
                "2026-12-20 10:00", false
            ),
            ("waiting since after the due moment", "awaiting-citizen", "2026-12-04 08:30", "2026-12-04 09:00", "2026-12-20 10:00", true),
            ("resolved late is not overdue: it is graded", "resolved", "2026-12-04 08:30", nil, "2026-12-20 10:00", false),
        ])
    func overdue(_ name: String, state: String, due: String, paused: String?, now: String, expected: Bool) {
        let ticket = Self.ticket(state: Ticket.State(rawValue: state)!, due: due, paused: paused)
        #expect(Deadline.isOverdue(ticket, now: Self.at(now)) == expected, "\(name)")
    }

    @Test("at risk: the clock running, due within the centre's working days; 0 days is the close of today")
    func atRisk() {
        let now = Self.at("2026-12-04 10:00")  // a Friday
        let horizon = Deadline.atRiskHorizon(now: now, days: 1, time: Self.time)
        #expect(Self.clock.describe(horizon) == "2026-12-07 10:00")
        #expect(Deadline.isAtRisk(Self.ticket(due: "2026-12-07 09:00"), now: now, horizon: horizon))
        #expect(!Deadline.isAtRisk(Self.ticket(due: "2026-12-07 11:00"), now: now, horizon: horizon))
        #expect(
            !Deadline.isAtRisk(
                Self.ticket(state: .awaitingCitizen, due: "2026-12-07 09:00", paused: "2026-12-04 09:00"), now: now, horizon: horizon))
        #expect(Self.clock.describe(Deadline.atRiskHorizon(now: now, days: 0, time: Self.time)) == "2026-12-04 17:00")
    }

    // MARK: Queue order, codes, roles, allowances

    @Test("queue order: urgent, then priority, then the earliest due, then the oldest")
    func queueOrder() {
        func queued(_ code: String, _ priority: Ticket.Priority, due: String, received: String) -> Ticket {
            var ticket = Self.ticket(state: .queued, received: received, due: due)
            ticket.code = code
            ticket.priority = priority
            return ticket
        }
        let tickets = [
            queued("e", .normal, due: "2026-12-09 09:00", received: "2026-11-30 09:00"),
            queued("d", .normal, due: "2026-12-08 09:00", received: "2026-11-30 10:00"),
            queued("c", .normal, due: "2026-12-08 09:00", received: "2026-11-30 09:00"),
            queued("b", .priority, due: "2026-12-20 09:00", received: "2026-11-30 09:00"),
            queued("a", .urgent, due: "2026-12-21 09:00", received: "2026-11-30 09:00"),
        ]
        #expect(tickets.sorted(by: QueueOrder.precedes).map(\.code) == ["a", "b", "c", "d", "e"])
    }

    @Test("dossier codes: centre, local date, a four-digit sequence that widens rather than fails (Decree 61/2018 art. 26)")
    func dossierCodes() {
        let day = DossierCode.day(LocalDate("2026-12-07")!)
        #expect(DossierCode.make(centre: "000.00.31.H29", day: day, sequence: 12) == "000.00.31.H29-261207-0012")
        #expect(DossierCode.make(centre: "000.00.31.H29", day: day, sequence: 10_000) == "000.00.31.H29-261207-10000")
    }

    @Test("who may see a ticket: counter staff all, a handler their department's, an integration its own, kiosk and display none")
    func visibility() {
        let ticket = Self.ticket()
        #expect(Permissions.canSee(ticket, viewer: Self.supervisor) == true)
        #expect(Permissions.canSee(ticket, viewer: Self.civilServant) == true)
        let other = Staff(username: "x", name: "x", role: .handler, department: "mot-cua", employment: .contract)
        #expect(Permissions.canSee(ticket, viewer: other) == false)
        #expect(Permissions.canSee(ticket, viewer: Staff(username: "k", name: "k", role: .kiosk, employment: .contract)) == nil)
        #expect(Permissions.intake == [.officer, .integration, .supervisor, .admin])
    }

    @Test("step allowances are added in the calendar's own working day: 8 h fits 1 d with 8-hour days, not with 7.5-hour days")
    func allowances() {
        let service = Service(
            code: "X", name: "X", kind: .procedure, timeLimit: .days(1),
            route: [RouteStep(department: "a", allowance: .hours(2)), RouteStep(department: "b", allowance: .hours(6))])
        var validator = Validator()
        RouteRules.checkAllowances(of: service, calendar: WorkingCalendar(), into: &validator)
        #expect(validator.errors.isEmpty)
        let short = WorkingPeriod(start: TimeOfDay("13:30")!, end: TimeOfDay("17:00")!)
        var hours = WorkingCalendar.defaultHours
        for weekday in hours.keys { hours[weekday]![1] = short }
        RouteRules.checkAllowances(of: service, calendar: WorkingCalendar(hours: hours), into: &validator)
        #expect(validator.errors.map(\.field) == ["route"])
    }

    @Test(
        "the cut-off is the service's setting, on paper channels only (Decree 61/2018 art. 18)",
        arguments: [
            ("procedure in days, at the counter", Service.Kind.procedure, "3 d", nil as Bool?, Ticket.Channel.counter, true),
            ("procedure in days, online", .procedure, "3 d", nil, .web, false),
            ("same-day procedure (0 d)", .procedure, "0 d", nil, .counter, false),
            ("urgent feedback in hours", .feedback, "4 h", nil, .counter, false),
            ("procedure with the cut-off turned off", .procedure, "3 d", false, .post, false),
            ("feedback with the cut-off turned on", .feedback, "5 d", true, .post, true),
        ])
    func cutoff(_ name: String, kind: Service.Kind, limit: String, setting: Bool?, channel: Ticket.Channel, expected: Bool) {
        let service = Service(
            code: "X", name: "X", kind: kind, timeLimit: TimeLimit(limit)!, route: [RouteStep(department: "a")], cutoff: setting)
        #expect(Reception.cutoffApplies(service: service, channel: channel) == expected, "\(name)")
    }
}
