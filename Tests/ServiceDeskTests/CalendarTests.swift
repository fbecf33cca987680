import Testing

@testable import ServiceDesk

@Suite("Dates, times and the working calendar")
struct CalendarTests {
    @Test(arguments: [
        ("2026-01-01", Weekday.thursday), ("2026-02-16", .monday), ("2026-08-22", .saturday),
        ("2024-02-29", .thursday), ("1970-01-01", .thursday), ("2000-03-01", .wednesday),
    ])
    func weekday(text: String, expected: Weekday) throws {
        let date = try #require(LocalDate(text))
        #expect(date.weekday == expected)
        #expect(date.description == text)
        #expect(LocalDate(daysSinceEpoch: date.daysSinceEpoch) == date)
    }

    @Test(
        "impossible or malformed dates are refused",
        arguments: ["2026-02-29", "2026-13-01", "2026-1-01", "26-01-01", "2026-01-32", "abcd-ef-gh", ""])
    func invalidDates(text: String) {
        #expect(LocalDate(text) == nil)
    }

    @Test("adding days crosses months and years")
    func adding() throws {
        let date = try #require(LocalDate("2026-12-30"))
        #expect(date.adding(days: 3).description == "2027-01-02")
        #expect(date.adding(days: -365).description == "2025-12-30")
    }

    @Test("times of day parse HH:MM only", arguments: [("07:30", 450), ("00:00", 0), ("24:00", 1440), ("15:00", 900)])
    func times(text: String, minutes: Int) throws {
        #expect(try #require(TimeOfDay(text)).minutes == minutes)
        #expect(TimeOfDay(text)?.description == text)
    }

    @Test(arguments: ["7:30", "24:01", "12:60", "12-00", "noon", ""])
    func invalidTimes(text: String) {
        #expect(TimeOfDay(text) == nil)
    }

    @Test("time limits are N d or N h, one working day being 8 working hours")
    func timeLimits() {
        #expect(TimeLimit("15 d") == .days(15))
        #expect(TimeLimit("4h") == .hours(4))
        #expect(TimeLimit("15 d")?.workingHours == 120)
        #expect(TimeLimit("0 d") == .days(0))  // within the day of reception
        #expect(TimeLimit("0 h") == nil)
        #expect(TimeLimit("-1 d") == nil)
        #expect(TimeLimit("3 w") == nil)
        #expect(TimeLimit("d") == nil)
        #expect(TimeLimit("1.5 d") == nil)
    }

    @Test("holidays close a weekday, make-up days open a weekend day with Monday's hours")
    func periods() throws {
        let tet = try #require(LocalDate("2026-02-16"))
        let makeUp = try #require(LocalDate("2026-08-22"))
        let calendar = WorkingCalendar(days: [
            CalendarDay(date: tet, kind: .holiday, name: "Tết"),
            CalendarDay(date: makeUp, kind: .workday, name: "Làm bù"),
        ])
        #expect(!calendar.isWorkingDay(tet))
        #expect(calendar.isWorkingDay(tet.adding(days: 7)))
        #expect(calendar.periods(on: makeUp) == WorkingCalendar.defaultHours[.monday])
        #expect(!calendar.isWorkingDay(makeUp.adding(days: 1)))  // the Sunday after
        #expect(calendar.periods(on: try #require(LocalDate("2026-11-30"))).map(\.minutes).reduce(0, +) == 480)
    }

    @Test("overlapping or inverted working periods are refused")
    func invalidHours() throws {
        let period = { (start: String, end: String) in WorkingPeriod(start: TimeOfDay(start)!, end: TimeOfDay(end)!) }
        var validator = Validator()
        WorkingCalendar.validate(
            hours: [.monday: [period("07:30", "12:00"), period("11:00", "17:00")], .tuesday: [period("17:00", "08:00")]], into: &validator)
        #expect(validator.errors.map(\.field) == ["hours.monday[1]", "hours.tuesday[0]"])
        var empty = Validator()
        WorkingCalendar.validate(hours: [:], into: &empty)
        #expect(empty.errors.map(\.field) == ["hours"])
    }
}
