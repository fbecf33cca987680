import Foundation
import Testing

@testable import ServiceDesk

/// Default hours (Mon–Fri 07:30–11:30, 13:00–17:00), Asia/Ho_Chi_Minh, cut-off 15:00, and the
/// example 2026 holidays plus New Year 2027.
@Suite("Working time: counting start, due moments, explanations")
struct WorkingTimeTests {
    static let clock = LocalClock(identifier: "Asia/Ho_Chi_Minh")!
    static let calendar: WorkingCalendar = {
        var days = CalendarImport.parseICS(Demo.holidaysICS).days
        days.append(CalendarDay(date: LocalDate("2027-01-01")!, kind: .holiday, name: "Tết Dương lịch"))
        return WorkingCalendar(days: days)
    }()
    static let time = WorkingTime(calendar: calendar, clock: clock, cutoff: TimeOfDay("15:00")!)

    static func at(_ text: String) -> Date {
        let parts = text.split(separator: " ")
        let date = LocalDate(String(parts[0]))!
        let time = TimeOfDay(String(parts[1]))!
        return clock.instant(date, minute: time.minutes)
    }

    static func local(_ date: Date) -> String { clock.describe(date) }

    static func due(_ accepted: String, _ limit: String, cutoff: Bool = true, time: WorkingTime = WorkingTimeTests.time) -> String {
        local(Reception.due(receivedAt: at(accepted), limit: TimeLimit(limit)!, cutoff: cutoff, time: time).due)
    }

    @Test(
        "counting start: at once within hours; after the break, before opening, after the cut-off, on rest days and holidays later",
        arguments: [
            ("2026-11-30 10:00", "2026-11-30 10:00"),  // Monday, within hours
            ("2026-11-30 12:10", "2026-11-30 13:00"),  // lunch break
            ("2026-11-30 06:45", "2026-11-30 07:30"),  // before opening
            ("2026-11-30 14:59", "2026-11-30 14:59"),  // just before the cut-off
            ("2026-11-30 15:00", "2026-12-01 07:30"),  // at the cut-off
            ("2026-11-30 16:30", "2026-12-01 07:30"),  // after the cut-off
            ("2026-12-04 15:30", "2026-12-07 07:30"),  // Friday after the cut-off → Monday
            ("2026-12-05 09:00", "2026-12-07 07:30"),  // Saturday
            ("2026-02-13 16:00", "2026-02-23 07:30"),  // Friday before Tết → after Tết
            ("2026-08-21 16:00", "2026-08-22 07:30"),  // Friday → the make-up Saturday
        ])
    func countingStart(accepted: String, expected: String) {
        #expect(Self.local(Self.time.countingStart(acceptedAt: Self.at(accepted)).start) == expected)
    }

    @Test("without the cut-off, a reception within working hours counts at once; after the close, from the next opening")
    func countingStartWithoutCutoff() {
        #expect(Self.local(Self.time.countingStart(acceptedAt: Self.at("2026-11-30 16:00"), cutoff: false).start) == "2026-11-30 16:00")
        #expect(Self.local(Self.time.countingStart(acceptedAt: Self.at("2026-11-30 17:30"), cutoff: false).start) == "2026-12-01 07:30")
    }

    /// SPEC §3 and Civil Code art. 147(1): the day of reception is never one of the N days; the
    /// appointment is on the Nth working day after it, at the same time of day (the opening when
    /// reception was at or before it).
    @Test(
        "N d: the Nth working day after the day of reception, at the time of day counting started",
        arguments: [
            ("Civil Code art. 147(1): Mon 09:00 + 3 d → Thu 09:00", "2026-11-30 09:00", "3 d", true, "2026-12-03 09:00"),
            ("at the opening: Mon 07:30 + 3 d → Thu 07:30", "2026-11-30 07:30", "3 d", true, "2026-12-03 07:30"),
            ("before the opening: Mon 06:30 + 3 d → Thu 07:30", "2026-11-30 06:30", "3 d", true, "2026-12-03 07:30"),
            ("online on Sunday night: received Monday → Thu 07:30", "2026-11-29 22:00", "3 d", false, "2026-12-03 07:30"),
            ("Decree 61/2018 art. 18: Mon 15:30 after the cut-off + 3 d → Fri 07:30", "2026-11-30 15:30", "3 d", true, "2026-12-04 07:30"),
            ("no cut-off: Mon 15:30 + 3 d → Thu 15:30", "2026-11-30 15:30", "3 d", false, "2026-12-03 15:30"),
            ("over the weekend: Fri 10:00 + 1 d → Mon 10:00", "2026-12-04 10:00", "1 d", true, "2026-12-07 10:00"),
            ("in the break: Mon 12:10 + 1 d → Tue 13:00", "2026-11-30 12:10", "1 d", true, "2026-12-01 13:00"),
            ("after the cut-off: Mon 16:00 + 1 d → Wed 07:30", "2026-11-30 16:00", "1 d", true, "2026-12-02 07:30"),
            ("15 d over three weekends", "2026-11-30 14:00", "15 d", true, "2026-12-21 14:00"),
            ("across the week of Tết", "2026-02-13 10:00", "2 d", true, "2026-02-24 10:00"),
            ("the make-up Saturday counts", "2026-08-21 10:00", "1 d", true, "2026-08-22 10:00"),
            ("the swapped Monday and National Day are skipped", "2026-08-28 10:00", "1 d", true, "2026-09-03 10:00"),
            ("New Year and a weekend", "2026-12-31 14:00", "1 d", true, "2027-01-04 14:00"),
            ("Hùng Kings day on a Sunday, its Monday off", "2026-04-24 09:00", "1 d", true, "2026-04-28 09:00"),
            ("0 d: within the day of reception, by its close", "2026-11-30 10:00", "0 d", false, "2026-11-30 17:00"),
            ("0 d after the close: the next working day's close", "2026-11-30 17:30", "0 d", false, "2026-12-01 17:00"),
        ])
    func days(_ name: String, accepted: String, limit: String, cutoff: Bool, expected: String) {
        #expect(Self.due(accepted, limit, cutoff: cutoff) == expected, "\(name)")
    }

    @Test(
        "N h walks working minutes, skipping breaks and nights; a walk ending at a boundary ends at the close it reached",
        arguments: [
            ("2026-11-30 10:00", "4 h", "2026-11-30 15:30"),  // 10:00–11:30, 13:00–15:30
            ("2026-11-30 09:30", "2 h", "2026-11-30 11:30"),
            ("2026-11-30 13:00", "4 h", "2026-11-30 17:00"),  // urgent feedback at 13:00: by the close, not "07:30 tomorrow"
            ("2026-12-04 14:00", "4 h", "2026-12-07 08:30"),  // Fri 14:00–17:00, then Mon 07:30–08:30
            ("2026-11-30 12:00", "1 h", "2026-11-30 14:00"),  // received in the break
        ])
    func hours(accepted: String, limit: String, expected: String) {
        #expect(Self.due(accepted, limit, cutoff: false) == expected)
    }

    /// SPEC §3: one working day is 8 working hours, and the default opening hours make 8.
    @Test(
        "8 h and 1 d from the same moment give the same due moment",
        arguments: ["2026-11-30 09:00", "2026-11-30 10:17", "2026-11-30 14:59", "2026-12-04 16:00", "2026-08-21 13:30"])
    func eightHoursIsOneDay(accepted: String) {
        #expect(Self.due(accepted, "8 h", cutoff: false) == Self.due(accepted, "1 d", cutoff: false))
        #expect(Self.due(accepted, "24 h", cutoff: false) == Self.due(accepted, "3 d", cutoff: false))
    }

    @Test("from an opening, 8 h ends at that day's close and 1 d at the next opening: the same instant in working time")
    func eightHoursAtTheOpening() {
        let hours = Self.at("2026-11-30 17:00")
        let day = Self.at("2026-12-01 07:30")
        #expect(Self.due("2026-11-30 07:30", "8 h", cutoff: false) == Self.local(hours))
        #expect(Self.due("2026-11-30 07:30", "1 d", cutoff: false) == Self.local(day))
        #expect(Self.time.workingMinutes(from: hours, to: day) == 0)
    }

    @Test("the explanation lists the start and why, the day of reception, each day counted and each day skipped and why")
    func explanation() {
        let computation = Reception.due(receivedAt: Self.at("2026-08-28 16:20"), limit: .days(2), cutoff: true, time: Self.time)
        let texts = computation.lines.map(\.text)
        #expect(computation.lines.first?.text.contains("after the 15:00 cut-off") == true)
        #expect(texts.contains("2026-08-29 saturday: rest day"))
        #expect(texts.contains("2026-09-01 tuesday: holiday (Quốc khánh)"))
        #expect(texts.contains("2026-08-31 monday: holiday (Nghỉ hoán đổi (làm bù thứ Bảy 22/8))"))
        #expect(texts.contains { $0.hasPrefix("2026-09-03 thursday: the day of reception, not one of the 2 day(s)") })
        #expect(computation.lines.filter { $0.kind == .counted }.map(\.date.description) == ["2026-09-04", "2026-09-07"])
        #expect(Self.local(computation.due) == "2026-09-07 07:30")
        #expect(computation.lines.last?.kind == .due)
        #expect(computation.warnings.isEmpty)
    }

    @Test("a year whose calendar was never loaded: the fixed-date holidays of Labour Code art. 112 still count, and it is said")
    func unloadedYear() throws {
        // Only 2026 loaded: 1 January 2027 (a Friday) is known without an import.
        let time = WorkingTime(
            calendar: WorkingCalendar(days: CalendarImport.parseICS(Demo.holidaysICS).days), clock: Self.clock, cutoff: TimeOfDay("15:00")!)
        let computation = Reception.due(receivedAt: Self.at("2026-12-31 14:00"), limit: .days(1), cutoff: true, time: time)
        #expect(Self.local(computation.due) == "2027-01-04 14:00")
        #expect(computation.warnings == [WorkingCalendar.notLoaded(2027)])
        #expect(computation.lines.contains { $0.kind == .warning && $0.text.contains("2027") })
        #expect(computation.lines.contains { $0.text.contains("2027-01-01 friday: holiday (Tết Dương lịch") })
        // Within the loaded year nothing is said.
        #expect(Reception.due(receivedAt: Self.at("2026-12-01 09:00"), limit: .days(3), cutoff: true, time: time).warnings.isEmpty)
    }

    @Test("the quiet working time gives every moment and warning the explaining one gives, without the lines")
    func quiet() {
        // Only 2026 loaded, so walks into 2027 warn; receptions over the whole year, at any minute.
        let time = WorkingTime(
            calendar: WorkingCalendar(days: CalendarImport.parseICS(Demo.holidaysICS).days), clock: Self.clock, cutoff: TimeOfDay("15:00")!)
        let quiet = time.quiet
        #expect(time.explains && !quiet.explains)
        var random = SeededGenerator(state: 61)
        let start = Self.at("2026-01-01 00:00")
        let limits: [TimeLimit] = [.days(0), .days(1), .days(3), .days(15), .days(45), .hours(1), .hours(4), .hours(8), .hours(40)]
        for _ in 0..<3_000 {
            let received = start.addingTimeInterval(Double(Int.random(in: 0..<(366 * 1_440), using: &random) * 60))
            let limit = limits.randomElement(using: &random)!
            let cutoff = Bool.random(using: &random)
            let said = Reception.due(receivedAt: received, limit: limit, cutoff: cutoff, time: time)
            let kept = Reception.due(receivedAt: received, limit: limit, cutoff: cutoff, time: quiet)
            #expect(kept.due == said.due, "\(Self.local(received)) \(limit)")
            #expect(kept.countingStart == said.countingStart)
            #expect(kept.warnings == said.warnings)
            #expect(kept.lines.isEmpty && !said.lines.isEmpty)
            let minutes = Int.random(in: 1...3_000, using: &random)
            #expect(quiet.walk(minutes: minutes, from: received).due == time.walk(minutes: minutes, from: received).due)
            #expect(
                quiet.countingStart(acceptedAt: received, cutoff: cutoff).start
                    == time.countingStart(acceptedAt: received, cutoff: cutoff).start)
        }
    }

    @Test("fixed-date holidays with the day off in lieu of one on a rest day (Labour Code art. 111(3), 112)")
    func fixedHolidays() {
        let days = FixedHolidays.days(of: 2028, calendar: WorkingCalendar()).map(\.date.description)
        // 1/1 is a Saturday (Monday 3/1 off), 30/4 a Sunday (1/5 is itself a holiday: Tuesday 2/5 off), 2/9 a Saturday.
        #expect(days == ["2028-01-01", "2028-01-03", "2028-04-30", "2028-05-01", "2028-05-02", "2028-09-02", "2028-09-04"])
        #expect(
            FixedHolidays.days(of: 2027, calendar: WorkingCalendar()).map(\.date.description) == [
                "2027-01-01", "2027-04-30", "2027-05-01", "2027-05-03", "2027-09-02",
            ])
    }

    @Test("the calendar warns of the current year, and from 1 November of the next one, when never loaded")
    func calendarWarnings() {
        let calendar = WorkingCalendar(days: CalendarImport.parseICS(Demo.holidaysICS).days)
        #expect(calendar.warnings(today: LocalDate("2026-10-31")!).isEmpty)
        #expect(calendar.warnings(today: LocalDate("2026-11-01")!) == [WorkingCalendar.notLoaded(2027)])
        #expect(WorkingCalendar().warnings(today: LocalDate("2026-03-01")!) == [WorkingCalendar.notLoaded(2026)])
    }

    @Test("an apology's latest day is the working day before the due date, over weekends and holidays")
    func apologyDay() {
        #expect(Self.time.workingDay(1, before: LocalDate("2026-12-04")!).description == "2026-12-03")
        #expect(Self.time.workingDay(1, before: LocalDate("2026-12-07")!).description == "2026-12-04")  // Monday → Friday
        #expect(Self.time.workingDay(1, before: LocalDate("2026-09-03")!).description == "2026-08-28")  // over National Day
        #expect(Self.time.workingDay(0, before: LocalDate("2026-12-04")!).description == "2026-12-04")
    }

    @Test("a holiday added after intake moves the recomputed due date; the stored one is what was promised")
    func replay() {
        let stored = Self.due("2026-11-30 10:00", "3 d")
        var calendar = Self.calendar
        calendar.days.append(CalendarDay(date: LocalDate("2026-12-02")!, kind: .holiday, name: "Late holiday"))
        calendar.days.sort { $0.date < $1.date }
        let corrected = WorkingTime(calendar: calendar, clock: Self.clock, cutoff: TimeOfDay("15:00")!)
        #expect(stored == "2026-12-03 10:00")
        #expect(Self.due("2026-11-30 10:00", "3 d", time: corrected) == "2026-12-04 10:00")
    }

    @Test("working minutes between instants count only working periods")
    func workingMinutes() {
        #expect(Self.time.workingMinutes(from: Self.at("2026-11-30 10:00"), to: Self.at("2026-12-01 10:00")) == 480)
        #expect(Self.time.workingMinutes(from: Self.at("2026-12-04 16:00"), to: Self.at("2026-12-07 08:00")) == 90)
        #expect(Self.time.workingMinutes(from: Self.at("2026-12-01 10:00"), to: Self.at("2026-11-30 10:00")) == 0)
        #expect(Self.time.workingMinutes(from: Self.at("2026-02-13 17:00"), to: Self.at("2026-02-23 07:30")) == 0)
    }

    @Test("early, on time and late are judged by local date")
    func grades() {
        let due = Self.at("2026-12-03 10:00")
        #expect(Self.time.grade(finishedAt: Self.at("2026-12-02 16:59"), dueAt: due) == .early)
        #expect(Self.time.grade(finishedAt: Self.at("2026-12-03 16:59"), dueAt: due) == .onTime)
        #expect(Self.time.grade(finishedAt: Self.at("2026-12-04 07:31"), dueAt: due) == .late)
        // 23:30 UTC on the 2nd is already the 3rd in Hà Nội.
        let utcLate = Date(timeIntervalSince1970: Self.at("2026-12-03 06:30").timeIntervalSince1970)
        #expect(Self.time.grade(finishedAt: utcLate, dueAt: due) == .onTime)
    }

    @Test("local conversion round-trips, in a zone without DST and across a DST change")
    func timeZones() throws {
        for identifier in ["Asia/Ho_Chi_Minh", "Europe/Berlin", "UTC"] {
            let clock = try #require(LocalClock(identifier: identifier))
            for text in ["2026-03-29 10:00", "2026-10-25 10:00", "2026-12-31 23:59", "2027-01-01 00:00"] {
                let parts = text.split(separator: " ")
                let date = LocalDate(String(parts[0]))!
                let minute = TimeOfDay(String(parts[1]))!.minutes
                let local = clock.local(clock.instant(date, minute: minute))
                #expect(local.date == date && local.minute == minute, "\(identifier) \(text)")
            }
        }
        #expect(Self.clock.instant(LocalDate("2026-01-01")!, minute: 0).timeIntervalSince1970 == 1_767_200_400)
    }
}
