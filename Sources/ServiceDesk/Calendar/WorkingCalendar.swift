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
/// built in; they come from the admin or an imported `.ics`/CSV file.
public struct WorkingCalendar: Codable, Equatable, Sendable {
    /// Working periods per weekday, sorted and non-overlapping; a weekday without periods is a rest day.
    public var hours: [Weekday: [WorkingPeriod]]
    /// Holidays and make-up days, sorted by date.
    public var days: [CalendarDay]

    public init(hours: [Weekday: [WorkingPeriod]] = WorkingCalendar.defaultHours, days: [CalendarDay] = []) {
        self.hours = hours
        self.days = days.sorted { $0.date < $1.date }
    }

    /// Monday–Friday 07:30–11:30 and 13:30–17:00 (SPEC §3).
    public static let defaultHours: [Weekday: [WorkingPeriod]] = {
        let day = [
            WorkingPeriod(start: TimeOfDay(hour: 7, minute: 30), end: TimeOfDay(hour: 11, minute: 30)),
            WorkingPeriod(start: TimeOfDay(hour: 13, minute: 30), end: TimeOfDay(hour: 17, minute: 0)),
        ]
        return [.monday: day, .tuesday: day, .wednesday: day, .thursday: day, .friday: day]
    }()

    /// One working day counts as 8 working hours, whatever the opening hours (SPEC §3).
    public static let hoursPerWorkingDay = 8

    /// The hours a make-up working day keeps: those of the first weekday that has any
    /// (Monday in the default calendar).
    public var makeUpDayHours: [WorkingPeriod] {
        Weekday.allCases.lazy.compactMap { self.hours[$0] }.first { !$0.isEmpty } ?? []
    }

    /// The working periods of a date, with holidays and make-up days applied.
    public func periods(on date: LocalDate) -> [WorkingPeriod] {
        if let exception = day(on: date) {
            return exception.kind == .holiday ? [] : makeUpDayHours
        }
        return hours[date.weekday] ?? []
    }

    public func isWorkingDay(_ date: LocalDate) -> Bool { !periods(on: date).isEmpty }

    public func day(on date: LocalDate) -> CalendarDay? {
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
        validator.check(!day.name.isEmpty && day.name.count <= 200, field + ".name", "is required (at most 200 characters)")
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
