import Foundation
import Testing

@testable import ServiceDesk

/// Default hours (Mon–Fri 07:30–11:30, 13:30–17:00), Asia/Ho_Chi_Minh, cut-off 15:00, and the
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

    static func due(_ accepted: String, _ limit: String, time: WorkingTime = WorkingTimeTests.time) -> String {
        let start = time.countingStart(acceptedAt: at(accepted)).start
        return local(time.due(from: start, limit: TimeLimit(limit)!).due)
    }

    @Test(
        "counting start: at once within hours; after the break, before opening, after the cut-off, on rest days and holidays later",
        arguments: [
            ("2026-11-30 10:00", "2026-11-30 10:00"),  // Monday, within hours
            ("2026-11-30 12:10", "2026-11-30 13:30"),  // lunch break
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

    @Test(
        "N d counts whole working days to the same point of the day; from an opening, to the close of day N",
        arguments: [
            ("2026-11-30 10:00", "3 d", "2026-12-03 10:00"),  // Mon → Thu
            ("2026-12-04 10:00", "1 d", "2026-12-07 10:00"),  // Fri → Mon over the weekend
            ("2026-11-30 16:00", "1 d", "2026-12-01 17:00"),  // after the cut-off: all of Tuesday
            ("2026-11-30 16:00", "2 d", "2026-12-02 17:00"),
            ("2026-11-30 14:00", "15 d", "2026-12-21 14:00"),
            ("2026-02-13 10:00", "2 d", "2026-02-24 10:00"),  // across the week of Tết
            ("2026-08-21 10:00", "1 d", "2026-08-22 10:00"),  // the make-up Saturday counts
            ("2026-08-28 10:00", "1 d", "2026-09-03 10:00"),  // swapped Monday and National Day skipped
            ("2026-12-31 14:00", "1 d", "2027-01-04 14:00"),  // end of year: New Year and a weekend
            ("2026-04-24 09:00", "1 d", "2026-04-28 09:00"),  // Hùng Kings on Sunday, its Monday off
        ])
    func days(accepted: String, limit: String, expected: String) {
        #expect(Self.due(accepted, limit) == expected)
    }

    @Test(
        "N h walks working minutes, skipping breaks and nights; a walk ending at a break ends before it",
        arguments: [
            ("2026-11-30 10:00", "4 h", "2026-11-30 16:00"),
            ("2026-11-30 09:30", "2 h", "2026-11-30 11:30"),
            ("2026-11-30 16:00", "8 h", "2026-12-02 08:00"),  // from Tue 07:30: 7.5 h on Tuesday, 30 minutes on Wednesday
            ("2026-12-04 14:00", "4 h", "2026-12-07 08:30"),  // Fri 14:00–17:00, then Mon 07:30–08:30
            ("2026-11-30 12:00", "1 h", "2026-11-30 14:30"),  // accepted in the break
        ])
    func hours(accepted: String, limit: String, expected: String) {
        #expect(Self.due(accepted, limit) == expected)
    }

    @Test("the explanation lists the start and why, each day counted and each day skipped and why")
    func explanation() {
        let start = Self.time.countingStart(acceptedAt: Self.at("2026-08-28 16:20"))
        #expect(start.lines.first?.text.contains("after the 15:00 cut-off") == true)
        let computation = Self.time.due(from: start.start, limit: .days(2))
        let texts = (start.lines + computation.lines).map(\.text)
        #expect(texts.contains("2026-08-29 saturday: rest day"))
        #expect(texts.contains("2026-09-01 tuesday: holiday (Quốc khánh)"))
        #expect(texts.contains("2026-08-31 monday: holiday (Nghỉ hoán đổi (làm bù thứ Bảy 22/8))"))
        #expect(computation.lines.filter { $0.kind == .counted }.map(\.date.description) == ["2026-09-03", "2026-09-04"])
        #expect(Self.local(computation.due) == "2026-09-04 17:00")
        #expect(computation.lines.last?.kind == .due)
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
        #expect(Self.time.workingMinutes(from: Self.at("2026-11-30 10:00"), to: Self.at("2026-12-01 10:00")) == 450)
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
