import Foundation

/// A counter (*quầy*) of the hall (SPEC §1).
public struct Counter: Codable, Equatable, Sendable {
    public var number: Int
    public var name: String
    public var department: String?
    /// The services whose walk-in numbers this counter calls.
    public var services: [String]
    public var open: Bool
    /// The officer now at the counter.
    public var officer: String?
    public var active: Bool

    public init(
        number: Int, name: String, department: String? = nil, services: [String], open: Bool = false, officer: String? = nil,
        active: Bool = true
    ) {
        self.number = number
        self.name = name
        self.department = department
        self.services = services
        self.open = open
        self.officer = officer
        self.active = active
    }
}

/// `POST /api/v1/counters`.
public struct CounterDraft: Codable, Sendable {
    public var number: Int?
    public var name: String?
    public var department: String?
    public var services: [String]?
    /// Created open (calling numbers at once); closed when left out.
    public var open: Bool?

    public init(number: Int?, name: String?, department: String? = nil, services: [String]?, open: Bool? = nil) {
        self.number = number
        self.name = name
        self.department = department
        self.services = services
        self.open = open
    }

    func validated() throws(DeskError) -> Counter {
        var validator = Validator()
        validator.check((1...999).contains(number ?? 0), "number", "must be a counter number from 1 to 999")
        let name = Text.requiredName(name, field: "name", into: &validator)
        let services = (services ?? []).map(Text.clean).filter { !$0.isEmpty }
        validator.check(!services.isEmpty, "services", "a counter serves at least one service")
        try validator.finish()
        return Counter(number: number!, name: name, department: Text.clean(department), services: services, open: open ?? false)
    }
}

/// `PATCH /api/v1/counters/{number}`: admins change what a counter is; officers open and close
/// it and sit at it.
public struct CounterPatch: Decodable, Sendable {
    public var name: String?
    public var department: PatchField<String>
    public var services: [String]?
    public var open: Bool?
    public var officer: PatchField<String>
    public var active: Bool?

    enum CodingKeys: String, CodingKey { case name, department, services, open, officer, active }

    public init(
        name: String? = nil, department: PatchField<String> = .unchanged, services: [String]? = nil, open: Bool? = nil,
        officer: PatchField<String> = .unchanged, active: Bool? = nil
    ) {
        self.name = name
        self.department = department
        self.services = services
        self.open = open
        self.officer = officer
        self.active = active
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        department = try container.decodePatch(String.self, forKey: .department)
        services = try container.decodeIfPresent([String].self, forKey: .services)
        open = try container.decodeIfPresent(Bool.self, forKey: .open)
        officer = try container.decodePatch(String.self, forKey: .officer)
        active = try container.decodeIfPresent(Bool.self, forKey: .active)
    }

    /// Whether the patch changes what the counter is (an admin's change) rather than its day-to-day state.
    public var changesDefinition: Bool {
        if case .set = department { return true }
        return name != nil || services != nil || active != nil
    }
}

/// A walk-in citizen's place in the queue (*số thứ tự*, SPEC §1).
public struct QueueNumber: Codable, Equatable, Sendable {
    public enum State: String, Codable, CaseIterable, Sendable {
        case waiting, called, serving, served
        case noShow = "no-show"
        case transferred, closed
    }

    public enum Priority: String, Codable, CaseIterable, Sendable {
        case normal, priority
    }

    public var id: Int64
    public var label: String
    /// The local date it was issued on.
    public var day: LocalDate
    public var service: String
    public var priority: Priority
    public var priorityReason: String?
    public var state: State
    public var issuedAt: Date
    public var calledAt: Date?
    public var startedAt: Date?
    public var finishedAt: Date?
    public var recalls: Int
    public var counter: Int?
    public var ticket: String?
    public var transferredFrom: Int64?
}

/// The answer to issuing a number: where the citizen stands and how long it may take.
public struct IssuedNumber: Codable, Equatable, Sendable {
    public var number: QueueNumber
    /// How many numbers of the same service wait before this one (priority ones included).
    public var position: Int
    /// Minutes, estimated (see `Hall.estimatedWait`).
    public var estimatedWaitMinutes: Int
    public var openCounters: Int
}

/// `POST /api/v1/queue-numbers`.
public struct IssueRequest: Codable, Sendable {
    public var service: String?
    public var priority: String?
    public var priorityReason: String?

    public init(service: String?, priority: String? = nil, priorityReason: String? = nil) {
        self.service = service
        self.priority = priority
        self.priorityReason = priorityReason
    }
}

/// The actions on a queue number.
public enum QueueAction: String, Codable, CaseIterable, Sendable {
    /// Service begins at the counter.
    case start
    /// Service ends: the citizen was served.
    case finish
    /// Called (and recalled up to the limit), never came.
    case noShow = "no-show"
    /// Call again on the screen (counted).
    case recall
    /// To another service's queue, keeping the original issue time.
    case transfer

    /// The states each action may start from (the one table both the check and the 409's
    /// list of allowed actions read).
    public var fromStates: Set<QueueNumber.State> {
        switch self {
        case .start, .recall, .noShow: [.called]
        case .finish: [.serving]
        case .transfer: [.called, .serving]
        }
    }
}

/// The body of a queue-number action.
public struct QueueActionRequest: Codable, Sendable {
    /// `transfer`: the service to move to.
    public var service: String?
    /// `start`, `finish`, `recall`, `no-show`: the counter acting (default: the one that called it).
    public var counter: Int?

    public init(service: String? = nil, counter: Int? = nil) {
        self.service = service
        self.counter = counter
    }
}

/// One call or recall, as the hall screen shows it.
public struct HallCall: Codable, Equatable, Sendable {
    public var id: Int64
    public var at: Date
    public var kind: String
    public var label: String
    public var counter: Int
}

/// `queue status`: per service, who waits and who serves.
public struct ServiceQueueStatus: Codable, Equatable, Sendable {
    public var service: String
    public var name: String
    public var waiting: Int
    public var priorityWaiting: Int
    public var oldestWaitMinutes: Int?
    public var openCounters: [Int]
}

/// The hall's settings.
public struct HallSettings: Codable, Equatable, Sendable {
    /// Priority numbers a counter may call in a row while normal ones wait.
    public var maxPriorityInRow: Int
    /// Recalls before a number may be marked no-show.
    public var recallsBeforeNoShow: Int
    /// The service time assumed when none has been measured yet.
    public var defaultServiceMinutes: Int
    /// Accepted reasons for a priority number.
    public var priorityReasons: [String]

    public init(maxPriorityInRow: Int = 3, recallsBeforeNoShow: Int = 2, defaultServiceMinutes: Int = 10, priorityReasons: [String]) {
        self.maxPriorityInRow = maxPriorityInRow
        self.recallsBeforeNoShow = recallsBeforeNoShow
        self.defaultServiceMinutes = defaultServiceMinutes
        self.priorityReasons = priorityReasons
    }
}

/// The hall's rules, pure.
public enum Hall {
    /// Which class a counter calls next: priority first, but never more than `maxInRow` in a
    /// row while normal numbers wait, so normal ones never starve.
    public static func nextClass(priorityWaiting: Bool, normalWaiting: Bool, streak: Int, maxInRow: Int) -> QueueNumber.Priority? {
        if priorityWaiting && (!normalWaiting || streak < maxInRow) { return .priority }
        if normalWaiting { return .normal }
        return nil
    }

    /// The estimated wait: the numbers ahead shared among the open counters serving the
    /// service, each taking the median of the service's last 20 measured service times
    /// (or the default when none is measured yet), rounded up to whole minutes. Zero ahead is zero.
    public static func estimatedWait(ahead: Int, openCounters: Int, recentServiceSeconds: [Int], defaultMinutes: Int) -> Int {
        guard ahead > 0 else { return 0 }
        let sorted = recentServiceSeconds.sorted()
        // Each factor held to a day, so the product cannot overflow (a setting stored before the
        // bound, or a service time measured across a night).
        let median = min(sorted.isEmpty ? min(max(defaultMinutes, 1), 1440) * 60 : sorted[(sorted.count - 1) / 2], 86_400)
        let rounds = (ahead + max(openCounters, 1) - 1) / max(openCounters, 1)
        return (rounds * median + 59) / 60
    }

    /// `A012`: the prefix and the day's sequence, 3 digits (wider past 999).
    public static func label(prefix: String, sequence: Int) -> String {
        let digits = String(sequence)
        return prefix + String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    }
}
