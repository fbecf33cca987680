import Foundation

/// `POST /api/v1/tickets`: a dossier or request received at a counter, by phone, online or by post.
public struct IntakeRequest: Codable, Sendable {
    /// What the officer decided at the counter (Decree 61/2018 art. 17).
    public enum Outcome: String, Codable, CaseIterable, Sendable {
        /// Complete: receipt and appointment, the clock starts.
        case accepted
        /// Incomplete: a supplement request, no clock until complete.
        case incomplete
        /// Refused at intake, with reasons.
        case refused
        /// Submitted online by a portal, waiting for an officer to receive it (`new`); the
        /// outcome of such an intake, never one a client asks for.
        case submitted
    }

    public var service: String?
    public var channel: String?
    public var applicant: ApplicantDraft?
    public var description: String?
    public var location: Location?
    public var documents: [Document]?
    public var priority: String?
    public var priorityReason: String?
    public var outcome: String?
    /// The missing items, for an incomplete dossier.
    public var missing: [String]?
    /// The reasons, for a refusal.
    public var reasons: String?
    /// The walk-in queue number the citizen came with.
    public var queueNumber: String?
    /// Feedback: the severity class, when the officer classes it at intake.
    public var severity: String?
    /// A dossier filed through the National Public Service Portal: the portal's code of it and
    /// its reference there, kept with ours (docs/portal-sync.md).
    public var portalCode: String?
    public var portalReference: String?

    public init(
        service: String?, channel: String? = "counter", applicant: ApplicantDraft?, description: String? = nil,
        location: Location? = nil, documents: [Document]? = nil, priority: String? = nil, priorityReason: String? = nil,
        outcome: String? = nil, missing: [String]? = nil, reasons: String? = nil, queueNumber: String? = nil,
        severity: String? = nil
    ) {
        self.severity = severity
        self.service = service
        self.channel = channel
        self.applicant = applicant
        self.description = description
        self.location = location
        self.documents = documents
        self.priority = priority
        self.priorityReason = priorityReason
        self.outcome = outcome
        self.missing = missing
        self.reasons = reasons
        self.queueNumber = queueNumber
    }

    struct Validated {
        var channel: Ticket.Channel
        var applicant: Applicant
        var description: String
        var location: Location?
        var documents: [Document]
        var priority: Ticket.Priority
        var priorityReason: String?
        var outcome: Outcome
        var missing: [String]
        var reasons: String?
        var queueNumber: String?
        var severity: String?
        var portalCode: String?
        var portalReference: String?
    }

    func validated(currentYear: Int) throws(DeskError) -> Validated {
        var validator = Validator()
        validator.check(!(service ?? "").isEmpty, "service", "is required: the code of a catalogue service")
        let channel = Ticket.Channel(rawValue: channel ?? "counter")
        validator.check(channel != nil, "channel", "must be one of \(Ticket.Channel.allCases.map(\.rawValue).joined(separator: ", "))")
        var applicant = Applicant(name: "")
        if let draft = self.applicant {
            applicant = draft.validated(field: "applicant", currentYear: currentYear, into: &validator)
        } else {
            validator.add("applicant", "is required: who the ticket is for")
        }
        let description = Text.clean(description ?? "")
        validator.check(description.unicodeScalars.count <= 10_000, "description", "must be at most 10000 characters")
        var location = location
        if let place = location {
            location = Location(address: Text.clean(place.address), lat: place.lat, long: place.long)
            if let lat = place.lat { validator.check((-90...90).contains(lat), "location.lat", "must be between -90 and 90") }
            if let long = place.long { validator.check((-180...180).contains(long), "location.long", "must be between -180 and 180") }
            validator.check((place.lat == nil) == (place.long == nil), "location", "needs both lat and long, or neither")
        }
        let documents = (documents ?? []).enumerated().map { index, document in
            Document.validated(document, field: "documents[\(index)]", into: &validator)
        }
        validator.check(documents.count <= Document.maxCount, "documents", "at most \(Document.maxCount) documents")
        let portalCode = Text.clean(portalCode)
        if let portalCode {
            validator.check(
                portalCode.count <= 64 && Text.matches(portalCode, "^[0-9A-Za-z][0-9A-Za-z._-]*$"), "portalCode",
                "must be the portal's dossier code: letters, digits, dots, dashes or underscores, at most 64")
        }
        let portalReference = Text.clean(portalReference)
        if let portalReference {
            validator.check(portalReference.unicodeScalars.count <= 200, "portalReference", "must be at most 200 characters")
            validator.check(portalCode != nil, "portalReference", "goes with the portal's code (portalCode)")
        }
        let priority = Ticket.Priority(rawValue: priority ?? "normal")
        validator.check(priority != nil, "priority", "must be normal, priority or urgent")
        let priorityReason = Text.clean(priorityReason)
        if priority == .priority {
            validator.check(priorityReason != nil, "priorityReason", "is required for priority (e.g. elderly, disability)")
        }
        let outcome = Outcome(rawValue: outcome ?? "accepted").flatMap { $0 == .submitted ? nil : $0 }
        validator.check(outcome != nil, "outcome", "must be accepted, incomplete or refused")
        let missing = (missing ?? []).map(Text.clean).filter { !$0.isEmpty }
        if outcome == .incomplete {
            // Decree 61/2018 art. 15(3): everything missing, in one single request.
            validator.check(!missing.isEmpty, "missing", "an incomplete dossier lists every missing item")
        }
        if let severity { validator.check(Text.clean(severity as String?) != nil, "severity", "is blank; leave it out instead") }
        let reasons = Text.clean(reasons)
        if outcome == .refused { validator.check(reasons != nil, "reasons", "a refusal gives its reasons") }
        try validator.finish()
        return Validated(
            channel: channel!, applicant: applicant, description: description, location: location, documents: documents,
            priority: priority!, priorityReason: priorityReason, outcome: outcome!, missing: missing, reasons: reasons,
            queueNumber: Text.clean(queueNumber), severity: Text.clean(severity), portalCode: portalCode,
            portalReference: portalReference)
    }
}

/// The body of `POST /api/v1/tickets/{code}/actions/{action}`; each action reads the fields it needs.
public struct ActionRequest: Codable, Sendable {
    /// The ticket version the client saw; a different current version is 409.
    public var version: Int?
    /// Free text: the note, or the reason of a transfer, rejection, withdrawal or apology.
    public var note: String?
    /// `transfer`: a department to send the ticket to instead of the next route step.
    public var department: String?
    /// `request-supplement`: `supplement` (default) or `payment`.
    public var kind: String?
    /// `request-supplement`: every missing item.
    public var missing: [String]?
    /// `request-supplement`: a supervisor's reason for a second request at the same stage.
    public var override: String?
    /// `resolve`: granted, answered or refused.
    public var outcome: String?
    /// `apologise`: the new appointment.
    public var revisedDueAt: Date?
    /// `rate`: very-satisfied, satisfied or dissatisfied.
    public var rating: String?
    /// `reassign`: the handler to give the ticket to.
    public var handler: String?
    /// `progress`: the day the department commits to finish by (`YYYY-MM-DD`), when it cannot in time.
    public var committedDate: String?
    /// `progress`: links to photos of the work (at most 10 http(s) URLs).
    public var photos: [String]?
    /// `classify`: the severity class.
    public var severity: String?
    /// `forward`: the bodies asked (department codes).
    public var bodies: [String]?
    /// `forward`: the body that leads (one of `bodies`; the only one by default).
    public var lead: String?
    /// `accept`, `send-back`: the body answering (a handler's own department by default);
    /// `redirect`: the body competent for the complaint or denunciation.
    public var body: String?
    /// `redirect`: complaint or denunciation.
    public var nature: String?
    /// `merge`: the item this duplicate is merged into.
    public var into: String?
    /// `pay`, `exempt`: the charge line (its index in the ticket's charges).
    public var line: Int?
    /// `pay`: VND paid.
    public var amount: Int?
    /// `pay`: cash, transfer, online or postal.
    public var method: String?
    /// `pay`: the receipt (biên lai) number.
    public var receiptNumber: String?
    /// `pay`: the payment gateway's transaction id (online).
    public var reference: String?

    public init(
        version: Int? = nil, note: String? = nil, department: String? = nil, kind: String? = nil, missing: [String]? = nil,
        override: String? = nil, outcome: String? = nil, revisedDueAt: Date? = nil, rating: String? = nil, handler: String? = nil,
        committedDate: String? = nil, photos: [String]? = nil, severity: String? = nil, bodies: [String]? = nil, lead: String? = nil,
        body: String? = nil, nature: String? = nil, into: String? = nil, line: Int? = nil, amount: Int? = nil, method: String? = nil,
        receiptNumber: String? = nil, reference: String? = nil
    ) {
        self.line = line
        self.amount = amount
        self.method = method
        self.receiptNumber = receiptNumber
        self.reference = reference
        self.photos = photos
        self.severity = severity
        self.bodies = bodies
        self.lead = lead
        self.body = body
        self.nature = nature
        self.into = into
        self.version = version
        self.note = note
        self.department = department
        self.kind = kind
        self.missing = missing
        self.override = override
        self.outcome = outcome
        self.revisedDueAt = revisedDueAt
        self.rating = rating
        self.handler = handler
        self.committedDate = committedDate
    }
}
