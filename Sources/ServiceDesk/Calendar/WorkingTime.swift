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
        /// Something the reader must know (a year whose calendar was never loaded).
        case warning
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
    /// Said when the walk entered a year whose calendar was never loaded (SPEC §3).
    public var warnings: [String] = []
}

/// Working-time arithmetic (SPEC §3), pure: the calendar, the centre's time zone and cut-off
/// are given, time is an argument.
///
/// - Counting starts at reception when it is within working hours; before the opening or in
///   a break at the moment work resumes; outside working days, after the close, or — where
///   the cut-off applies — after the cut-off at the opening of the next working day, which is
///   then the day of reception (Decree 61/2018 art. 18).
/// - `N d`: the day of reception is never one of the N days (Civil Code art. 147(1)); the due
///   moment is on the Nth working day after the day of reception, at the time of day counting
///   started (so at the opening when reception was at or before it). `0 d` is within the day
///   of reception: its close.
/// - `N h` walks N×60 working minutes through the working periods; a walk that ends exactly at
///   a boundary ends at the close of the period it consumed ("by 17:00", not "by 07:30
///   tomorrow"). With the default eight-hour days `8 h` and `1 d` give the same moment, except
///   from an opening, where the day rule puts `1 d` at the next opening — the same instant in
///   working time (docs/tickets.md).
public struct WorkingTime: Sendable {
    public let calendar: WorkingCalendar
    public let clock: LocalClock
    public let cutoff: TimeOfDay
    /// Whether a computation writes its lines (`DueLine`): what `explain-due` and the due
    /// calculator print. A caller that keeps only the moments takes `quiet`, the same arithmetic
    /// without the words — an intake computed three due moments with their lines and kept none.
    public private(set) var explains = true

    /// Searching further than this for a working day means the calendar has none.
    static let horizonDays = 3 * 366

    public init(calendar: WorkingCalendar, clock: LocalClock, cutoff: TimeOfDay) {
        self.calendar = calendar
        self.clock = clock
        self.cutoff = cutoff
    }

    /// The same working time, computing moments without their lines (`explains`).
    public var quiet: WorkingTime {
        var quiet = self
        quiet.explains = false
        return quiet
    }

    // MARK: Counting start

    /// Where the clock starts for a dossier received at `received`, with the lines that say why
    /// (the start, then every day skipped on the way to it). `cutoff` says whether the
    /// centre's intake cut-off applies (the service's setting and a paper channel).
    public func countingStart(acceptedAt received: Date, cutoff applies: Bool = true) -> (start: Date, lines: [DueLine]) {
        let (date, minute) = clock.local(received)
        let time = TimeOfDay(minutes: minute)
        let periods = calendar.periods(on: date)
        func line(_ start: (LocalDate, Int), _ text: @autoclosure () -> String) -> (Date, [DueLine]) {
            let instant = clock.instant(start.0, minute: start.1)
            guard explains else { return (instant, []) }
            var lines = [DueLine(kind: .start, date: date, from: time, text: text())]
            var day = date.adding(days: 1)
            while day < start.0 {
                lines.append(DueLine(kind: .skipped, date: day, text: "\(day) \(day.weekday.rawValue): \(restReason(day))"))
                day = day.adding(days: 1)
            }
            return (instant, lines)
        }
        func nextDay(_ why: @autoclosure () -> String) -> (Date, [DueLine]) {
            let next = nextWorkingDayStart(after: date)
            return line(
                next,
                "received \(date) \(time), \(why()); it counts as received on the next working day, \(next.0), from its opening \(TimeOfDay(minutes: next.1))"
            )
        }
        guard let first = periods.first, let last = periods.last else { return nextDay(restReason(date)) }
        if applies && minute >= cutoff.minutes { return nextDay("after the \(cutoff) cut-off (Decree 61/2018 art. 18)") }
        if minute >= last.end.minutes { return nextDay("after working hours") }
        if periods.contains(where: { $0.start.minutes <= minute && minute < $0.end.minutes }) {
            return line((date, minute), "received \(date) \(time), within working hours; counting starts at once")
        }
        let reopening = periods.first { $0.start.minutes > minute }!
        let why = minute < first.start.minutes ? "before opening" : "during the break"
        return line((date, reopening.start.minutes), "received \(date) \(time), \(why); counting starts at \(reopening.start)")
    }

    // MARK: Walking an allowance

    /// The due moment of `limit` counted from `start` (already a counting start), with every line.
    public func due(from start: Date, limit: TimeLimit) -> DueComputation {
        var computation: DueComputation
        switch limit {
        case .hours(let hours):
            let (due, lines) = walk(minutes: hours * 60, from: start)
            computation = DueComputation(
                countingStart: start, due: due, lines: explains ? lines + [dueLine(due, "due after \(hours) working hour(s)")] : [])
        case .days(let days):
            computation = walk(days: days, from: start)
        }
        computation.warnings = warnings(from: start, to: computation.due)
        for warning in computation.warnings where explains {
            computation.lines.append(DueLine(kind: .warning, date: clock.local(start).date, text: warning))
        }
        return computation
    }

    /// The years between two instants whose calendar was never loaded, as warnings.
    func warnings(from start: Date, to end: Date) -> [String] {
        let first = clock.local(start).date.year
        let last = max(first, clock.local(end).date.year)
        return (first...last).filter { !calendar.loadedYears.contains($0) }.map(WorkingCalendar.notLoaded)
    }

    /// Walks `minutes` of working time forward from `start`.
    public func walk(minutes total: Int, from start: Date) -> (due: Date, lines: [DueLine]) {
        var (date, minute) = clock.local(start)
        var remaining = total
        var lines: [DueLine] = []
        var lastEnd: (LocalDate, Int) = (date, minute)
        for _ in 0..<Self.horizonDays {
            let periods = calendar.periods(on: date)
            if periods.isEmpty && explains {
                lines.append(DueLine(kind: .skipped, date: date, text: "\(date) \(date.weekday.rawValue): \(restReason(date))"))
            }
            for period in periods where period.end.minutes > minute {
                if remaining == 0 { return (clock.instant(lastEnd.0, minute: lastEnd.1), lines) }
                let from = max(period.start.minutes, minute)
                let used = min(remaining, period.end.minutes - from)
                remaining -= used
                if explains {
                    lines.append(
                        DueLine(
                            kind: .counted, date: date, from: TimeOfDay(minutes: from), to: TimeOfDay(minutes: from + used),
                            minutes: used,
                            text: "\(date) \(TimeOfDay(minutes: from))–\(TimeOfDay(minutes: from + used)): \(used) working minutes"))
                }
                lastEnd = (date, from + used)
                if remaining == 0 { return (clock.instant(date, minute: from + used), lines) }
            }
            if remaining == 0 { return (clock.instant(lastEnd.0, minute: lastEnd.1), lines) }
            date = date.adding(days: 1)
            minute = 0
        }
        return (clock.instant(date, minute: 0), lines)
    }

    /// `N d` from a counting start: the Nth working day after the day of reception, at the
    /// time of day counting started (moved into that day's working hours if it has other ones).
    func walk(days total: Int, from start: Date) -> DueComputation {
        let (receptionDate, minute) = clock.local(start)
        guard total > 0 else {
            let close = calendar.periods(on: receptionDate).last?.end.minutes ?? minute
            let due = clock.instant(receptionDate, minute: max(close, minute))
            return DueComputation(
                countingStart: start, due: due, lines: explains ? [dueLine(due, "within the day of reception (0 d): by its close")] : [])
        }
        var lines: [DueLine] = []
        if explains {
            lines.append(
                DueLine(
                    kind: .skipped, date: receptionDate,
                    text:
                        "\(receptionDate) \(receptionDate.weekday.rawValue): the day of reception, not one of the \(total) day(s) (Civil Code art. 147(1))"
                ))
        }
        var date = receptionDate
        var counted = 0
        var guardDays = 0
        while counted < total && guardDays < Self.horizonDays {
            date = date.adding(days: 1)
            guardDays += 1
            if calendar.isWorkingDay(date) {
                counted += 1
                if explains {
                    lines.append(
                        DueLine(
                            kind: .counted, date: date, minutes: dayMinutes(date),
                            text: "\(date) \(date.weekday.rawValue): working day \(counted)"))
                }
            } else if explains {
                lines.append(DueLine(kind: .skipped, date: date, text: "\(date) \(date.weekday.rawValue): \(restReason(date))"))
            }
        }
        let at = workingMinute(on: date, atOrAfter: minute)
        let due = clock.instant(date, minute: at)
        guard explains else { return DueComputation(countingStart: start, due: due, lines: []) }
        let text =
            at == minute
            ? "due on working day \(total) after the day of reception, at the time counting started (\(TimeOfDay(minutes: minute)))"
            : "due on working day \(total) after the day of reception, at \(TimeOfDay(minutes: at)) (that day's working hours)"
        return DueComputation(countingStart: start, due: due, lines: lines + [dueLine(due, text)])
    }

    /// `minute` moved into the working hours of `date`: forward to the next opening if it falls
    /// before one, back to the close if it is after the last.
    func workingMinute(on date: LocalDate, atOrAfter minute: Int) -> Int {
        let periods = calendar.periods(on: date)
        guard let last = periods.last else { return minute }
        if minute >= last.end.minutes { return last.end.minutes }
        if periods.contains(where: { $0.start.minutes <= minute && minute < $0.end.minutes }) { return minute }
        return periods.first { $0.start.minutes > minute }?.start.minutes ?? last.end.minutes
    }

    /// The working day `count` working days before `date` (the latest day an apology may be
    /// issued for a due date, Decree 61/2018 art. 19(9)).
    public func workingDay(_ count: Int, before date: LocalDate) -> LocalDate {
        var day = date
        var found = 0
        for _ in 0..<Self.horizonDays where found < count {
            day = day.adding(days: -1)
            if calendar.isWorkingDay(day) { found += 1 }
        }
        return day
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

    func dayMinutes(_ date: LocalDate) -> Int {
        calendar.periods(on: date).reduce(0) { $0 + $1.minutes }
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
