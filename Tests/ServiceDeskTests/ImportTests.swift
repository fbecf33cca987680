import Foundation
import Testing

@testable import ServiceDesk

@Suite("Calendar and catalogue import")
struct ImportTests {
    @Test("the example 2026 calendar: multi-day Tết, the swapped day and the make-up Saturday")
    func exampleICS() {
        let result = CalendarImport.parseICS(Demo.holidaysICS)
        #expect(result.issues.isEmpty)
        #expect(result.days.count == 14)
        #expect(
            result.days.filter { $0.name == "Tết Nguyên đán Bính Ngọ" }.map(\.date.description) == [
                "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20",
            ])
        #expect(result.days.filter { $0.kind == .workday }.map(\.date.description) == ["2026-08-22"])
    }

    @Test("folded lines, CRLF endings and escapes are read; RRULE and bad dates are reported with their place")
    func icsDetails() {
        let text = [
            "BEGIN:VCALENDAR", "BEGIN:VEVENT", "DTSTART;VALUE=DATE:20270101", "SUMMARY:Tết Dương", "  lịch\\, 2027", "END:VEVENT",
            "BEGIN:VEVENT", "DTSTART;VALUE=DATE:20260430", "RRULE:FREQ=YEARLY", "SUMMARY:Every year", "END:VEVENT",
            "BEGIN:VEVENT", "DTSTART:2026-99-01", "SUMMARY:Bad", "END:VEVENT", "END:VCALENDAR",
        ].joined(separator: "\r\n")
        let result = CalendarImport.parseICS(text)
        #expect(result.days == [CalendarDay(date: LocalDate("2027-01-01")!, kind: .holiday, name: "Tết Dương lịch, 2027")])
        #expect(result.issues.map(\.location) == ["event at line 7", "event at line 12"])
        #expect(CalendarImport.parseICS("date,kind,name").issues.count == 1)
    }

    @Test("CSV calendars: holiday by default, each bad row reported")
    func calendarCSV() {
        let result = CalendarImport.parseCSV(
            "date,kind,name\n2027-01-01,,Tết Dương lịch\n2027-02-30,holiday,Bad\n2027-03-06,workday,Làm bù\n2027-03-07,vacation,X\n")
        #expect(result.days.map(\.kind) == [.holiday, .workday])
        #expect(result.issues.map(\.location) == ["row 3", "row 5"])
    }

    @Test("catalogue CSV: routes with allowances, charges, and a per-row report of malformed cells")
    func catalogueCSV() throws {
        let text = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("examples/services.csv"), encoding: .utf8)
        let result = CatalogueImport.parseCSV(text)
        #expect(result.issues.isEmpty)
        #expect(result.services.count == 4)
        let land = try #require(result.services.first { $0.draft.code == "1.004227" }).draft
        #expect(land.route?.map(\.department) == ["mot-cua", "dat-dai", "so-nnmt", "mot-cua"])
        #expect(land.route?.map(\.allowance) == ["1 d", "10 d", "8 d", "1 d"])
        #expect(land.charges?.map(\.amount) == [100_000, 500_000])
        let bad = CatalogueImport.parseCSV("code,name,kind,timeLimit,route,charges,decidingStep\nA,B,procedure,1 d,x,le-phi:abc,one\n")
        #expect(
            bad.issues.map(\.message) == [
                "charges: 'le-phi:abc' must be kind:amount[:remittance], e.g. le-phi:50000",
                "decidingStep: must be a step number (0 for the first step)",
            ])
        #expect(bad.issues.allSatisfy { $0.location == "row 2 (A)" })
        #expect(CatalogueImport.parseCSV("code,name\n").issues.first?.message == "the header lacks the column(s) kind, timeLimit, route")
    }

    @Test("the example catalogue loads cleanly in administrative-body mode")
    func exampleCatalogue() async throws {
        let database = try AppDatabase.inMemory()
        _ = try database.bootstrap()
        let summary = try await Demo.load(into: database, actor: "admin")
        #expect(summary.departments == 7 && summary.services == 7 && summary.days == 14)
        #expect(try database.verifyEventChain().intact)
    }
}
