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
    }

    /// What the ticket is counted against: its service's time limit and whether the cut-off applies.
    public struct Terms: Sendable {
        public var limit: TimeLimit
        public var cutoff: Bool
        public var rule: Service.SupplementRule

        public init(limit: TimeLimit, cutoff: Bool, rule: Service.SupplementRule) {
            self.limit = limit
            self.cutoff = cutoff
            self.rule = rule
        }

        public init(service: Service, channel: Ticket.Channel) {
            self.init(
                limit: service.timeLimit, cutoff: Reception.cutoffApplies(service: service, channel: channel), rule: service.supplementRule)
        }
    }

    public var countingStart: Date?
    public var due: Date?
    public var waitingSince: Date?
    /// Working minutes waited on the citizen after acceptance (reported apart from handling time).
    public var pausedMinutes = 0
    /// Set by the last event: how it moved the clock (`start`, `restart`, `pause`), the due
    /// moment before, and the working minutes of the wait it ended.
    public var change: String?
    public var previousDue: Date?
    public var lastWait = 0
    public var lines: [DueLine] = []
    public var warnings: [String] = []

    public init(countingStart: Date? = nil, due: Date? = nil, waitingSince: Date? = nil, pausedMinutes: Int = 0) {
        self.countingStart = countingStart
        self.due = due
        self.waitingSince = waitingSince
        self.pausedMinutes = pausedMinutes
    }

    /// The clock stored on a ticket.
    public init(ticket: Ticket, pausedMinutes: Int) {
        self.init(countingStart: ticket.countingStartAt, due: ticket.dueAt, waitingSince: ticket.pausedAt, pausedMinutes: pausedMinutes)
    }

    /// The clock of a whole history.
    public static func fold(_ events: [Event], terms: Terms, time: WorkingTime) -> TicketClock {
        var clock = TicketClock()
        for event in events { clock.apply(event, terms: terms, time: time) }
        return clock
    }

    public mutating func apply(_ event: Event, terms: Terms, time: WorkingTime) {
        change = nil
        previousDue = due
        lastWait = 0
        switch event {
        case .accepted(let at):
            guard countingStart == nil else { return }
            start(at: at, terms: terms, time: time)

        case .completed(let at):
            guard countingStart == nil else { return }
            lines.append(clockLine(at, time, "dossier complete; the time limit starts (Decree 61/2018 art. 19(4))"))
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
            lines.append(clockLine(at, time, "waiting for the citizen (\(kind)); rule \(terms.rule.rawValue)"))

        case .resumed(let at, let restart):
            guard countingStart != nil else {
                apply(.completed(at: at), terms: terms, time: time)
                return
            }
            endWait(at: at, time: time)
            if restart {
                lines.append(clockLine(at, time, "dossier complete; the time limit starts again from zero (Decree 61/2018 art. 19(4))"))
                countingStart = nil
                start(at: at, terms: terms, time: time)
                change = "restart"
            } else if let current = due {
                let walked = time.walk(minutes: lastWait, from: current)
                lines.append(
                    DueLine(
                        kind: .clock, date: time.clock.local(at).date, minutes: lastWait,
                        text:
                            "\(time.clock.describe(at)): the clock was stopped for \(lastWait) working minutes while waiting for the citizen; the due moment moves by as much"
                    ))
                lines += walked.lines
                due = walked.due
                lines.append(time.dueLine(walked.due, "due"))
                change = "pause"
            }

        case .resolved(let at):
            if countingStart != nil { endWait(at: at, time: time) }

        case .apologised(let at, let revised):
            lines.append(
                clockLine(at, time, "apology and new appointment \(revised); the ticket is still judged against its original due moment"))
        }
    }

    private mutating func start(at: Date, terms: Terms, time: WorkingTime) {
        let computation = Reception.due(receivedAt: at, limit: terms.limit, cutoff: terms.cutoff, time: time)
        countingStart = computation.countingStart
        due = computation.due
        lines += computation.lines
        warnings += computation.warnings.filter { !warnings.contains($0) }
    }

    /// Ends a wait on the citizen at `at`, counting it.
    private mutating func endWait(at: Date, time: WorkingTime) {
        guard let since = waitingSince else { return }
        lastWait = time.workingMinutes(from: since, to: at)
        pausedMinutes += lastWait
        waitingSince = nil
    }

    private func clockLine(_ at: Date, _ time: WorkingTime, _ text: String) -> DueLine {
        DueLine(kind: .clock, date: time.clock.local(at).date, text: "\(time.clock.describe(at)): \(text)")
    }
}

extension TicketClock.Event {
    /// The clock event of a line of the audit trail, if it touches the clock. The detail keys
    /// are those the decisions write (`clock`, `kind`, `revisedDueAt`).
    public init?(action: String, at: Date, detail: [String: String]) {
        switch action {
        case "ticket.intake" where detail["outcome"] == "accepted": self = .accepted(at: at)
        case "ticket.intake" where detail["outcome"] == "incomplete": self = .waiting(at: at, kind: "supplement")
        case "ticket.request-supplement": self = .waiting(at: at, kind: detail["kind"] ?? "supplement")
        case "ticket.supplement-received":
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
