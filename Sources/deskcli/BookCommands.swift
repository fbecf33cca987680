import ArgumentParser
import Foundation
import ServiceDesk

/// `deskcli book`: the tracking books (form 07, *Sổ theo dõi hồ sơ*), one per field and year.
struct BookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "book",
        abstract: "The tracking books (form 07): the year's books, or one field's book as a table, CSV or print-ready HTML.",
        discussion: """
            Without --field: the year's books (volume, field, entries). With --field: that field's book; --field "" is the \
            general book of services without a field. deskcli book --field "Hộ tịch" --html > so-ho-tich.html, then print it \
            (A4 landscape).
            """)
    @OptionGroup var global: GlobalOptions
    @Option(help: "The calendar year; default: the centre's present year.") var year: Int?
    @Option(help: "The field (lĩnh vực) as the services name it, e.g. 'Hộ tịch'.") var field: String?
    @Flag(help: "The book as CSV (UTF-8, for a spreadsheet).") var csv = false
    @Flag(help: "The book as print-ready HTML.") var html = false

    func validate() throws {
        if csv && html { throw ValidationError("give --csv or --html, not both") }
        if (csv || html) && field == nil { throw ValidationError("--csv and --html print one book: give its --field") }
    }

    func run() async throws {
        let client = try global.client()
        let query: [String: String?] = ["year": year.map(String.init), "field": field]
        guard field != nil else {
            let data = try await client.call("GET", "api/v1/tracking-books", query: query)
            if global.json { return Output.json(data) }
            let books = try client.decode([TrackingBook].self, from: data)
            if books.isEmpty { return print("no book opened in \(year.map(String.init) ?? "this year") yet") }
            Output.table(
                ["volume", "field", "entries"],
                books.map { [String($0.volume), $0.field.isEmpty ? "(general)" : $0.field, String($0.entries)] })
            return
        }
        if csv || html {
            let data = try await client.call(
                "GET", "api/v1/tracking-book", query: query, headers: ["Accept": csv ? "text/csv" : "text/html"])
            return FileHandle.standardOutput.write(data)
        }
        let data = try await client.call("GET", "api/v1/tracking-book", query: query)
        if global.json { return Output.json(data) }
        let table = try client.decode(ReportTable.self, from: data)
        let columns = ["entry", "code", "service", "applicant", "received", "appointment", "returned"]
        Output.table(columns, table.rows.map { row in columns.map { row[$0]?.description ?? "" } })
    }
}
