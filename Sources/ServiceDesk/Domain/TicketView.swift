import Foundation

/// A ticket as the API shows it: its fields, the portal status, whether it is overdue or at
/// risk now, and (for staff who may see it) the applicant.
public struct TicketView: Codable, Equatable, Sendable {
    public var ticket: Ticket
    public var applicant: Applicant?
    public var overdue: Bool
    public var atRisk: Bool
    /// The Open311 attribute values a request came with, per attribute code (one ticket's view).
    public var attributes: [String: [String]]?
    /// The printed forms the ticket has (one ticket's view and an action's answer; not in lists).
    public var forms: [FormLink]?

    enum Extra: String, CodingKey { case portalStatus, applicant, overdue, atRisk, attributes, forms }

    public init(ticket: Ticket, applicant: Applicant?, overdue: Bool, atRisk: Bool, attributes: [String: [String]]? = nil) {
        self.ticket = ticket
        self.applicant = applicant
        self.overdue = overdue
        self.atRisk = atRisk
        self.attributes = attributes
    }

    public func encode(to encoder: any Encoder) throws {
        try ticket.encode(to: encoder)
        var container = encoder.container(keyedBy: Extra.self)
        try container.encode(ticket.portalStatus, forKey: .portalStatus)
        try container.encodeIfPresent(applicant, forKey: .applicant)
        try container.encode(overdue, forKey: .overdue)
        try container.encode(atRisk, forKey: .atRisk)
        try container.encodeIfPresent(attributes, forKey: .attributes)
        try container.encodeIfPresent(forms, forKey: .forms)
    }

    public init(from decoder: any Decoder) throws {
        ticket = try Ticket(from: decoder)
        let container = try decoder.container(keyedBy: Extra.self)
        applicant = try container.decodeIfPresent(Applicant.self, forKey: .applicant)
        overdue = try container.decode(Bool.self, forKey: .overdue)
        atRisk = try container.decode(Bool.self, forKey: .atRisk)
        attributes = try container.decodeIfPresent([String: [String]].self, forKey: .attributes)
        forms = try container.decodeIfPresent([FormLink].self, forKey: .forms)
    }
}

/// The receipt and appointment slip (form 01), or the supplement request / refusal slip.
public struct Receipt: Codable, Equatable, Sendable {
    public var code: String
    public var outcome: IntakeRequest.Outcome
    public var service: String
    public var serviceName: String
    public var receivedAt: Date
    public var countingStartAt: Date?
    public var dueAt: Date?
    /// `2026-12-03 10:00` in the centre's time zone, as printed.
    public var receivedLocal: String
    public var dueLocal: String?
    public var documents: [Document]
    public var charges: [Charge]
    public var missing: [String]
    public var reasons: String?
    /// Said when the due computation entered a year whose calendar was never loaded (SPEC §3).
    public var warnings: [String]
    /// The paper to hand over: form 01, 02 or 03 as the outcome issued it, and the control sheet.
    public var forms: [FormLink]
}

/// The answer to an intake.
public struct IntakeResult: Codable, Equatable, Sendable {
    public var ticket: TicketView
    public var receipt: Receipt
}

/// The whole computation of a ticket's due moment (`explain-due`).
public struct DueExplanation: Codable, Equatable, Sendable {
    public var code: String
    public var timeLimit: TimeLimit
    public var supplementRule: Service.SupplementRule
    public var lines: [DueLine]
    /// The due moment stored when the ticket was accepted (and moved by pauses or restarts).
    public var storedDueAt: Date?
    /// What the current calendar gives for the same history (differs after a calendar correction).
    public var recomputedDueAt: Date?
    public var revisedDueAt: Date?
    /// Said when the computation entered a year whose calendar was never loaded (SPEC §3).
    public var warnings: [String]
}

/// A line of a ticket's audit trail with the control sheet's grade when a step was left.
public struct TicketEvent: Codable, Equatable, Sendable {
    public var id: Int64
    public var at: Date
    public var actor: String
    public var action: String
    public var detail: [String: String]
    public var hash: String
}

/// What the public lookup reveals: nothing personal.
public struct PublicStatus: Codable, Equatable, Sendable {
    public var code: String
    public var state: Ticket.State
    public var portalStatus: Int
    public var service: String
    public var department: String?
    public var receivedAt: Date
    public var dueAt: Date?
    public var revisedDueAt: Date?
    /// Waiting on the citizen for a supplement: the items the latest request (form 02) listed.
    public var missing: [String]?
    /// The responsible department's latest progress (open tickets).
    public var progress: Progress?
}

/// A progress post as the citizen reads it.
public struct Progress: Codable, Equatable, Sendable {
    public var at: Date
    public var text: String
    /// The day the department commits to finish by.
    public var committedDate: LocalDate?
}
