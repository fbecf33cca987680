import Foundation

/// Where a ticket's clock starts and when its time limit runs out (SPEC §3): the one
/// definition that intake, the completion of an incomplete dossier, a restart after a
/// supplement, each route step and the due calculator share.
public enum Reception {
    /// Whether the centre's cut-off applies: the service's setting (on by default for
    /// procedures counted in days) and a paper channel (Decree 61/2018 art. 18 is a rule of
    /// paper dossiers; an online dossier counts from reception, or from the next working day
    /// when received outside working hours).
    public static func cutoffApplies(service: Service, channel: Ticket.Channel) -> Bool {
        cutoffApplies(setting: service.appliesCutoff, channel: channel)
    }

    static func cutoffApplies(setting: Bool, channel: Ticket.Channel) -> Bool {
        setting && channel.isPaper
    }

    /// The due computation of `limit` for a reception at `received`: the counting start and
    /// why, every day counted or skipped, the due moment, and any warning.
    public static func due(receivedAt received: Date, limit: TimeLimit, cutoff: Bool, time: WorkingTime) -> DueComputation {
        let start = time.countingStart(acceptedAt: received, cutoff: cutoff)
        var computation = time.due(from: start.start, limit: limit)
        computation.lines = start.lines + computation.lines
        return computation
    }

    /// The due moment of a route step entered at `entered` with its own allowance: steps count
    /// from the hand-over (the cut-off is a rule of reception, not of transfers).
    public static func stepDue(enteredAt entered: Date, allowance: TimeLimit?, time: WorkingTime) -> Date? {
        allowance.map { due(receivedAt: entered, limit: $0, cutoff: false, time: time.quiet).due }
    }

    /// A new visit of a route step, with its due moment.
    public static func enter(_ step: RouteStep, visit: Int, position: Int?, at entered: Date, time: WorkingTime) -> StepVisit {
        StepVisit(
            visit: visit, position: position, department: step.department, allowance: step.allowance, enteredAt: entered,
            dueAt: stepDue(enteredAt: entered, allowance: step.allowance, time: time))
    }
}

/// The answer of the due calculator (`GET /api/v1/calendar/due`, `deskcli calendar due`): what
/// a ticket received at `receivedAt` with `limit` would get.
public struct DueAnswer: Codable, Equatable, Sendable {
    public var receivedAt: Date
    public var limit: TimeLimit
    public var service: String?
    public var channel: Ticket.Channel
    /// Whether the intake cut-off applied (the service's setting and a paper channel).
    public var cutoffApplied: Bool
    public var countingStartAt: Date
    public var dueAt: Date
    /// The appointment date printed on the receipt (the due moment's local date).
    public var appointmentDate: LocalDate
    /// `2026-12-03 09:00`, local.
    public var countingStartLocal: String
    public var dueLocal: String
    public var lines: [DueLine]
    public var warnings: [String]

    public init(
        receivedAt: Date, limit: TimeLimit, service: String?, channel: Ticket.Channel, cutoffApplied: Bool, computation: DueComputation,
        clock: LocalClock
    ) {
        self.receivedAt = receivedAt
        self.limit = limit
        self.service = service
        self.channel = channel
        self.cutoffApplied = cutoffApplied
        countingStartAt = computation.countingStart
        dueAt = computation.due
        appointmentDate = clock.local(computation.due).date
        countingStartLocal = clock.describe(computation.countingStart)
        dueLocal = clock.describe(computation.due)
        lines = computation.lines
        warnings = computation.warnings
    }
}
