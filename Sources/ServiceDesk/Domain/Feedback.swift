import Foundation

/// A severity class of feedback, the centre's setting (docs/feedback.md). By default Hanoi's
/// three (QĐ 1207/QĐ-UBND of 28/02/2025): *khẩn* (urgent, handled within 4 working hours),
/// *phức tạp* (complex: several bodies or a statutory procedure) and *bình thường* (normal); the
/// limits of the last two are not public, so they keep the service's own until the centre sets one.
public struct SeverityClass: Codable, Equatable, Sendable {
    public var code: String
    public var name: String
    /// The class's time limit; nil: the service's own.
    public var timeLimit: TimeLimit?
    /// Counted in clock time, day and night (urgent incidents), not in working time.
    public var roundTheClock: Bool
    /// Where the class is listed.
    public var position: Int

    public init(code: String, name: String, timeLimit: TimeLimit?, roundTheClock: Bool = false, position: Int = 0) {
        self.code = code
        self.name = name
        self.timeLimit = timeLimit
        self.roundTheClock = roundTheClock
        self.position = position
    }

    /// The terms a ticket given this class keeps.
    public var terms: Severity { Severity(code: code, timeLimit: timeLimit, roundTheClock: roundTheClock) }

    static func isValidCode(_ code: String) -> Bool {
        code.count <= 40 && Text.matches(code, "^[a-z0-9]+(-[a-z0-9]+)*$")
    }
}

/// `PUT /api/v1/severity-classes/{code}`: a class created or replaced.
public struct SeverityClassDraft: Codable, Sendable {
    public var name: String?
    public var timeLimit: String?
    public var roundTheClock: Bool?
    public var position: Int?

    public init(name: String?, timeLimit: String? = nil, roundTheClock: Bool? = nil, position: Int? = nil) {
        self.name = name
        self.timeLimit = timeLimit
        self.roundTheClock = roundTheClock
        self.position = position
    }

    func validated(code: String) throws(DeskError) -> SeverityClass {
        var validator = Validator()
        validator.check(SeverityClass.isValidCode(code), "code", "must be a slug of lower-case letters, digits and dashes (e.g. urgent)")
        let name = Text.requiredName(name, field: "name", into: &validator)
        var limit: TimeLimit?
        if let text = timeLimit {
            limit = TimeLimit(text)
            validator.check(limit != nil, "timeLimit", "must be \(TimeLimit.textFormat), or null for the service's own")
        }
        let roundTheClock = roundTheClock ?? false
        if roundTheClock && timeLimit == nil { validator.add("timeLimit", "a round-the-clock class needs its own limit") }
        validator.check((0...1000).contains(position ?? 0), "position", "must be 0 to 1000")
        try validator.finish()
        return SeverityClass(code: code, name: name, timeLimit: limit, roundTheClock: roundTheClock, position: position ?? 0)
    }
}

/// The class a ticket was given, with the terms in force when it was given: a later change of
/// the class's settings does not move a due moment already promised.
public struct Severity: Codable, Equatable, Sendable {
    public var code: String
    /// The class's own limit; nil: the service's.
    public var timeLimit: TimeLimit?
    public var roundTheClock: Bool

    public init(code: String, timeLimit: TimeLimit?, roundTheClock: Bool) {
        self.code = code
        self.timeLimit = timeLimit
        self.roundTheClock = roundTheClock
    }

    /// The event detail that records it (hashed into the audit chain: keys never change).
    var detail: [String: String?] {
        ["class": code, "classLimit": timeLimit?.description, "roundTheClock": roundTheClock ? "true" : "false"]
    }

    /// The terms recorded by an event, if it records any.
    init?(detail: [String: String]) {
        guard let code = detail["class"] else { return nil }
        self.init(code: code, timeLimit: detail["classLimit"].flatMap(TimeLimit.init), roundTheClock: detail["roundTheClock"] == "true")
    }
}

/// What an item classed outside feedback is (Decree 20/2008/NĐ-CP and the city regulations
/// exclude them): a complaint (*khiếu nại*, Law on Complaints 2011) or a denunciation (*tố cáo*,
/// Law on Denunciations 2018). It is closed here with guidance and the competent body.
public enum Nature: String, Codable, CaseIterable, Sendable {
    case complaint, denunciation
}

/// One body asked to act on a feedback item (Decree 20/2008/NĐ-CP, amended by Decree 48/2013/NĐ-CP: an item outside the
/// receiving body's competence is forwarded within 5 working days): a department of the centre
/// or an outside agency (a department of kind `authority`). Several may be asked, one leading.
public struct Forward: Codable, Equatable, Sendable {
    public var body: String
    public var lead: Bool
    /// The department that forwarded it (where a lead's sending back returns it).
    public var fromDepartment: String?
    public var sentAt: Date
    public var sentBy: String
    /// Forwarded within 5 working days of reception.
    public var grade: Timeliness?
    /// Acceptance is due by this moment (the centre's acceptance limit, in working time).
    public var acceptDueAt: Date
    public var acceptedAt: Date?
    public var acceptedBy: String?
    /// Accepted by `acceptDueAt` (on-time) or after (late), compared by the moment.
    public var acceptanceGrade: Timeliness?
    public var sentBackAt: Date?
    public var sentBackBy: String?
    public var sentBackReason: String?

    public init(
        body: String, lead: Bool, fromDepartment: String?, sentAt: Date, sentBy: String, grade: Timeliness?, acceptDueAt: Date
    ) {
        self.body = body
        self.lead = lead
        self.fromDepartment = fromDepartment
        self.sentAt = sentAt
        self.sentBy = sentBy
        self.grade = grade
        self.acceptDueAt = acceptDueAt
    }

    /// Neither accepted nor sent back yet.
    public var pending: Bool { acceptedAt == nil && sentBackAt == nil }
    /// Not sent back: the body still has the item.
    public var active: Bool { sentBackAt == nil }
}

/// What a feedback action does to the forwarding rows.
public enum ForwardEffect: Equatable, Sendable {
    case send(Forward)
    case accept(body: String, by: String, grade: Timeliness)
    case sendBack(body: String, by: String, reason: String)
}

extension Severity {
    /// Decree 20/2008/NĐ-CP (amended by Decree 48/2013/NĐ-CP): forwarded within 5 working days of reception.
    public static let forwardLimit = TimeLimit.days(5)
}
