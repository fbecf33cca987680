import Foundation

/// One line of a due-date computation, in plain words (SPEC §3 `explain-due`).
public struct DueLine: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable {
        /// Where the clock starts and why.
        case start
        /// A working stretch or working day consumed.
        case counted
        /// A day skipped, and why (rest day, holiday).
        case skipped
        /// A pause or restart of the clock.
        case clock
        /// The result.
        case due
    }

    public var kind: Kind
    public var date: LocalDate
    public var from: TimeOfDay?
    public var to: TimeOfDay?
    /// Working minutes consumed by this line.
    public var minutes: Int?
    public var text: String
}

/// The result of walking an allowance through working time.
public struct DueComputation: Codable, Equatable, Sendable {
    public var countingStart: Date
    public var due: Date
    public var lines: [DueLine]
}

/// Working-time arithmetic (SPEC §3), pure: the calendar, the centre's time zone and cut-off
/// are given, time is an argument.
///
/// - Counting starts at acceptance, or when work resumes: during a break at the end of the
///   break, before opening at opening, after the cut-off or on a rest day at the start of the
///   next working day (Decree 61/2018 art. 18).
/// - `N h` walks N×60 working minutes through the working periods.
/// - `N d` counts N whole working days: the due moment is the same point of the working day,
///   N working days later (a count that starts at the opening of a day ends at the close of
///   the Nth working day). Walking N×8 hours instead would drift by half an hour a day with the
///   default 7.5-hour opening hours; the 8-hour day is used to compare and add allowances.
/// - A walk that ends exactly at a boundary ends at the close of the period it consumed, not
///   at the opening of the next: the receipt says "by 17:00", not "by 07:30 tomorrow".
public struct WorkingTime: Sendable {
    public let calendar: WorkingCalendar
    public let clock: LocalClock
    public let cutoff: TimeOfDay

    /// Searching further than this for a working day means the calendar has none.
    static let horizonDays = 3 * 366

    public init(calendar: WorkingCalendar, clock: LocalClock, cutoff: TimeOfDay) {
        self.calendar = calendar
        self.clock = clock
        self.cutoff = cutoff
    }

    // MARK: Counting start

    /// Where the clock starts for a dossier accepted at `accepted`, with the lines that say why
    /// (the start, then every day skipped on the way to it).
    public func countingStart(acceptedAt accepted: Date) -> (start: Date, lines: [DueLine]) {
        let (date, minute) = clock.local(accepted)
        let time = TimeOfDay(minutes: minute)
        let periods = calendar.periods(on: date)
        func line(_ start: (LocalDate, Int), _ text: String) -> (Date, [DueLine]) {
            let instant = clock.instant(start.0, minute: start.1)
            var lines = [DueLine(kind: .start, date: date, from: time, text: text)]
            var day = date.adding(days: 1)
            while day < start.0 {
                lines.append(DueLine(kind: .skipped, date: day, text: "\(day) \(day.weekday.rawValue): \(restReason(day))"))
                day = day.adding(days: 1)
            }
            return (instant, lines)
        }
        guard !periods.isEmpty else {
            let next = nextWorkingDayStart(after: date)
            return line(
                next,
                "accepted \(date) \(time), \(restReason(date)); counting starts at the opening of the next working day, \(next.0) \(TimeOfDay(minutes: next.1))"
            )
        }
        if minute >= cutoff.minutes || minute >= periods.last!.end.minutes {
            let next = nextWorkingDayStart(after: date)
            let why = minute >= cutoff.minutes ? "after the \(cutoff) cut-off" : "after working hours"
            return line(
                next,
                "accepted \(date) \(time), \(why); counting starts at the opening of the next working day, \(next.0) \(TimeOfDay(minutes: next.1))"
            )
        }
        if let current = periods.first(where: { $0.start.minutes <= minute && minute < $0.end.minutes }) {
            _ = current
            return line((date, minute), "accepted \(date) \(time), within working hours; counting starts at once")
        }
        let reopening = periods.first { $0.start.minutes > minute }!
        let why = minute < periods.first!.start.minutes ? "before opening" : "during the break"
        return line((date, reopening.start.minutes), "accepted \(date) \(time), \(why); counting starts at \(reopening.start)")
    }

    // MARK: Walking an allowance

    /// The due moment of `limit` counted from `start` (already a counting start), with every line.
    public func due(from start: Date, limit: TimeLimit) -> DueComputation {
        switch limit {
        case .hours(let hours):
            let (due, lines) = walk(minutes: hours * 60, from: start)
            return DueComputation(countingStart: start, due: due, lines: lines + [dueLine(due, "due after \(hours) working hour(s)")])
        case .days(let days):
            return walk(days: days, from: start)
        }
    }

    /// Walks `minutes` of working time forward from `start`.
    public func walk(minutes total: Int, from start: Date) -> (due: Date, lines: [DueLine]) {
        var (date, minute) = clock.local(start)
        var remaining = total
        var lines: [DueLine] = []
        var lastEnd: (LocalDate, Int) = (date, minute)
        for _ in 0..<Self.horizonDays {
            let periods = calendar.periods(on: date)
            if periods.isEmpty {
                lines.append(DueLine(kind: .skipped, date: date, text: "\(date) \(date.weekday.rawValue): \(restReason(date))"))
            }
            for period in periods where period.end.minutes > minute {
                if remaining == 0 { return (clock.instant(lastEnd.0, minute: lastEnd.1), lines) }
                let from = max(period.start.minutes, minute)
                let used = min(remaining, period.end.minutes - from)
                remaining -= used
                lines.append(
                    DueLine(
                        kind: .counted, date: date, from: TimeOfDay(minutes: from), to: TimeOfDay(minutes: from + used), minutes: used,
                        text: "\(date) \(TimeOfDay(minutes: from))–\(TimeOfDay(minutes: from + used)): \(used) working minutes"))
                lastEnd = (date, from + used)
                if remaining == 0 { return (clock.instant(date, minute: from + used), lines) }
            }
            if remaining == 0 { return (clock.instant(lastEnd.0, minute: lastEnd.1), lines) }
            date = date.adding(days: 1)
            minute = 0
        }
        return (clock.instant(date, minute: 0), lines)
    }

    func walk(days total: Int, from start: Date) -> DueComputation {
        let (startDate, minute) = clock.local(start)
        let elapsed = workedMinutes(on: startDate, before: minute)
        var lines: [DueLine] = []
        var date = startDate
        var counted = 0
        // Opening of a day: that day is the first of the N; otherwise the N days follow it.
        let needed = elapsed == 0 ? total - 1 : total
        if elapsed == 0 {
            lines.append(
                DueLine(kind: .counted, date: date, minutes: dayMinutes(date), text: "\(date) \(date.weekday.rawValue): working day 1"))
        }
        var guardDays = 0
        while counted < needed && guardDays < Self.horizonDays {
            date = date.adding(days: 1)
            guardDays += 1
            if calendar.isWorkingDay(date) {
                counted += 1
                let number = elapsed == 0 ? counted + 1 : counted
                lines.append(
                    DueLine(
                        kind: .counted, date: date, minutes: dayMinutes(date),
                        text: "\(date) \(date.weekday.rawValue): working day \(number)"))
            } else {
                lines.append(DueLine(kind: .skipped, date: date, text: "\(date) \(date.weekday.rawValue): \(restReason(date))"))
            }
        }
        let due: Date
        let text: String
        if elapsed == 0 {
            let close = calendar.periods(on: date).last?.end.minutes ?? 0
            due = clock.instant(date, minute: close)
            text = "due at the close of working day \(total)"
        } else {
            due = clock.instant(date, minute: moment(on: date, afterWorked: elapsed))
            text =
                "due \(total) working day(s) after the counting start, at the same point of the working day (\(elapsed) working minutes in)"
        }
        return DueComputation(countingStart: start, due: due, lines: lines + [dueLine(due, text)])
    }

    /// Working minutes between two instants (zero if `to` is not after `from`).
    public func workingMinutes(from: Date, to: Date) -> Int {
        guard to > from else { return 0 }
        let (startDate, startMinute) = clock.local(from)
        let (endDate, endMinute) = clock.local(to)
        var total = 0
        var date = startDate
        while date <= endDate {
            let lower = date == startDate ? startMinute : 0
            let upper = date == endDate ? endMinute : 1440
            for period in calendar.periods(on: date) {
                total += max(0, min(period.end.minutes, upper) - max(period.start.minutes, lower))
            }
            date = date.adding(days: 1)
        }
        return total
    }

    // MARK: Timeliness

    /// Early, on time or late by local date (the national indicators count by date).
    public func grade(finishedAt finished: Date, dueAt due: Date) -> Timeliness {
        let finishedDay = clock.local(finished).date
        let dueDay = clock.local(due).date
        return finishedDay < dueDay ? .early : finishedDay == dueDay ? .onTime : .late
    }

    // MARK: Helpers

    func nextWorkingDayStart(after date: LocalDate) -> (LocalDate, Int) {
        var day = date
        for _ in 0..<Self.horizonDays {
            day = day.adding(days: 1)
            if let first = calendar.periods(on: day).first { return (day, first.start.minutes) }
        }
        return (day, 0)
    }

    func workedMinutes(on date: LocalDate, before minute: Int) -> Int {
        calendar.periods(on: date).reduce(0) { $0 + max(0, min($1.end.minutes, minute) - $1.start.minutes) }
    }

    func dayMinutes(_ date: LocalDate) -> Int {
        calendar.periods(on: date).reduce(0) { $0 + $1.minutes }
    }

    /// The minute of `date` at which `worked` working minutes have elapsed (its close if the day is shorter).
    func moment(on date: LocalDate, afterWorked worked: Int) -> Int {
        var remaining = worked
        for period in calendar.periods(on: date) {
            if remaining <= period.minutes { return period.start.minutes + remaining }
            remaining -= period.minutes
        }
        return calendar.periods(on: date).last?.end.minutes ?? 0
    }

    func restReason(_ date: LocalDate) -> String {
        if let day = calendar.day(on: date), day.kind == .holiday { return "holiday (\(day.name))" }
        return "rest day"
    }

    func dueLine(_ due: Date, _ text: String) -> DueLine {
        let (date, minute) = clock.local(due)
        return DueLine(kind: .due, date: date, from: TimeOfDay(minutes: minute), text: "\(text): \(date) \(TimeOfDay(minutes: minute))")
    }
}

/// The three grades of the national indicators and of the control sheet.
public enum Timeliness: String, Codable, CaseIterable, Sendable {
    /// *Trước hạn*: finished on a day before the due day.
    case early
    /// *Đúng hạn*: finished on the due day.
    case onTime = "on-time"
    /// *Quá hạn*: finished after the due day.
    case late
}
