import Foundation
import Testing

@testable import ServiceDesk

/// A seeded, bounded fuzz of every parser that reads what the outside sends (SPEC §8): random
/// and mutated inputs never crash a parser, and what a parser accepts survives its own round trip.
/// Deterministic (a fixed seed per run), so a failure reproduces; `DESK_FUZZ_ITERATIONS` raises
/// the count on demand (CI runs the default).
@Suite("Fuzz: the parsers of outside input")
struct FuzzTests {
    static let iterations = ProcessInfo.processInfo.environment["DESK_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 3_000

    /// The library's seeded SplitMix64 (the demo seed uses it too): the same seed, the same inputs.
    typealias Generator = SeededGenerator

    static let alphabet = Array("0123456789 dhDH-:+.,;=&%[]\"'\\\n\r\tTZ/abcđĐếạ€\u{0}\u{FEFF}")

    /// A mutation of one of `seeds`: characters replaced, inserted, deleted or duplicated; now and
    /// then a wholly random string.
    static func input(from seeds: [String], _ random: inout Generator) -> String {
        if Int.random(in: 0..<10, using: &random) == 0 {
            return String((0..<Int.random(in: 0..<40, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
        }
        var characters = Array(seeds.randomElement(using: &random)!)
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let position = characters.isEmpty ? 0 : Int.random(in: 0..<characters.count, using: &random)
            switch Int.random(in: 0..<4, using: &random) {
            case 0 where !characters.isEmpty: characters[position] = alphabet.randomElement(using: &random)!
            case 1: characters.insert(alphabet.randomElement(using: &random)!, at: position)
            case 2 where !characters.isEmpty: characters.remove(at: position)
            default: characters.insert(contentsOf: characters.prefix(8), at: position)
            }
        }
        return String(characters)
    }

    @Test("time limits, dates, times of day and W3C datetimes: no crash; what parses formats back to itself")
    func scalars() {
        var random = Generator(state: 1)
        for _ in 0..<Self.iterations {
            if let limit = TimeLimit(Self.input(from: ["3 d", "4h", "0 d", "3650 d", "29200 h"], &random)) {
                #expect(TimeLimit(limit.description) == limit)
                _ = limit.workingMinutes(dayMinutes: 480)
            }
            if let date = LocalDate(Self.input(from: ["2026-12-07", "2028-02-29", "9999-12-31"], &random)) {
                #expect(LocalDate(date.description) == date)
                #expect(LocalDate(daysSinceEpoch: date.daysSinceEpoch) == date)
            }
            if let time = TimeOfDay(Self.input(from: ["07:30", "15:00", "23:59"], &random)) {
                #expect(TimeOfDay(time.description) == time)
            }
            _ = W3CDateTime.parse(Self.input(from: ["2026-11-01T00:00:00+07:00", "2026-11-01T00:00:00Z"], &random))
            _ = LocalClock(identifier: "Asia/Ho_Chi_Minh")!.instant(parsing: Self.input(from: ["2026-12-07 09:00"], &random))
        }
    }

    @Test("phone and id-number checks: no crash; an accepted phone normalises to itself")
    func identifiers() {
        var random = Generator(state: 2)
        for _ in 0..<Self.iterations {
            let phone = Self.input(from: ["0912345678", "+84912345678", "+33 1 23 45 67 89", "024.3825.1234"], &random)
            if case .success(let normalised) = Identifiers.normalise(phone: phone) {
                #expect(Identifiers.normalise(phone: normalised) == .success(normalised))
            }
            _ = Identifiers.problem(idNumber: Self.input(from: ["079190001234", "001099012345"], &random), currentYear: 2026)
        }
    }

    @Test("calendar and catalogue imports, Open311 form bodies: no crash on mutated files")
    func documents() {
        var random = Generator(state: 3)
        let ics = [String(Demo.holidaysICS.prefix(600))]
        let calendarCSV = ["date,kind,name\n2027-01-01,holiday,Tết Dương lịch\n2027-08-21,workday,Làm bù"]
        let catalogueCSV = ["code,name,kind,timeLimit,route\n1.001193,Khai sinh,procedure,1 d,mot-cua:2 h > tu-phap:6 h"]
        let forms = ["api_key=k&service_code=PA-HATANG&attribute%5Bloai%5D=den&lat=21.02&long=105.8", "a=%E1%BA%A1&b=+&c=%zz"]
        for _ in 0..<(Self.iterations / 3) {
            _ = CalendarImport.parseICS(Self.input(from: ics, &random))
            _ = CalendarImport.parseCSV(Self.input(from: calendarCSV, &random))
            _ = CatalogueImport.parseCSV(Self.input(from: catalogueCSV, &random))
            _ = CatalogueImport.parseJSON(Data(Self.input(from: [#"{"departments":[],"services":[{"code":"x"}]}"#], &random).utf8))
            if let parameters = Open311Parameters.formEncoded(Self.input(from: forms, &random)) {
                _ = try? Open311Submission.parse(parameters, uploads: [])
            }
        }
    }
}
