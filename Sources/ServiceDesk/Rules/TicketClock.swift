import Foundation

/// A ticket's clock as its history tells it (SPEC §2–3): when counting started, the due moment,
/// the time waited on the citizen, and every line of why. One fold for three readers: the
/// live decisions apply one event to the clock stored on the ticket; `explain-due` folds the
/// whole event log; the replay of durations after a calendar correction folds it again.
public struct TicketClock: Equatable, Sendable {
    /// What happened to the clock.
    public enum Event: Equatable, Sendable {
        /// Accepted at intake: the clock starts.
        case accepted(at: Date)
        /// An incomplete intake, now complete: accepted, the clock starts (it never ran, so no
        /// wait is counted).
        case completed(at: Date)
        /// Waiting on the citizen (a supplement or a payment).
        case waiting(at: Date, kind: String)
        /// The citizen answered; `restart` (Decree 61/2018 art. 19(4)) or the clock resumes.
        case resumed(at: Date, restart: Bool)
        /// Resolved (possibly while waiting: a refusal of a dossier the citizen never completed).
        case resolved(at: Date)
        /// An apology and new appointment.
        case apologised(at: Date, revisedDue: String)
        /// Given a severity class (feedback): the class's limit and counting replace the
        /// service's, from where the clock started.
        case classified(at: Date, severity: Severity)
        /// Reopened by the citizen: the clock starts again from now.
        case reopened(at: Date)
    }

    /// What the ticket is counted against: its service's time limit and whether the cut-off applies.
    public struct Terms: Sendable {
        public var limit: TimeLimit
        public var cutoff: Bool
        public var rule: Service.SupplementRule
        /// Counted in clock time from reception, day and night (a round-the-clock severity class).
        public var roundTheClock = false

        public init(limit: TimeLimit, cutoff: Bool, rule: Service.SupplementRule) {
            self.limit = limit
            self.cutoff = cutoff
            self.rule = rule
        }

        /// The terms under a severity class: its limit (or the service's) and its counting.
        public func under(_ severity: Severity?) -> Terms {
            guard let severity else { return self }
            var terms = self
            terms.limit = severity.timeLimit ?? limit
            terms.roundTheClock = severity.roundTheClock
            if severity.roundTheClock { terms.cutoff = false }
            return terms
        }

        public init(service: Service, channel: Ticket.Channel) {
            self.init(
                limit: service.timeLimit, cutoff: Reception.cutoffApplies(service: service, channel: channel), rule: service.supplementRule)
        }
    }

    public var countingStart: Date?
    public var due: Date?
    public var waitingSince: Date?
    /// The moment the clock was started (accepted, completed, restarted or reopened) before the
    /// cut-off and the opening hours moved it: where a severity class counts from.
    public var startedAt: Date?
    /// The severity class given, whose terms replace the service's.
    public var severity: Severity?
    /// Working minutes waited on the citizen after acceptance (reported apart from handling time).
    public var pausedMinutes = 0
    /// Set by the last event: how it moved the clock (`start`, `restart`, `pause`), the due
    /// moment before, and the working minutes of the wait it ended.
    public var change: String?
    public var previousDue: Date?
    public var lastWait = 0
    /// `explain-due`'s words; none when folded with a quiet working time (`WorkingTime.quiet`).
    public var lines: [DueLine] = []
    public var warnings: [String] = []

    public init(countingStart: Date? = nil, due: Date? = nil, waitingSince: Date? = nil, pausedMinutes: Int = 0) {
        self.countingStart = countingStart
        self.due = due
        self.waitingSince = waitingSince
        self.pausedMinutes = pausedMinutes
    }

    /// The clock stored on a ticket (`acceptedAt`: when it was accepted, reception by default).
    public init(ticket: Ticket, pausedMinutes: Int, acceptedAt: Date? = nil) {
        self.init(countingStart: ticket.countingStartAt, due: ticket.dueAt, waitingSince: ticket.pausedAt, pausedMinutes: pausedMinutes)
        severity = ticket.severity
        if ticket.countingStartAt != nil { startedAt = acceptedAt ?? ticket.receivedAt }
    }

    /// The clock of a whole history.
    public static func fold(_ events: [Event], terms: Terms, time: WorkingTime) -> TicketClock {
        var clock = TicketClock()
        for event in events { clock.apply(event, terms: terms, time: time) }
        return clock
    }

    public mutating func apply(_ event: Event, terms serviceTerms: Terms, time: WorkingTime) {
        let terms = serviceTerms.under(severity)
        change = nil
        previousDue = due
        lastWait = 0
        switch event {
        case .accepted(let at):
            guard countingStart == nil else { return }
            start(at: at, terms: terms, time: time)

        case .completed(let at):
            guard countingStart == nil else { return }
            if time.explains { lines.append(clockLine(at, time, "dossier complete; the time limit starts (Decree 61/2018 art. 19(4))")) }
            waitingSince = nil
            start(at: at, terms: terms, time: time)
            change = "start"

        case .waiting(let at, let kind):
            // Before acceptance the clock does not run: nothing to stop.
            guard countingStart != nil else {
                waitingSince = at
                return
            }
            waitingSince = at
            if time.explains { lines.append(clockLine(at, time, "waiting for the citizen (\(kind)); rule \(terms.rule.rawValue)")) }

        case .resumed(let at, let restart):
            guard countingStart != nil else {
                apply(.completed(at: at), terms: terms, time: time)
                return
            }
            endWait(at: at, time: time)
            if restart {
                if time.explains {
                    lines.append(clockLine(at, time, "dossier complete; the time limit starts again from zero (Decree 61/2018 art. 19(4))"))
                }
                countingStart = nil
                start(at: at, terms: terms, time: time)
                change = "restart"
            } else if let current = due, terms.roundTheClock {
                due = current.addingTimeInterval(Double(lastWait * 60))
                if time.explains {
                    lines.append(clockLine(at, time, "the clock was stopped for \(lastWait) minutes while waiting for the citizen"))
                }
                if let due, time.explains { lines.append(time.dueLine(due, "due")) }
                change = "pause"
            } else if let current = due {
                let walked = time.walk(minutes: lastWait, from: current)
                if time.explains {
                    lines.append(
                        DueLine(
                            kind: .clock, date: time.clock.local(at).date, minutes: lastWait,
                            text:
                                "\(time.clock.describe(at)): the clock was stopped for \(lastWait) working minutes while waiting for the citizen; the due moment moves by as much"
                        ))
                }
                lines += walked.lines
                due = walked.due
                if time.explains { lines.append(time.dueLine(walked.due, "due")) }
                change = "pause"
            }

        case .resolved(let at):
            if countingStart != nil { endWait(at: at, time: time) }

        case .apologised(let at, let revised):
            if time.explains {
                lines.append(
                    clockLine(
                        at, time, "apology and new appointment \(revised); the ticket is still judged against its original due moment"))
            }

        case .classified(let at, let given):
            severity = given
            let classed = serviceTerms.under(given)
            let counting = classed.roundTheClock ? "round the clock, in clock time" : "in working time"
            if time.explains {
                lines.append(
                    clockLine(
                        at, time,
                        "classed \(given.code): time limit \(classed.limit) (\(given.timeLimit == nil ? "the service's" : "the class's")), counted \(counting)"
                    ))
            }
            guard let started = startedAt else { return }
            // From where the clock started, under the class's terms; time already waited on the
            // citizen (the pause rule) moves the new due moment as it moved the old one.
            countingStart = nil
            start(at: started, terms: classed, time: time)
            if classed.rule == .pause && pausedMinutes > 0, let current = due {
                due =
                    classed.roundTheClock
                    ? current.addingTimeInterval(Double(pausedMinutes * 60)) : time.walk(minutes: pausedMinutes, from: current).due
                if time.explains { lines.append(clockLine(at, time, "plus \(pausedMinutes) minutes already waited on the citizen")) }
                if let due, time.explains { lines.append(time.dueLine(due, "due")) }
            }
            change = "reclass"

        case .reopened(let at):
            if time.explains { lines.append(clockLine(at, time, "reopened by the citizen; the time limit starts again from zero")) }
            waitingSince = nil
            countingStart = nil
            start(at: at, terms: terms, time: time)
            change = "reopen"
        }
    }

    private mutating func start(at: Date, terms: Terms, time: WorkingTime) {
        startedAt = at
        if terms.roundTheClock {
            // Clock time from the moment received, day and night: no opening hours, no cut-off.
            countingStart = at
            let end = at.addingTimeInterval(Double(terms.limit.clockSeconds))
            due = end
            if time.explains { lines.append(clockLine(at, time, "round the clock: \(terms.limit) counted in clock time from reception")) }
            if time.explains { lines.append(time.dueLine(end, "due")) }
            return
        }
        let computation = Reception.due(receivedAt: at, limit: terms.limit, cutoff: terms.cutoff, time: time)
        countingStart = computation.countingStart
        due = computation.due
        lines += computation.lines
        warnings += computation.warnings.filter { !warnings.contains($0) }
    }

    /// Ends a wait on the citizen at `at`, counting it (in clock minutes round the clock).
    private mutating func endWait(at: Date, time: WorkingTime) {
        guard let since = waitingSince else { return }
        lastWait =
            severity?.roundTheClock == true
            ? max(0, Int(at.timeIntervalSince(since) / 60)) : time.workingMinutes(from: since, to: at)
        pausedMinutes += lastWait
        waitingSince = nil
    }

    private func clockLine(_ at: Date, _ time: WorkingTime, _ text: String) -> DueLine {
        DueLine(kind: .clock, date: time.clock.local(at).date, text: "\(time.clock.describe(at)): \(text)")
    }
}

extension TicketClock.Event {
    /// The clock events of a line of the audit trail: an intake that classed the item gives
    /// its class first, then its acceptance.
    public static func events(action: String, at: Date, detail: [String: String]) -> [TicketClock.Event] {
        var events: [TicketClock.Event] = []
        if action == "ticket.intake", let severity = Severity(detail: detail) { events.append(.classified(at: at, severity: severity)) }
        if let event = TicketClock.Event(action: action, at: at, detail: detail) { events.append(event) }
        return events
    }

    /// The clock event of a line of the audit trail, if it touches the clock. The detail keys
    /// are those the decisions write (`clock`, `kind`, `revisedDueAt`, `class`).
    public init?(action: String, at: Date, detail: [String: String]) {
        switch action {
        case "ticket.classify":
            guard let severity = Severity(detail: detail) else { return nil }
            self = .classified(at: at, severity: severity)
        case "ticket.reopen": self = .reopened(at: at)
        case "ticket.receive": self = .accepted(at: at)
        case "ticket.redirect", "ticket.merge": self = .resolved(at: at)
        case "ticket.intake" where detail["outcome"] == "accepted": self = .accepted(at: at)
        case "ticket.intake" where detail["outcome"] == "incomplete": self = .waiting(at: at, kind: "supplement")
        case "ticket.request-supplement": self = .waiting(at: at, kind: detail["kind"] ?? "supplement")
        case "ticket.supplement-received", "ticket.pay", "ticket.exempt":
            // A payment ends a wait only when it settles what was owed; its event then says how.
            guard action == "ticket.supplement-received" || detail["clock"] != nil else { return nil }
            switch detail["clock"] {
            case "start": self = .completed(at: at)
            case "restart": self = .resumed(at: at, restart: true)
            default: self = .resumed(at: at, restart: false)
            }
        case "ticket.resolve": self = .resolved(at: at)
        case "ticket.apologise": self = .apologised(at: at, revisedDue: detail["revisedDueAt"] ?? "")
        default: return nil
        }
    }
}
