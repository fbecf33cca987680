import Foundation

/// A call to the centre's hotline (docs/hotline.md): who called, when, who answered, for how
/// long, and what came of it. Decree 20/2008/NĐ-CP lets citizens give feedback by phone on a
/// published number; Đà Nẵng's 1022 rings back the next morning those who called after hours.
public struct Call: Codable, Equatable, Sendable {
    public enum Outcome: String, Codable, CaseIterable, Sendable {
        /// Answered: a question answered on the phone.
        case answered
        /// Answered, and a ticket (feedback, an inquiry, a dossier) opened for it.
        case itemOpened = "item-opened"
        /// Answered and put through to a department or another body.
        case transferred
        /// Rang during working hours and nobody answered.
        case missed
        /// Rang after hours and left a recording.
        case recorded

        /// Whether an operator spoke to the caller.
        public var answered: Bool { [.answered, .itemOpened, .transferred].contains(self) }
        /// Whether the caller is owed a call back.
        public var owesCallback: Bool { self == .missed || self == .recorded }
    }

    public var id: Int64
    /// The switchboard's own id of the call, when a PBX reported it.
    public var pbxId: String?
    /// The caller's number, `+84…` when it is a Vietnamese one; `unknown` when withheld.
    public var caller: String
    public var startedAt: Date
    /// Absent while the call is still going on (a PBX reported its start only).
    public var endedAt: Date?
    public var durationSeconds: Int?
    public var operatorUsername: String?
    public var outcome: Outcome?
    public var ticket: String?
    /// After hours: the reference of the caller's recording.
    public var recording: String?
    public var note: String?
    /// A missed or recorded call: when the call back is due, and when it was made and by whom.
    public var callbackDueAt: Date?
    public var callbackDoneAt: Date?
    public var callbackBy: String?

    enum CodingKeys: String, CodingKey {
        case id, pbxId, caller, startedAt, endedAt, durationSeconds
        case operatorUsername = "operator"
        case outcome, ticket, recording, note, callbackDueAt, callbackDoneAt, callbackBy
    }
}

/// The rules of the hotline, pure.
public enum Hotline {
    /// A call back on a call missed during working hours is due this many working minutes later.
    public static let missedCallbackMinutes = 60

    /// When the call back of a call that started at `startedAt` with `outcome` is due: a call
    /// that rang outside working hours (recorded, or missed) at the next opening; a call missed
    /// during working hours one working hour later; nil for an answered call.
    public static func callbackDue(startedAt: Date, outcome: Call.Outcome, time: WorkingTime) -> Date? {
        guard outcome.owesCallback else { return nil }
        let opening = time.countingStart(acceptedAt: startedAt, cutoff: false).start
        if opening > startedAt { return opening }
        return time.walk(minutes: missedCallbackMinutes, from: startedAt).due
    }

    /// A caller's number as stored: a Vietnamese number as `+84…`, another as given (digits and
    /// a leading +), or `unknown`.
    public static func caller(_ text: String?) -> String? {
        guard let text = Text.clean(text), !text.isEmpty else { return nil }
        if text.lowercased() == "unknown" { return "unknown" }
        if case .success(let phone) = Identifiers.normalise(phone: text) { return phone }
        let compact = text.filter { !" .-()".contains($0) }
        let digits = compact.hasPrefix("+") ? compact.dropFirst() : Substring(compact)
        guard (3...15).contains(digits.count), digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        return compact
    }
}

/// `POST /api/v1/calls`: a call an operator logs by hand (the operator is the caller of the API).
public struct CallDraft: Codable, Sendable {
    public var caller: String?
    public var startedAt: Date?
    public var durationSeconds: Int?
    public var outcome: String?
    public var ticket: String?
    public var recording: String?
    public var note: String?

    public init(
        caller: String? = nil, startedAt: Date? = nil, durationSeconds: Int? = nil, outcome: String? = nil, ticket: String? = nil,
        recording: String? = nil, note: String? = nil
    ) {
        self.caller = caller
        self.startedAt = startedAt
        self.durationSeconds = durationSeconds
        self.outcome = outcome
        self.ticket = ticket
        self.recording = recording
        self.note = note
    }
}

/// `POST /api/v1/calls/pbx`: a switchboard's hook, once when a call starts (`event: start`) and
/// once when it ends (`event: end`, with its outcome), both naming the PBX's call id.
public struct PBXEvent: Codable, Sendable {
    public var event: String?
    public var callId: String?
    public var caller: String?
    public var at: Date?
    /// The operator's username, when the PBX knows who picked up.
    public var `operator`: String?
    public var outcome: String?
    public var recording: String?

    public init(
        event: String? = nil, callId: String? = nil, caller: String? = nil, at: Date? = nil, operator: String? = nil,
        outcome: String? = nil, recording: String? = nil
    ) {
        self.event = event
        self.callId = callId
        self.caller = caller
        self.at = at
        self.operator = `operator`
        self.outcome = outcome
        self.recording = recording
    }
}
