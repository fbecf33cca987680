import Foundation

/// A dossier or request (*hồ sơ*, SPEC §1–2).
public struct Ticket: Codable, Equatable, Sendable {
    public enum State: String, Codable, CaseIterable, Sendable {
        /// Submitted online by a portal and not yet received by an officer: no clock (Decree
        /// 61/2018 art. 17(2)).
        case new
        case queued
        case inProgress = "in-progress"
        case awaitingCitizen = "awaiting-citizen"
        case resolved, returned, rejected, withdrawn

        /// Open: the centre still owes the citizen something. The one definition; storage's
        /// SQL spells the same set as `openSQL`.
        public static let open: Set<State> = [.new, .queued, .inProgress, .awaitingCitizen]
        /// The open states as an SQL list, for storage's queries.
        public static let openSQL = "('new', 'queued', 'in-progress', 'awaiting-citizen')"

        public var isOpen: Bool { Self.open.contains(self) }
    }

    public enum Channel: String, Codable, CaseIterable, Sendable {
        case counter, hotline, web, mobile, open311, post, email
    }

    public enum Priority: String, Codable, CaseIterable, Sendable {
        case normal, priority, urgent

        /// Queue order: urgent first, then priority, then normal.
        var rank: Int {
            switch self {
            case .urgent: 2
            case .priority: 1
            case .normal: 0
            }
        }
    }

    public enum AwaitingReason: String, Codable, CaseIterable, Sendable {
        case supplement, payment
    }

    public enum Outcome: String, Codable, CaseIterable, Sendable {
        case granted, answered, refused
    }

    public enum Rating: String, Codable, CaseIterable, Sendable {
        case verySatisfied = "very-satisfied"
        case satisfied, dissatisfied
    }

    public var code: String
    public var service: String
    public var serviceVersion: Int
    public var channel: Channel
    public var applicantId: Int64
    public var description: String
    public var location: Location?
    public var documents: [Document]
    public var priority: Priority
    public var priorityReason: String?
    public var charges: [Charge]
    public var state: State
    public var awaitingReason: AwaitingReason?
    /// The state supplement-received returns to.
    public var resumeState: State?
    public var step: Int?
    public var department: String?
    public var holder: String?
    public var receivedAt: Date
    public var countingStartAt: Date?
    public var dueAt: Date?
    public var revisedDueAt: Date?
    public var pausedAt: Date?
    public var resolvedAt: Date?
    public var returnedAt: Date?
    public var closedAt: Date?
    public var outcome: Outcome?
    public var outcomeNote: String?
    public var earlyReturn: Bool?
    public var rating: Rating?
    public var ratingComment: String?
    public var apologisedAt: Date?
    /// The decision taken at the route's deciding step (granted or refused), once taken.
    public var decision: Outcome?
    public var supplementRequests: Int
    public var queueNumber: String?
    public var createdBy: String
    public var version: Int
    /// Feedback: the severity class given at intake or triage, with its terms then.
    public var severity: Severity? = nil
    /// Classed a complaint or a denunciation and closed here with guidance (not feedback).
    public var nature: Nature? = nil
    /// How many times the citizen reopened it (at most once).
    public var reopened: Int = 0
    /// The item this duplicate was merged into.
    public var mergedInto: String? = nil
    /// A dossier filed through the National Public Service Portal: the portal's own code of it
    /// and its reference there.
    public var portalCode: String? = nil
    public var portalReference: String? = nil
    /// The reference of the digital signature of its electronic result, once one is stored
    /// (`GET /api/v1/tickets/{code}/result`); nil: no electronic result.
    public var resultSignature: String? = nil

    /// The status number of the National Public Service Portal (`PortalStatus`).
    public var portalStatus: Int { PortalStatus.of(state, awaiting: awaitingReason) }
}

/// Where the request is about: an address, coordinates, or both.
public struct Location: Codable, Equatable, Sendable {
    public var address: String?
    public var lat: Double?
    public var long: Double?

    public init(address: String? = nil, lat: Double? = nil, long: Double? = nil) {
        self.address = address
        self.lat = lat
        self.long = long
    }
}

/// A document received with the dossier: which component of the service's list it is, how
/// many originals and copies, and its digitisation (Decree 118/2025 art. 17(1)(c)).
public struct Document: Codable, Equatable, Sendable {
    public var name: String
    public var copies: Int
    /// Originals shown or kept.
    public var originals: Int
    /// The code of the service's component it is (`DossierComponent`), when the catalogue lists them.
    public var component: String?
    /// Copied into electronic form at reception (or a stored scan: `file`).
    public var digitised: Bool
    public var pages: Int?
    /// The reference of a digitised copy reused from the citizen's data store instead of paper.
    public var reuse: String?
    /// Why it need not be digitised (Circular 03/2025 art. 5(2)).
    public var exemption: DigitisationExemption?
    /// The stored scan, once uploaded (set by the upload, never by a client's body).
    public var file: StoredFile?

    /// An original (shown or kept) rather than copies only.
    public var original: Bool { originals > 0 }

    /// Digitised by a scan, by the officer's word, or by reuse of a digitised copy.
    public var isDigitised: Bool { digitised || file != nil || reuse != nil }

    public init(
        name: String, copies: Int? = nil, original: Bool = false, originals: Int? = nil, component: String? = nil,
        digitised: Bool = false, pages: Int? = nil, reuse: String? = nil, exemption: DigitisationExemption? = nil
    ) {
        self.name = name
        (self.originals, self.copies) = Self.counts(originals: originals, copies: copies, original: original)
        self.component = component
        self.digitised = digitised
        self.pages = pages
        self.reuse = reuse
        self.exemption = exemption
    }

    enum CodingKeys: String, CodingKey {
        case name, copies, original, originals, component, digitised, pages, reuse, exemption, file
    }

    /// How many originals and copies a document was given as: `originals` and `copies` (one copy
    /// when neither is given, none when only originals are); or, in the older form without
    /// `originals`, `original: true` with `copies` counting originals — "Bản chính: 02 bản" —
    /// at least one.
    static func counts(originals: Int?, copies: Int?, original: Bool) -> (originals: Int, copies: Int) {
        if let originals {
            let counted = max(originals, original ? 1 : 0)
            return (counted, copies ?? (counted > 0 ? 0 : 1))
        }
        if original { return (max(copies ?? 1, 1), 0) }
        return (0, copies ?? 1)
    }

    /// Everything may be left out but a name or a component (`counts` says how the numbers of
    /// originals and copies are read); not digitised.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
        (originals, copies) = Self.counts(
            originals: try container.decodeIfPresent(Int.self, forKey: .originals),
            copies: try container.decodeIfPresent(Int.self, forKey: .copies),
            original: try container.decodeIfPresent(Bool.self, forKey: .original) ?? false)
        component = try container.decodeIfPresent(String.self, forKey: .component)
        digitised = try container.decodeIfPresent(Bool.self, forKey: .digitised) ?? false
        pages = try container.decodeIfPresent(Int.self, forKey: .pages)
        reuse = try container.decodeIfPresent(String.self, forKey: .reuse)
        exemption = try container.decodeIfPresent(DigitisationExemption.self, forKey: .exemption)
        file = try container.decodeIfPresent(StoredFile.self, forKey: .file)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(copies, forKey: .copies)
        try container.encode(original, forKey: .original)
        try container.encode(originals, forKey: .originals)
        try container.encodeIfPresent(component, forKey: .component)
        try container.encode(isDigitised, forKey: .digitised)
        try container.encodeIfPresent(pages, forKey: .pages)
        try container.encodeIfPresent(reuse, forKey: .reuse)
        try container.encodeIfPresent(exemption, forKey: .exemption)
        try container.encodeIfPresent(file, forKey: .file)
    }
}

/// The actions of SPEC §2.
public enum TicketAction: String, Codable, CaseIterable, Sendable {
    case claim, transfer
    case requestSupplement = "request-supplement"
    case supplementReceived = "supplement-received"
    case resolve
    case `return`
    case reject, withdraw, apologise, rate, note, reassign
    /// The responsible department tells the citizen how far it got, and by when it commits to finish.
    case progress
    /// Feedback: give or change the severity class (docs/feedback.md).
    case classify
    /// Feedback: forward to the responsible bodies, one leading (Decree 20/2008/NĐ-CP).
    case forward
    /// A body asked accepts the item.
    case accept
    /// A body asked sends it back, with its reason.
    case sendBack = "send-back"
    /// Classed a complaint or a denunciation: closed with guidance and the competent body.
    case redirect
    /// The citizen, unsatisfied, reopens a resolved item (once, within the centre's days).
    case reopen
    /// A duplicate merged into another item; its reporter is told what the other is told.
    case merge
    /// A charge line paid, in part or in full (docs/payments.md).
    case pay
    /// A charge line exempted, with its grounds.
    case exempt
    /// An officer receives a dossier submitted online: the clock starts (Decree 61/2018 art. 17(2)).
    case receive
}

extension Ticket.Channel {
    /// Paper channels: a dossier handed in at the counter or sent by post. The intake cut-off
    /// is a rule of paper dossiers (Decree 61/2018 art. 18); electronic channels count from
    /// reception, or from the next working day when received outside working hours.
    public var isPaper: Bool { self == .counter || self == .post }
}

/// One visit of a route step: a line of the control sheet (*phiếu kiểm soát quá trình*).
public struct StepVisit: Codable, Equatable, Sendable {
    public var visit: Int
    /// The route position, or nil for a department named by a transfer outside the route.
    public var position: Int?
    public var department: String
    public var allowance: TimeLimit?
    public var enteredAt: Date
    public var dueAt: Date?
    public var claimedAt: Date?
    public var leftAt: Date?
    public var grade: Timeliness?

    public init(
        visit: Int, position: Int?, department: String, allowance: TimeLimit?, enteredAt: Date, dueAt: Date?, claimedAt: Date? = nil,
        leftAt: Date? = nil, grade: Timeliness? = nil
    ) {
        self.visit = visit
        self.position = position
        self.department = department
        self.allowance = allowance
        self.enteredAt = enteredAt
        self.dueAt = dueAt
        self.claimedAt = claimedAt
        self.leftAt = leftAt
        self.grade = grade
    }
}
