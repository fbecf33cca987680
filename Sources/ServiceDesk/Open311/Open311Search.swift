import Foundation

/// `GET requests.{json,xml}` (GeoReport v2): `service_request_id` overrides every other filter;
/// otherwise `service_code` and `status` comma lists and a window on the requested time, by
/// default the last 90 days, at most 90 days wide; at most 1000 requests, newest first.
public struct Open311Search: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case open, closed
    }

    public static let maxWindow: TimeInterval = 90 * 86_400
    public static let maxResults = 1000

    public var ids: [String]?
    public var serviceCodes: [String]?
    public var statuses: Set<Status>?
    public var start: Date
    public var end: Date

    public init(ids: [String]? = nil, serviceCodes: [String]? = nil, statuses: Set<Status>? = nil, start: Date, end: Date) {
        self.ids = ids
        self.serviceCodes = serviceCodes
        self.statuses = statuses
        self.start = start
        self.end = end
    }

    public static func parse(_ parameters: Open311Parameters, now: Date) throws(DeskError) -> Open311Search {
        var validator = Validator()
        if let ids = parameters.list("service_request_id") {
            validator.check(ids.count <= maxResults, "service_request_id", "at most \(maxResults) ids")
            try validator.finish()
            return Open311Search(ids: ids, start: now, end: now)
        }
        var statuses: Set<Status>?
        if let list = parameters.list("status") {
            let parsed = list.compactMap { Status(rawValue: $0.lowercased()) }
            validator.check(parsed.count == list.count, "status", "must be open, closed or both, comma-separated")
            statuses = Set(parsed)
        }
        func instant(_ name: String) -> Date? {
            guard let text = parameters.value(name) else { return nil }
            let instant = W3CDateTime.parse(text)
            validator.check(instant != nil, name, "must be a W3C datetime with a time zone, e.g. 2026-11-01T00:00:00+07:00")
            return instant
        }
        let start = instant("start_date")
        let end = instant("end_date")
        try validator.finish()
        let window: (Date, Date) =
            switch (start, end) {
            case (let start?, let end?): (start, end)
            case (let start?, nil): (start, min(now, start.addingTimeInterval(maxWindow)))
            case (nil, let end?): (end.addingTimeInterval(-maxWindow), end)
            case (nil, nil): (now.addingTimeInterval(-maxWindow), now)
            }
        validator.check(window.0 <= window.1, "end_date", "must not be before start_date")
        validator.check(window.1.timeIntervalSince(window.0) <= maxWindow, "end_date", "the window may span at most 90 days")
        try validator.finish()
        return Open311Search(serviceCodes: parameters.list("service_code"), statuses: statuses, start: window.0, end: window.1)
    }
}

/// One request as GeoReport v2 shows it (SPEC §7): the ticket's state collapsed to open or
/// closed with the detail in `statusNotes`, the current department as the agency, `dueAt` as
/// the expected time. Never the citizen's name, phone or e-mail.
public struct Open311Request: Equatable, Sendable {
    public var serviceRequestId: String
    public var status: Open311Search.Status
    public var statusNotes: String
    public var serviceName: String
    public var serviceCode: String
    public var description: String?
    public var agencyResponsible: String?
    public var serviceNotice: String?
    public var requested: Date
    public var updated: Date
    public var expected: Date?
    public var address: String?
    public var addressId: String?
    public var lat: Double?
    public var long: Double?
    public var mediaURL: String?
}

extension Open311Request {
    /// What the citizen reads about the state (`status_notes`).
    static func notes(for ticket: Ticket, department: String?, overdue: Bool) -> String {
        let at = department.map { " at \($0)" } ?? ""
        let late = overdue ? "; past the expected date" : ""
        switch ticket.state {
        case .new: return "submitted, waiting to be received"
        case .queued: return "received, waiting to be handled\(at)\(late)"
        case .inProgress: return "being handled\(at)\(late)"
        case .awaitingCitizen:
            return ticket.awaitingReason == .payment ? "waiting for the citizen's payment" : "waiting for documents from the citizen"
        case .resolved:
            return
                "resolved (\(ticket.outcome?.rawValue ?? "done")); the result is ready\(ticket.apologisedAt != nil ? ", after an apology for the delay" : "")"
        case .returned: return "resolved (\(ticket.outcome?.rawValue ?? "done")); the result was returned to the citizen"
        case .rejected: return "refused at reception"
        case .withdrawn: return "withdrawn by the citizen"
        }
    }

    /// The latest progress, appended to `status_notes`: "; progress 2026-12-01: … (to finish by 2026-12-05)".
    static func notes(progress: Progress, clock: LocalClock) -> String {
        "; progress \(clock.local(progress.at).date): \(progress.text)" + (progress.committedDate.map { " (to finish by \($0))" } ?? "")
    }

    /// `service_notice`: the expected handling time in words.
    public static func notice(limit: TimeLimit, due: Date?, clock: LocalClock) -> String {
        let words = limit.inWords
        guard let due else { return "To be handled within \(words) once the dossier is complete." }
        return "To be handled within \(words), by \(clock.describe(due)) (\(clock.timeZone.identifier))."
    }
}
