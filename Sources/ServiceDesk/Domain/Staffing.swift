import Foundation

/// A staff member's career at the centre: where they come from, since when they work in the
/// field, a tour at the desk, and when they came and left. History: a member who leaves keeps
/// the record (`leftOn`), never deleted.
public struct Career: Codable, Equatable, Sendable {
    /// The agency that sent them (*cơ quan cử*), when not the centre's own.
    public var homeAgency: String?
    /// Working in the field since (Decree 118/2025 art. 11 asks ≥ 2 years at the desk).
    public var senioritySince: LocalDate?
    /// A tour at the desk (*thời gian làm việc tại Bộ phận Một cửa*), first and last day:
    /// 12 to 36 months (Decree 118/2025 art. 11).
    public var secondedFrom: LocalDate?
    public var secondedUntil: LocalDate?
    /// First day at the centre; absent: counted from the start of any period.
    public var activeFrom: LocalDate?
    /// First day no longer at the centre.
    public var leftOn: LocalDate?
    /// The named backup (a username) who takes the desk when the member is away (Decree
    /// 118/2025 art. 11; Decree 61/2018 art. 12(8)).
    public var backup: String?

    public init(
        homeAgency: String? = nil, senioritySince: LocalDate? = nil, secondedFrom: LocalDate? = nil, secondedUntil: LocalDate? = nil,
        activeFrom: LocalDate? = nil, leftOn: LocalDate? = nil, backup: String? = nil
    ) {
        self.homeAgency = homeAgency
        self.senioritySince = senioritySince
        self.secondedFrom = secondedFrom
        self.secondedUntil = secondedUntil
        self.activeFrom = activeFrom
        self.leftOn = leftOn
        self.backup = backup
    }

    public var isEmpty: Bool { self == Career() }

    /// Whether the member is at the centre on `day`.
    public func present(on day: LocalDate) -> Bool {
        (activeFrom.map { $0 <= day } ?? true) && (leftOn.map { day < $0 } ?? true)
    }
}

/// `career` in a staff member's create or patch body: dates as `YYYY-MM-DD` (a patch replaces
/// the whole record).
public struct CareerDraft: Codable, Sendable {
    public var homeAgency: String?
    public var senioritySince: String?
    public var secondedFrom: String?
    public var secondedUntil: String?
    public var activeFrom: String?
    public var leftOn: String?
    public var backup: String?

    public init(
        homeAgency: String? = nil, senioritySince: String? = nil, secondedFrom: String? = nil, secondedUntil: String? = nil,
        activeFrom: String? = nil, leftOn: String? = nil, backup: String? = nil
    ) {
        self.homeAgency = homeAgency
        self.senioritySince = senioritySince
        self.secondedFrom = secondedFrom
        self.secondedUntil = secondedUntil
        self.activeFrom = activeFrom
        self.leftOn = leftOn
        self.backup = backup
    }

    /// Each field checked into `validator` (422); how the dates relate — a tour's length, a
    /// departure after the arrival — into `relations` (409 `inconsistent`: well-formed dates that
    /// do not fit together).
    func validated(into validator: inout Validator, relations: inout Validator) -> Career {
        func date(_ text: String?, _ field: String) -> LocalDate? {
            guard let text else { return nil }
            let date = LocalDate(text)
            validator.check(date != nil, "career.\(field)", "must be a date YYYY-MM-DD")
            return date
        }
        let agency = Text.clean(homeAgency)
        validator.check((homeAgency?.unicodeScalars.count ?? 0) <= 200, "career.homeAgency", "must be at most 200 characters")
        let career = Career(
            homeAgency: agency, senioritySince: date(senioritySince, "senioritySince"), secondedFrom: date(secondedFrom, "secondedFrom"),
            secondedUntil: date(secondedUntil, "secondedUntil"), activeFrom: date(activeFrom, "activeFrom"), leftOn: date(leftOn, "leftOn"),
            backup: backup)
        validator.check(backup.map(Staff.isValidUsername) ?? true, "career.backup", "must be a staff member's username")
        switch (career.secondedFrom, career.secondedUntil) {
        case (let from?, let until?):
            // A tour lasts 12 to 36 months (Decree 118/2025 art. 11): the day after its last day
            // falls between the 12-month and the 36-month anniversaries of its first.
            let end = until.adding(days: 1)
            relations.check(
                Staffing.adding(months: 12, to: from) <= end && end <= Staffing.adding(months: 36, to: from), "career.secondedUntil",
                "a tour at the desk lasts 12 to 36 months (Decree 118/2025 art. 11); this one is \(Staffing.months(from: from, to: end)) whole month(s)"
            )
        case (nil, nil): break
        default: relations.add("career.secondedUntil", "a tour needs both secondedFrom and secondedUntil")
        }
        if let from = career.activeFrom, let left = career.leftOn {
            relations.check(from < left, "career.leftOn", "must be after activeFrom")
        }
        return career
    }
}

/// A headcount quota (*biên chế* or *số lượng người làm việc*, or contract posts) assigned by a
/// competent body's decision, for a department (or the centre's own management) and a category,
/// valid from a day until a day or until replaced.
public struct Quota: Codable, Equatable, Sendable {
    public var id: Int64
    public var department: String?
    public var category: Employment
    public var headcount: Int
    public var decision: String
    public var validFrom: LocalDate
    public var validUntil: LocalDate?

    public func valid(on day: LocalDate) -> Bool { validFrom <= day && (validUntil.map { day <= $0 } ?? true) }
}

/// `POST /api/v1/staffing/quotas`.
public struct QuotaDraft: Codable, Sendable {
    public var department: String?
    public var category: String?
    public var headcount: Int?
    public var decision: String?
    public var validFrom: String?
    public var validUntil: String?

    public init(
        department: String? = nil, category: String? = nil, headcount: Int? = nil, decision: String? = nil, validFrom: String? = nil,
        validUntil: String? = nil
    ) {
        self.department = department
        self.category = category
        self.headcount = headcount
        self.decision = decision
        self.validFrom = validFrom
        self.validUntil = validUntil
    }

    func validated() throws(DeskError) -> Quota {
        var validator = Validator()
        let category = Employment(rawValue: category ?? "")
        validator.check(category != nil, "category", "must be one of \(Employment.allCases.map(\.rawValue).joined(separator: ", "))")
        validator.check((0...100_000).contains(headcount ?? -1), "headcount", "is required: 0 to 100000 people")
        let decision = Text.requiredName(decision, field: "decision", maxLength: 500, into: &validator)
        let from = LocalDate(validFrom ?? "")
        validator.check(from != nil, "validFrom", "is required: the day the decision takes effect, YYYY-MM-DD")
        var until: LocalDate?
        if let validUntil {
            until = LocalDate(validUntil)
            validator.check(until != nil, "validUntil", "must be a date YYYY-MM-DD")
        }
        try validator.finish()
        if let from, let until {
            var relations = Validator()
            relations.check(from <= until, "validUntil", "must not be before validFrom")
            try relations.finishInconsistent()
        }
        return Quota(
            id: 0, department: Text.clean(department), category: category!, headcount: headcount!, decision: decision, validFrom: from!,
            validUntil: until)
    }
}

/// The staffing plan's pure arithmetic (docs/reports.md, staffing-plan).
public enum Staffing {
    /// The same day `months` later, the last day of the month when it has fewer days.
    static func adding(months: Int, to date: LocalDate) -> LocalDate {
        let index = date.year * 12 + (date.month - 1) + months
        let year = index / 12
        let month = index % 12 + 1
        return LocalDate(year: year, month: month, day: min(date.day, LocalDate.daysIn(month: month, year: year)))!
    }

    /// Whole calendar months from `from` to `to` (a month counts once its day of the month is reached).
    static func months(from: LocalDate, to: LocalDate) -> Int {
        var months = (to.year - from.year) * 12 + (to.month - from.month)
        if to.day < from.day { months -= 1 }
        return months
    }

    /// The wording of a category in the centre's mode: what its quota is called.
    public static func wording(_ category: Employment, mode: OrganisationalMode) -> String {
        switch (category, mode) {
        case (.civilServant, .administrativeBody): "biên chế công chức"
        case (.civilServant, .publicServiceUnit): "công chức (cơ quan khác cử đến)"
        case (.publicEmployee, .publicServiceUnit): "số lượng người làm việc (viên chức)"
        case (.publicEmployee, .administrativeBody): "viên chức (đơn vị khác cử đến)"
        case (.contract, _): "hợp đồng lao động (Nghị định 111/2022/NĐ-CP)"
        }
    }

    /// A member's full-time equivalent over `days` (the period's working days): the share of
    /// them the member was at the centre.
    public static func fte(_ career: Career, workingDays days: [LocalDate]) -> Double {
        guard !days.isEmpty else { return 0 }
        return Double(days.filter(career.present(on:)).count) / Double(days.count)
    }
}

/// One line of the staffing plan: a department (or `-`, the centre's own management) and a
/// category, with what it is allowed, has, and needs.
public struct StaffingPlan: Equatable, Sendable {
    public var department: String
    public var category: Employment
    public var wording: String
    public var quota: Int
    public var headcount: Int
    public var fte: Double
    /// The department's measured route work in the period, in working minutes (shared over its categories).
    public var workMinutes: Int
    /// The counter time the department's walk-in hall needs at the target wait (Erlang C), in minutes.
    public var counterMinutes: Int
    public var neededFTE: Double
    public var secondmentsEndingSoon: Int

    /// Quota minus headcount: posts to fill (positive) or people over the quota (negative).
    public var vacancies: Int { quota - headcount }
    /// FTE minus need: more people than the work needs (positive) or fewer (negative).
    public var surplus: Double { fte - neededFTE }

    public static let columns = [
        "group", "category", "wording", "quota", "headcount", "vacancies", "fte", "workMinutes", "counterMinutes", "neededFte", "surplus",
        "secondmentsEndingSoon",
    ]

    /// The share of working time a person can spend on the measured work (the rest: training,
    /// meetings, leave); the need is the work over this share of the period's working minutes.
    public static let utilisation = 0.85

    var cells: [String: ReportValue] {
        let round = { (value: Double) in ReportValue.number((value * 100).rounded() / 100) }
        return [
            "group": .text(department), "category": .text(category.rawValue), "wording": .text(wording), "quota": .int(quota),
            "headcount": .int(headcount), "vacancies": .int(vacancies), "fte": round(fte), "workMinutes": .int(workMinutes),
            "counterMinutes": .int(counterMinutes),
            "neededFte": round(neededFTE), "surplus": round(surplus), "secondmentsEndingSoon": .int(secondmentsEndingSoon),
        ]
    }

    /// The plan, pure. A department's need is its route work × growth plus the counter time its
    /// hall needs (`HallHour.counterMinutes`, at the grown arrivals) over one FTE's available
    /// minutes (the period's working minutes × `utilisation`), shared over its categories in
    /// proportion to their FTE — or, in a department without people, given to the mode's own
    /// category.
    public static func compute(
        quotas: [Quota], people: [Staff], work: [String: Int], hall: [String: [HallHour]] = [:], target: WaitTarget = WaitTarget(),
        workingDays: [LocalDate], minutesPerFTE: Int, growth: Double, today: LocalDate, mode: OrganisationalMode
    ) -> [StaffingPlan] {
        let key = { (department: String?, category: Employment) in "\(department ?? "-")|\(category.rawValue)" }
        var lines: [String: StaffingPlan] = [:]
        func line(_ department: String?, _ category: Employment) -> StaffingPlan {
            lines[key(department, category)]
                ?? StaffingPlan(
                    department: department ?? "-", category: category, wording: Staffing.wording(category, mode: mode), quota: 0,
                    headcount: 0, fte: 0, workMinutes: 0, counterMinutes: 0, neededFTE: 0, secondmentsEndingSoon: 0)
        }
        for quota in quotas {
            var entry = line(quota.department, quota.category)
            entry.quota += quota.headcount
            lines[key(quota.department, quota.category)] = entry
        }
        let horizon = today.adding(days: 90)
        for person in people {
            var entry = line(person.department, person.employment)
            if let last = workingDays.last, person.career.present(on: last) {
                entry.headcount += 1
            }
            entry.fte += Staffing.fte(person.career, workingDays: workingDays)
            if let until = person.career.secondedUntil, today <= until, until <= horizon, person.career.present(on: today) {
                entry.secondmentsEndingSoon += 1
            }
            lines[key(person.department, person.employment)] = entry
        }
        let available = Double(minutesPerFTE) * utilisation
        let own: Employment = mode == .administrativeBody ? .civilServant : .publicEmployee
        let counters = hall.mapValues {
            HallHour.counterMinutes($0, growth: growth, target: target, workingDays: workingDays.count)
        }
        for department in Set(work.keys).union(counters.keys) {
            let minutes = work[department] ?? 0
            let counter = counters[department] ?? 0
            let needed = available > 0 ? (Double(minutes) * growth + Double(counter)) / available : 0
            var shares = lines.values.filter { $0.department == department && $0.fte > 0 }
            if shares.isEmpty { shares = [line(department, own)] }
            let total = shares.reduce(0) { $0 + $1.fte }
            for share in shares {
                var entry = share
                entry.workMinutes = minutes
                entry.counterMinutes = counter
                entry.neededFTE = total > 0 ? needed * share.fte / total : needed
                lines[key(department == "-" ? nil : department, share.category)] = entry
            }
        }
        return lines.values.sorted { ($0.department, $0.category.rawValue) < ($1.department, $1.category.rawValue) }
    }
}

/// The centre's target for the walk-in hall: `share` of citizens called within `minutes`.
public struct WaitTarget: Equatable, Sendable {
    public var minutes: Int
    public var share: Double

    public init(minutes: Int = 15, share: Double = 0.8) {
        self.minutes = minutes
        self.share = share
    }
}

/// One hour of the day in a department's walk-in hall, as measured over a period: the numbers
/// issued in that hour on an average day the hall worked, and their mean service time.
public struct HallHour: Equatable, Sendable {
    /// The local hour, 0–23.
    public var hour: Int
    public var arrivalsPerDay: Double
    public var serviceMinutes: Double

    public init(hour: Int, arrivalsPerDay: Double, serviceMinutes: Double) {
        self.hour = hour
        self.arrivalsPerDay = arrivalsPerDay
        self.serviceMinutes = serviceMinutes
    }

    /// The counter minutes a hall needs over `workingDays` days: for each hour, the counters that
    /// call `target.share` of citizens within `target.minutes` at the arrivals × `growth`
    /// (Erlang C), times 60 minutes, times the days. More than the service time itself: a queue
    /// with a target wait needs spare counters, fewer in proportion as the traffic grows.
    public static func counterMinutes(_ hours: [HallHour], growth: Double, target: WaitTarget, workingDays: Int) -> Int {
        hours.reduce(0) { total, hour in
            total
                + ErlangC.countersNeeded(
                    arrivalsPerHour: hour.arrivalsPerDay * growth, serviceMinutes: hour.serviceMinutes,
                    targetMinutes: Double(target.minutes), share: target.share) * 60 * workingDays
        }
    }
}

/// What switching the organisational mode does to people, quotas and money — the `--staffing`
/// part of a mode change's dry run (docs/modes.md): who would have to change category, who
/// would leave a deciding step, which quota lines would be re-issued under the other name, and
/// which fees would change hands.
public struct StaffingImpact: Codable, Equatable, Sendable {
    public struct Person: Codable, Equatable, Sendable {
        public var username: String
        public var name: String
        public var department: String
        public var employment: Employment
        /// `change-category` (to `becomes`, or contract) or `leave-deciding-step` (of `services`).
        public var action: String
        public var becomes: Employment?
        public var services: [String]?
    }

    public struct QuotaLine: Codable, Equatable, Sendable {
        public var id: Int64
        public var department: String?
        public var headcount: Int
        public var category: Employment
        public var reissuedAs: Employment
        public var wording: String
    }

    public struct Fee: Codable, Equatable, Sendable {
        public var service: String
        public var charge: Int
        public var kind: Charge.Kind
        public var amount: Int
        public var change: String
    }

    public var people: [Person]
    public var quotaLines: [QuotaLine]
    public var fees: [Fee]

    /// The impact, pure, of switching `configuration` to `mode` with the quota lines in force.
    public static func of(_ configuration: Configuration, quotas: [Quota], switchingTo mode: OrganisationalMode) -> StaffingImpact {
        let departments = Dictionary(configuration.departments.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        let own: Employment = mode == .administrativeBody ? .civilServant : .publicEmployee
        var people: [Person] = []
        // Internal departments' staff of a category the target mode does not employ.
        for staff in configuration.staff where staff.active {
            guard let code = staff.department, departments[code]?.kind == .internal, !mode.allowedEmployment.contains(staff.employment)
            else { continue }
            people.append(
                Person(
                    username: staff.username, name: staff.name, department: code, employment: staff.employment, action: "change-category",
                    becomes: own, services: nil))
        }
        // Handlers of a department whose deciding steps the target mode forbids.
        var forbidden: [String: [String]] = [:]
        for service in configuration.services where service.active {
            let broken = ModeRules.conflicts(service: service, departments: departments, for: mode).contains {
                $0.rule == "service.deciding-step"
            }
            if broken, let index = service.decidingStep, service.route.indices.contains(index) {
                forbidden[service.route[index].department, default: []].append(service.code)
            }
        }
        for staff in configuration.staff where staff.active && staff.role == .handler {
            guard let code = staff.department, let services = forbidden[code] else { continue }
            people.append(
                Person(
                    username: staff.username, name: staff.name, department: code, employment: staff.employment,
                    action: "leave-deciding-step", becomes: nil, services: services.sorted()))
        }
        // Quota lines of an internal department (or the centre's own) in a category the mode renames.
        let lines = quotas.compactMap { quota -> QuotaLine? in
            let internalLine = quota.department.map { departments[$0]?.kind == .internal } ?? true
            guard internalLine, quota.category != .contract, !mode.allowedEmployment.contains(quota.category) else { return nil }
            return QuotaLine(
                id: quota.id, department: quota.department, headcount: quota.headcount, category: quota.category, reissuedAs: own,
                wording: Staffing.wording(own, mode: mode))
        }
        // Fees: what an administrative body may not collect or keep; what a unit may keep.
        var fees: [Fee] = []
        for service in configuration.services where service.active {
            for (index, charge) in service.charges.enumerated() {
                let change: String? =
                    switch (mode, charge.kind, charge.remittance) {
                    case (.administrativeBody, .servicePrice, _):
                        "a public-service price an administrative body does not collect: drop it, or leave the service to a public service unit"
                    case (.administrativeBody, .phi, .retained): "remitted in full to the state budget instead of retained by the unit"
                    case (.publicServiceUnit, .phi, .budget):
                        "may be retained in part or whole by the unit under an approved estimate (Law on Fees and Charges art. 12)"
                    default: nil
                    }
                if let change {
                    fees.append(Fee(service: service.code, charge: index, kind: charge.kind, amount: charge.amount, change: change))
                }
            }
        }
        return StaffingImpact(
            people: people.sorted { ($0.action, $0.username) < ($1.action, $1.username) }, quotaLines: lines, fees: fees)
    }
}

/// A restructuring what-if (`POST /api/v1/staffing/scenarios`): move people between departments,
/// change quotas, over a period and a growth of the work; answered with the plan it gives.
public struct ScenarioRequest: Codable, Equatable, Sendable {
    public struct Move: Codable, Equatable, Sendable {
        /// Department codes; absent: the centre's own management.
        public var from: String?
        public var to: String?
        public var category: Employment
        public var count: Int

        public init(from: String?, to: String?, category: Employment, count: Int) {
            self.from = from
            self.to = to
            self.category = category
            self.count = count
        }
    }

    public struct QuotaChange: Codable, Equatable, Sendable {
        public var department: String?
        public var category: Employment
        /// People added to (positive) or cut from (negative) the quota in force.
        public var delta: Int

        public init(department: String?, category: Employment, delta: Int) {
            self.department = department
            self.category = category
            self.delta = delta
        }
    }

    public var name: String
    /// `2026-11`, `2026-Q4` or `2026`.
    public var period: String
    public var growth: Double?
    /// The hall's target (default: 80 % called within 15 minutes), as in the plan's report.
    public var targetWaitMinutes: Int?
    public var targetShare: Double?
    public var moves: [Move]?
    public var quotaChanges: [QuotaChange]?

    public init(
        name: String, period: String, growth: Double? = nil, targetWaitMinutes: Int? = nil, targetShare: Double? = nil,
        moves: [Move]? = nil, quotaChanges: [QuotaChange]? = nil
    ) {
        self.name = name
        self.period = period
        self.growth = growth
        self.targetWaitMinutes = targetWaitMinutes
        self.targetShare = targetShare
        self.moves = moves
        self.quotaChanges = quotaChanges
    }

    /// The people after the moves: `count` of the category present at the period's end in
    /// `from`, by username, now in `to`. Not enough people is a 409 naming the move.
    static func apply(_ moves: [Move], to people: [Staff], presentOn day: LocalDate?) throws(DeskError) -> [Staff] {
        var people = people
        for (index, move) in moves.enumerated() {
            let candidates = people.indices.filter {
                people[$0].department == move.from && people[$0].employment == move.category
                    && (day.map(people[$0].career.present(on:)) ?? true) && people[$0].active
            }.sorted { people[$0].username < people[$1].username }
            guard candidates.count >= move.count else {
                throw DeskError.inconsistent([
                    FieldError(
                        "moves[\(index)].count",
                        "\(move.from ?? "the centre") has \(candidates.count) \(move.category.rawValue) staff to move, not \(move.count)")
                ])
            }
            for position in candidates.prefix(move.count) { people[position].department = move.to }
        }
        return people
    }
}

/// A stored scenario: what was asked and the plan it gives.
public struct Scenario: Codable, Equatable, Sendable {
    public var name: String
    public var request: ScenarioRequest
    public var plan: ReportTable
    public var createdAt: Date
    public var createdBy: String
}
