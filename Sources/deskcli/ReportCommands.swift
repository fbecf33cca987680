import ArgumentParser
import Foundation
import ServiceDesk

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract:
            "Reports: handling-times, progress, backlog, waiting, satisfaction, staffing, revenue, staffing-plan, calls, feedback, online (see docs/reports.md and docs/hotline.md).",
        discussion: "Example: deskcli report progress --period 2026-Q4 --by department --format csv > progress.csv. "
            + "After a calendar correction: deskcli report replay-durations --database PATH.",
        subcommands: [Show.self, ReplayCommand.self], defaultSubcommand: Show.self)

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show a report (the default: deskcli report NAME …).")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "handling-times, progress, backlog, waiting, satisfaction, staffing, revenue, staffing-plan, calls or feedback")
        var name: String
        @Option(help: "A year (2026), a quarter (2026-Q4) or a month (2026-11).") var period: String?
        @Option(help: "First day, YYYY-MM-DD (with --to).") var from: String?
        @Option(help: "Last day, YYYY-MM-DD (inclusive).") var to: String?
        @Option(
            help:
                "none, department, service, channel, staff, day, week, month, quarter; waiting: counter, hour; staffing: hour, staff, employment."
        )
        var by: String?
        @Option var department: String?
        @Option var service: String?
        @Option var channel: String?
        @Option(help: "waiting, staffing, staffing-plan: the target wait in minutes (default 15).") var targetWait: Int?
        @Option(help: "staffing, staffing-plan: the share to call within the target (default 0.8).") var targetShare: Double?
        @Option(help: "staffing-plan: the projected growth of the work, e.g. 1.2 (default 1).") var growth: Double?
        @Flag(
            help:
                "Read every ticket instead of the day rollups (handling-times, progress, satisfaction, revenue, online; the same figures, slower)."
        )
        var exact = false
        @Option(help: "table, csv or json (default table; --json is the same as json).") var format = "table"

        func validate() throws {
            guard AppDatabase.ReportName(rawValue: name) != nil else {
                throw ValidationError("report must be one of \(AppDatabase.ReportName.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard ["table", "csv", "json"].contains(format) else { throw ValidationError("--format must be table, csv or json") }
        }

        func run() async throws {
            let client = try global.client()
            let query: [String: String?] = [
                "period": period, "from": from, "to": to, "by": by, "department": department, "service": service, "channel": channel,
                "targetWaitMinutes": targetWait.map(String.init), "targetShare": targetShare.map { String($0) },
                "growth": growth.map { String($0) }, "exact": exact ? "true" : nil,
            ]
            if format == "csv" {
                let data = try await client.call("GET", "api/v1/reports/\(name)", query: query, headers: ["Accept": "text/csv"])
                FileHandle.standardOutput.write(data)
                return
            }
            let data = try await client.call("GET", "api/v1/reports/\(name)", query: query)
            if global.json || format == "json" { return Output.json(data) }
            let table = try client.decode(ReportTable.self, from: data)
            if let period = table.period { print("\(table.report), \(period.from) to \(period.to), by \(table.groupBy)") }
            Output.table(table.columns, table.rows.map { row in table.columns.map { (row[$0] ?? .null).description } })
        }
    }
}
