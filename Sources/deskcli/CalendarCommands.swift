import ArgumentParser
import Foundation
import ServiceDesk

struct CalendarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar", abstract: "Working hours, public holidays and make-up working days.",
        subcommands: [Show.self, Hours.self, Holiday.self, Import.self, Due.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show working hours and dated days.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only the dated days of this year.") var year: Int?

        func run() async throws {
            let client = try global.client()
            let data = try await client.call("GET", "api/v1/calendar")
            if global.json { return Output.json(data) }
            let overview = try client.decode(CalendarOverview.self, from: data)
            let calendar = overview.calendar
            for warning in overview.warnings { print("warning: \(warning)") }
            CalendarCommand.printHours(calendar)
            print("")
            let days = calendar.days.filter { year == nil || $0.date.year == year }
            Output.table(
                ["date", "weekday", "kind", "name"],
                days.map { [$0.date.description, $0.date.weekday.rawValue, $0.kind.rawValue, $0.name] })
        }
    }

    struct Due: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What a ticket received at a moment would get: counting start, due moment, appointment date, and why.",
            discussion: "Example: deskcli calendar due --from '2026-12-07 15:30' --limit '3 d' (local time; or RFC 3339).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "When it is received: 'YYYY-MM-DD HH:MM' in the centre's time, or an RFC 3339 timestamp.") var from: String
        @Option(help: "'N d' or 'N h'; without it, the service's time limit.") var limit: String?
        @Option(help: "A service code: its cut-off setting (and time limit, without --limit) apply.") var service: String?
        @Option(help: "The channel (counter, post, web, …); the cut-off applies to paper channels only.") var channel: String?

        func run() async throws {
            let query = ["from": from, "limit": limit, "service": service, "channel": channel]
            let client = try global.client()
            let data = try await client.call("GET", "api/v1/calendar/due", query: query)
            if global.json { return Output.json(data) }
            let answer = try client.decode(DueAnswer.self, from: data)
            for warning in answer.warnings { print("warning: \(warning)") }
            Output.fields([
                ("limit", answer.limit.description), ("cut-off", answer.cutoffApplied ? "applied" : "not applied"),
                ("counting start", answer.countingStartLocal), ("due", answer.dueLocal),
                ("appointment date", answer.appointmentDate.description),
            ])
            print("")
            for line in answer.lines { print("  \(line.text)") }
        }
    }

    struct Hours: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or set the weekly working hours.",
            discussion:
                "Example: deskcli calendar hours --day saturday=07:30-11:30 --day friday=07:30-11:30,13:30-16:30 (an empty list makes a rest day)."
        )
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("day"), help: "WEEKDAY=HH:MM-HH:MM[,HH:MM-HH:MM…]; repeat for several days.") var days: [String] = []

        func run() async throws {
            let client = try global.client()
            var calendar = try client.decode(WorkingCalendar.self, from: try await client.call("GET", "api/v1/calendar"))
            if !days.isEmpty {
                for setting in days {
                    let parts = setting.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    guard parts.count == 2, let weekday = Weekday(rawValue: parts[0].lowercased()) else {
                        throw ValidationError("--day must be WEEKDAY=HH:MM-HH:MM,… (monday … sunday), not '\(setting)'")
                    }
                    calendar.hours[weekday] = try parts[1].split(separator: ",").map { period in
                        let times = period.split(separator: "-").map { TimeOfDay(String($0).trimmingCharacters(in: .whitespaces)) }
                        guard times.count == 2, let start = times[0], let end = times[1] else {
                            throw ValidationError("'\(period)' must be HH:MM-HH:MM")
                        }
                        return WorkingPeriod(start: start, end: end)
                    }
                }
                let data = try await client.call("PUT", "api/v1/calendar", json: CalendarUpdate(hours: calendar.hours))
                calendar = try client.decode(WorkingCalendar.self, from: data)
                if global.json { return Output.json(data) }
            } else if global.json {
                return Output.json(try APIClient.encoder.encode(calendar.hours))
            }
            CalendarCommand.printHours(calendar)
        }
    }

    struct Holiday: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add or remove a public holiday or make-up working day.", subcommands: [Add.self, Remove.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Add a dated day (a holiday, or a make-up working day with --workday).")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "YYYY-MM-DD") var date: String
            @Argument(help: "Name, e.g. \"Quốc khánh\".") var name: String
            @Flag(help: "A make-up working day (ngày làm bù) instead of a holiday.") var workday = false

            func run() async throws {
                guard let date = LocalDate(date) else { throw ValidationError("date must be YYYY-MM-DD") }
                let client = try global.client()
                let day = CalendarDay(date: date, kind: workday ? .workday : .holiday, name: name)
                let data = try await client.call("POST", "api/v1/calendar/days", json: day)
                if global.json { return Output.json(data) }
                print("added \(day.kind.rawValue) \(day.date) (\(day.date.weekday.rawValue)): \(day.name)")
            }
        }

        struct Remove: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Remove a dated day.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "YYYY-MM-DD") var date: String

            func run() async throws {
                guard let date = LocalDate(date) else { throw ValidationError("date must be YYYY-MM-DD") }
                try await global.client().call("DELETE", "api/v1/calendar/days/\(date)")
                if !global.json { print("removed \(date)") }
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import holidays and make-up days from an iCalendar (.ics) or CSV (date,kind,name) file.",
            discussion: "Days already in the calendar are reported and skipped. Exit code 1 if any entry failed.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "A .ics or .csv file.") var file: String
        @Flag(help: "Only read the file and show what would be added.") var dryRun = false

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
            let text = String(decoding: data, as: UTF8.self)
            let parsed = file.lowercased().hasSuffix(".csv") ? CalendarImport.parseCSV(text) : CalendarImport.parseICS(text)
            var report = ImportReport()
            for issue in parsed.issues { report.failed(issue.location, issue.message) }
            let client = dryRun ? nil : try global.client()
            for day in parsed.days {
                let label = "\(day.date) \(day.kind.rawValue) \(day.name)"
                guard let client else {
                    report.created(label)
                    continue
                }
                let answer = try await client.send("POST", "api/v1/calendar/days", body: try APIClient.encoder.encode(day))
                switch answer.status {
                case 201: report.created(label)
                case 409: report.skipped(label, "already in the calendar")
                default: report.failed(day.date.description, APIClient.problemText(answer))
                }
            }
            try report.finish(json: global.json, dryRun: dryRun)
        }
    }

    static func printHours(_ calendar: WorkingCalendar) {
        Output.table(
            ["weekday", "working hours"],
            Weekday.allCases.map { weekday in
                let periods = calendar.hours[weekday] ?? []
                return [weekday.rawValue, periods.isEmpty ? "rest day" : periods.map { "\($0.start)–\($0.end)" }.joined(separator: ", ")]
            })
    }
}

/// The per-entry outcome of an import, printed as one line per entry and a summary.
struct ImportReport {
    struct Line: Encodable {
        var entry: String
        var outcome: String
        var message: String?
    }

    var lines: [Line] = []

    mutating func created(_ entry: String) { lines.append(Line(entry: entry, outcome: "created")) }
    mutating func updated(_ entry: String) { lines.append(Line(entry: entry, outcome: "updated")) }
    mutating func skipped(_ entry: String, _ why: String) { lines.append(Line(entry: entry, outcome: "skipped", message: why)) }
    mutating func failed(_ entry: String, _ why: String) { lines.append(Line(entry: entry, outcome: "failed", message: why)) }

    func count(_ outcome: String) -> Int { lines.filter { $0.outcome == outcome }.count }

    func finish(json: Bool, dryRun: Bool) throws {
        if json {
            Output.json(try APIClient.encoder.encode(lines))
        } else {
            for line in lines {
                let verb = dryRun && line.outcome == "created" ? "would add" : line.outcome
                print("\(verb): \(line.entry)" + (line.message.map { " — \($0)" } ?? ""))
            }
            print(
                "\(dryRun ? "would create" : "created") \(count("created")), updated \(count("updated")), skipped \(count("skipped")), failed \(count("failed"))"
            )
        }
        if count("failed") > 0 { throw CLIFailure("\(count("failed")) entr\(count("failed") == 1 ? "y" : "ies") failed") }
    }
}
