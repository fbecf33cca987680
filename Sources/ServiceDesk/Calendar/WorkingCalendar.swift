/// One stretch of working time within a day, e.g. 07:30–11:30.
public struct WorkingPeriod: Codable, Hashable, Sendable {
    public var start: TimeOfDay
    public var end: TimeOfDay

    public init(start: TimeOfDay, end: TimeOfDay) {
        self.start = start
        self.end = end
    }

    public var minutes: Int { end.minutes - start.minutes }
}

/// Whether a calendar day is a public holiday (*ngày nghỉ lễ*) or a make-up working day
/// (*ngày làm bù*, e.g. a Saturday worked in exchange for a bridge day).
public enum CalendarDayKind: String, Codable, CaseIterable, Sendable {
    case holiday
    case workday
}

/// A dated exception to the weekly working hours.
public struct CalendarDay: Codable, Hashable, Sendable {
    public var date: LocalDate
    public var kind: CalendarDayKind
    public var name: String

    public init(date: LocalDate, kind: CalendarDayKind, name: String) {
        self.date = date
        self.kind = kind
        self.name = name
    }
}

/// The centre's working time (SPEC §3): weekly hours plus dated holidays and make-up days.
/// Lunar holidays and make-up days are fixed by the government every year, so none are
/// built in; they come from the admin or an imported `.ics`/CSV file. The fixed-date holidays
/// of Labour Code art. 112 are known without an import, for the years nobody loaded
/// (`FixedHolidays`).
public struct WorkingCalendar: Codable, Equatable, Sendable {
    /// Working periods per weekday, sorted and non-overlapping; a weekday without periods is a rest day.
    public var hours: [Weekday: [WorkingPeriod]]
    /// Holidays and make-up days, sorted by date.
    public var days: [CalendarDay] {
        didSet { loadedYears = Self.years(of: days) }
    }
    /// The years whose calendar was loaded: with at least one dated day that is not a
    /// fixed-date holiday (Tết, a make-up day, a swapped day — what only the yearly notice
    /// knows). An import of 1/1, 30/4 and 1/5 alone does not load a year.
    public private(set) var loadedYears: Set<Int>

    enum CodingKeys: String, CodingKey { case hours, days, loadedYears }

    public init(hours: [Weekday: [WorkingPeriod]] = WorkingCalendar.defaultHours, days: [CalendarDay] = []) {
        self.hours = hours
        let sorted = days.sorted { $0.date < $1.date }
        self.days = sorted
        loadedYears = Self.years(of: sorted)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            hours: try container.decode([Weekday: [WorkingPeriod]].self, forKey: .hours),
            days: try container.decode([CalendarDay].self, forKey: .days))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(hours, forKey: .hours)
        try container.encode(days, forKey: .days)
        try container.encode(loadedYears.sorted(), forKey: .loadedYears)
    }

    static func years(of days: [CalendarDay]) -> Set<Int> {
        Set(days.filter { !FixedHolidays.isFixedDate($0.date) }.map(\.date.year))
    }

    /// Monday–Friday 07:30–11:30 and 13:00–17:00: eight working hours a day (SPEC §3; QĐ
    /// 188/1999: 40 hours over 5 days), so that `1 d` and `8 h` are the same allowance.
    public static let defaultHours: [Weekday: [WorkingPeriod]] = {
        let day = [
            WorkingPeriod(start: TimeOfDay(hour: 7, minute: 30), end: TimeOfDay(hour: 11, minute: 30)),
            WorkingPeriod(start: TimeOfDay(hour: 13, minute: 0), end: TimeOfDay(hour: 17, minute: 0)),
        ]
        return [.monday: day, .tuesday: day, .wednesday: day, .thursday: day, .friday: day]
    }()

    /// One working day counts as 8 working hours when limits in hours and days are compared
    /// (SPEC §3; Nghệ An QĐ 3857/QĐ-UBND 2025 "tính mỗi ngày 08 giờ làm việc").
    public static let hoursPerWorkingDay = 8

    /// The hours a make-up working day keeps: those of the first weekday that has any
    /// (Monday in the default calendar).
    public var makeUpDayHours: [WorkingPeriod] {
        Weekday.allCases.lazy.compactMap { self.hours[$0] }.first { !$0.isEmpty } ?? []
    }

    /// The working minutes of a usual working day: the length most working weekdays have (the
    /// longer one on a tie), so that a Saturday morning does not halve every day. What one
    /// working day is worth when allowances in days and hours are added up against this calendar.
    public var usualDayMinutes: Int {
        var counts: [Int: Int] = [:]
        for weekday in Weekday.allCases {
            let minutes = (hours[weekday] ?? []).reduce(0) { $0 + $1.minutes }
            if minutes > 0 { counts[minutes, default: 0] += 1 }
        }
        return counts.max { ($0.value, $0.key) < ($1.value, $1.key) }?.key ?? Self.hoursPerWorkingDay * 60
    }

    /// The working periods of a date, with holidays and make-up days applied.
    public func periods(on date: LocalDate) -> [WorkingPeriod] {
        if let exception = day(on: date) {
            return exception.kind == .holiday ? [] : makeUpDayHours
        }
        return hours[date.weekday] ?? []
    }

    public func isWorkingDay(_ date: LocalDate) -> Bool { !periods(on: date).isEmpty }

    /// Whether `date` is a working day by the weekly hours alone (no dated exceptions).
    func isWorkingWeekday(_ date: LocalDate) -> Bool { !(hours[date.weekday] ?? []).isEmpty }

    /// The dated exception of a date: the one entered or imported; else a fixed-date holiday of
    /// Labour Code art. 112 (known in every year: only a make-up `workday` entered on the date
    /// overrides it); else, in a year nobody loaded, the day off in lieu of a fixed holiday that
    /// fell on a rest day (art. 111(3); in a loaded year the yearly notice says which day).
    public func day(on date: LocalDate) -> CalendarDay? {
        if let entered = enteredDay(on: date) { return entered }
        return FixedHolidays.day(on: date, calendar: self, inLieu: !loadedYears.contains(date.year))
    }

    func enteredDay(on date: LocalDate) -> CalendarDay? {
        // Few dozen entries a year: a binary search keeps this cheap for long walks.
        var low = 0
        var high = days.count - 1
        while low <= high {
            let mid = (low + high) / 2
            if days[mid].date == date { return days[mid] }
            if days[mid].date < date { low = mid + 1 } else { high = mid - 1 }
        }
        return nil
    }

    /// What an administrator must hear about the calendar on `today`: the current year not
    /// loaded, or — from 1 November — the next one (Tết and the make-up days are announced in
    /// the autumn; a dossier accepted in December is already due in January).
    public func warnings(today: LocalDate) -> [String] {
        var years = [today.year]
        if today.month >= 11 { years.append(today.year + 1) }
        return years.filter { !loadedYears.contains($0) }.map(Self.notLoaded)
    }

    /// The warning for a year whose calendar was never loaded.
    public static func notLoaded(_ year: Int) -> String {
        "the calendar of \(year) was never loaded: only the fixed-date holidays of Labour Code art. 112 are known "
            + "(Tết, the Hùng Kings day, the second National Day holiday and make-up days are not); "
            + "import the year's holidays (deskcli calendar import)"
    }

    /// Checks weekly hours: each period starts before it ends, periods of a day do not overlap.
    static func validate(hours: [Weekday: [WorkingPeriod]], into validator: inout Validator) {
        for weekday in Weekday.allCases {
            let periods = (hours[weekday] ?? []).sorted { $0.start < $1.start }
            for (index, period) in periods.enumerated() {
                let field = "hours.\(weekday.rawValue)[\(index)]"
                validator.check(period.start < period.end, field, "must start before it ends (\(period.start)–\(period.end))")
                if index > 0 {
                    validator.check(periods[index - 1].end <= period.start, field, "overlaps the period before it")
                }
            }
        }
        validator.check(hours.values.contains { !$0.isEmpty }, "hours", "at least one weekday must have working hours")
    }

    /// A dated day needs a name; a holiday on a rest day is kept (it documents the year and
    /// the law gives the next working day off, which the admin enters as its own holiday).
    static func validate(day: CalendarDay, field: String, into validator: inout Validator) {
        validator.check(!day.name.isEmpty && day.name.unicodeScalars.count <= 200, field + ".name", "is required (at most 200 characters)")
    }
}

/// `PUT /api/v1/calendar`: the weekly hours and, when given, the full list of dated days.
public struct CalendarUpdate: Codable, Sendable {
    public var hours: [Weekday: [WorkingPeriod]]
    public var days: [CalendarDay]?

    public init(hours: [Weekday: [WorkingPeriod]], days: [CalendarDay]? = nil) {
        self.hours = hours
        self.days = days
    }
}

/// `GET /api/v1/calendar`: the calendar and its warnings today (a year never loaded).
public struct CalendarOverview: Codable, Equatable, Sendable {
    public var calendar: WorkingCalendar
    public var warnings: [String]

    public init(calendar: WorkingCalendar, warnings: [String]) {
        self.calendar = calendar
        self.warnings = warnings
    }

    enum CodingKeys: String, CodingKey { case warnings }

    /// The calendar's own keys (`hours`, `days`, `loadedYears`) and `warnings` beside them.
    public func encode(to encoder: any Encoder) throws {
        try calendar.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(warnings, forKey: .warnings)
    }

    public init(from decoder: any Decoder) throws {
        calendar = try WorkingCalendar(from: decoder)
        warnings = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent([String].self, forKey: .warnings) ?? []
    }
}
