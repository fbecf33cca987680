/// The public holidays whose dates the law fixes (Labour Code 45/2019/QH14 art. 112(1)), known
/// in every year without an import: New Year (1/1), Victory Day (30/4), Labour Day (1/5) and
/// National Day (2/9). In a year whose calendar was never loaded, a fixed holiday that falls on
/// a weekly rest day also gives the next working day off (art. 111(3)); in a loaded year the
/// yearly notice says which day. Tết and the Hùng Kings day follow the lunar calendar, and the
/// second National Day holiday and every swap are announced yearly (since 2025 by the Minister
/// of Home Affairs): none of those is guessed.
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

    /// Whether `date` is one of the fixed dates themselves.
    static func isFixedDate(_ date: LocalDate) -> Bool {
        fixed.contains { $0.month == date.month && $0.day == date.day }
    }

    /// The fixed holiday on `date`, or with `inLieu` also the day off in lieu of one.
    static func day(on date: LocalDate, calendar: WorkingCalendar, inLieu: Bool) -> CalendarDay? {
        // Cheap first test, as walks ask about every date: a day off in lieu comes within a week
        // of its holiday (1–8/1, 30/4–8/5, 2–9/9).
        let near =
            (date.month == 1 && date.day <= 8) || (date.month == 4 && date.day == 30) || (date.month == 5 && date.day <= 8)
            || (date.month == 9 && (2...9).contains(date.day))
        guard near else { return nil }
        if !inLieu {
            return fixed.first { $0.month == date.month && $0.day == date.day }.map {
                CalendarDay(date: date, kind: .holiday, name: $0.name)
            }
        }
        return days(of: date.year, calendar: calendar).first { $0.date == date }
    }
}
