/// The public holidays whose dates the law fixes (Labour Code 45/2019/QH14 art. 112(1)), for
/// a year whose calendar was never loaded: New Year (1/1), Victory Day (30/4), Labour Day (1/5)
/// and National Day (2/9). A fixed holiday that falls on a weekly rest day gives the next
/// working day off (art. 111(3)). Tết and the Hùng Kings day follow the lunar calendar, and
/// the second National Day holiday and every swap are announced yearly (since 2025 by the
/// Minister of Home Affairs): none of those is guessed.
public enum FixedHolidays {
    static let fixed: [(month: Int, day: Int, name: String)] = [
        (1, 1, "Tết Dương lịch (Labour Code art. 112)"),
        (4, 30, "Ngày Chiến thắng (Labour Code art. 112)"),
        (5, 1, "Ngày Quốc tế Lao động (Labour Code art. 112)"),
        (9, 2, "Quốc khánh (Labour Code art. 112)"),
    ]

    /// The fixed holidays of `year`, with the days off in lieu, by the weekly hours of `calendar`.
    public static func days(of year: Int, calendar: WorkingCalendar) -> [CalendarDay] {
        var days: [CalendarDay] = fixed.compactMap { holiday in
            LocalDate(year: year, month: holiday.month, day: holiday.day).map {
                CalendarDay(date: $0, kind: .holiday, name: holiday.name)
            }
        }
        let taken = Set(days.map(\.date))
        var inLieu: [CalendarDay] = []
        for holiday in days where !calendar.isWorkingWeekday(holiday.date) {
            var date = holiday.date.adding(days: 1)
            // At most a week ahead: a calendar with at least one working weekday finds one.
            for _ in 0..<7 {
                if calendar.isWorkingWeekday(date) && !taken.contains(date) && !inLieu.contains(where: { $0.date == date }) { break }
                date = date.adding(days: 1)
            }
            guard date.year == year, calendar.isWorkingWeekday(date) else { continue }
            inLieu.append(CalendarDay(date: date, kind: .holiday, name: "nghỉ bù \(holiday.name) (Labour Code art. 111(3))"))
        }
        days += inLieu
        return days.sorted { $0.date < $1.date }
    }

    /// The fixed holiday (or day off in lieu) on `date`, if any.
    static func day(on date: LocalDate, calendar: WorkingCalendar) -> CalendarDay? {
        // Cheap first test: only early January, late April to early May and September can match.
        guard [1, 4, 5, 9].contains(date.month) else { return nil }
        return days(of: date.year, calendar: calendar).first { $0.date == date }
    }
}
