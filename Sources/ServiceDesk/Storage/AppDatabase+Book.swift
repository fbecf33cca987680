import Foundation
import GRDB

/// A tracking book of a year: its field (*lĩnh vực*; empty for the general book of services
/// without one), its volume number and how many dossiers it holds.
public struct TrackingBook: Codable, Equatable, Sendable {
    public var year: Int
    public var field: String
    public var volume: Int
    public var entries: Int
}

/// A dossier's place in its tracking book, printed on its receipt (form 01).
public struct BookPlace: Codable, Equatable, Sendable {
    public var year: Int
    public var field: String
    public var volume: Int
    public var entry: Int
}

extension AppDatabase {
    /// The roles that keep and read the tracking books: the counter and those above it.
    public static let bookReaders: [Role] = [.officer, .supervisor, .admin]

    /// The centre's present calendar year, the books' default.
    public func currentYear() async throws -> Int {
        let now = clock()
        return try await read { db in try self.workingTime(db).1.clock.local(now).date.year }
    }

    /// The books of a year, by volume.
    public func trackingBooks(year: Int) async throws -> [TrackingBook] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT year, field, volume, last FROM book WHERE year = ? ORDER BY volume", arguments: [year]).map {
                TrackingBook(year: $0["year"], field: $0["field"], volume: $0["volume"], entries: $0["last"])
            }
        }
    }

    static func bookPlace(_ db: any SQLSession, ticket: String) throws -> BookPlace? {
        try db.fetchRow(
            sql: """
                SELECT e.year, e.field, b.volume, e.number FROM book_entry e JOIN book b ON b.year = e.year AND b.field = e.field
                WHERE e.ticket = ?
                """, arguments: [ticket]
        ).map { BookPlace(year: $0["year"], field: $0["field"], volume: $0["volume"], entry: $0["number"]) }
    }

    /// A field's tracking book of a year (form 07, Circular 03/2025/TT-VPCP; columns as in
    /// Circular 01/2018/TT-VPCP's form 06): one row per accepted dossier, in entry order. 404 for
    /// a book that was never opened.
    public func trackingBook(year: Int, field: String) async throws -> ReportTable {
        try await read { db in try self.book(db, year: year, field: field).table }
    }

    /// The book as print-ready HTML (A4 landscape), with a column for the citizen's signature.
    public func trackingBookHTML(year: Int, field: String) async throws -> String {
        try await read { db in
            let (table, volume, centre, clock) = try self.book(db, year: year, field: field)
            let rows = table.rows.map { row -> [String: Any] in
                var values: [String: Any] = [:]
                for (key, value) in row where value != .null { values[key] = value.description }
                // Moments as the paper writes them, `13:20 30/11/2026`.
                for key in ["received", "appointment", "returned"] {
                    if let text = values[key] as? String, let instant = clock.instant(parsing: text) {
                        values[key] = FormText.shortMoment(instant, clock)
                    }
                }
                if case .int(let entry) = row["entry"] { values["entry"] = FormText.two(entry) }
                return values
            }
            var values: [String: Any] = [
                "title": FormRenderer.trackingBookTitle, "paper": "A4 landscape", "code": "\(year)",
                "centreName": centre.name.uppercased(with: Locale(identifier: "vi_VN")), "centreTitle": centre.name,
                "year": year, "field": field.isEmpty ? "Chung (các thủ tục chưa xếp lĩnh vực)" : field, "volume": FormText.two(volume),
                "entries": rows, "hasEntries": !rows.isEmpty, "dateLine": "\(centre.place ?? "……………"), năm \(year)",
            ]
            if let body = centre.issuingBody { values["issuingBody"] = body }
            return try FormRenderer.render(template: "07", values)
        }
    }

    func book(_ db: any SQLSession, year: Int, field: String) throws -> (table: ReportTable, volume: Int, centre: Centre, clock: LocalClock)
    {
        // Cleaned as the services' fields are (trimmed, NFC): text typed with combining marks finds its book.
        let field = Text.clean(field)
        guard let volume = try Int.fetchOne(db, sql: "SELECT volume FROM book WHERE year = ? AND field = ?", arguments: [year, field])
        else {
            throw DeskError.notFound(entity: "tracking book", id: "\(year) \(field.isEmpty ? "(general)" : field)")
        }
        let (centre, time) = try self.workingTime(db)
        let clock = time.clock
        let names = try Self.departmentNames(db)
        var services: [String: Service] = [:]
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT e.number, t.*, s.name AS service_name, a.name AS applicant_name, a.address AS applicant_address,
                a.phone AS applicant_phone FROM book_entry e JOIN ticket t ON t.code = e.ticket
                JOIN service s ON s.code = t.service JOIN applicant a ON a.id = t.applicant
                WHERE e.year = ? AND e.field = ? ORDER BY e.number
                """,
            arguments: [year, field])
        let lines = rows.map { row -> [String: ReportValue] in
            let ticket = Ticket(row: row)
            if services[ticket.service] == nil { services[ticket.service] = try? Self.service(db, ticket.service) }
            // The lead body (cơ quan chủ trì): the deciding step's department, else the route's last.
            let route = services[ticket.service]?.route ?? []
            let lead = services[ticket.service]?.decidingStep.flatMap { route.indices.contains($0) ? route[$0] : nil } ?? route.last
            let address = (row["applicant_address"] as String?) ?? (row["applicant_phone"] as String?).map(FormText.phone)
            return [
                "entry": .int(row["number"]), "code": .text(ticket.code), "service": .text(row["service_name"]),
                "applicant": .text(row["applicant_name"]), "addressOrPhone": address.map(ReportValue.text) ?? .null,
                "leadBody": lead.map { .text(names[$0.department] ?? $0.department) } ?? .null,
                "received": .text(clock.describe(ticket.receivedAt)),
                "appointment": (ticket.revisedDueAt ?? ticket.dueAt).map { .text(clock.describe($0)) } ?? .null,
                "returned": ticket.returnedAt.map { .text(clock.describe($0)) } ?? .null,
                // Results are handed back by the counter's `return` action; an electronic result
                // arrives with online dossiers.
                "delivery": ticket.returnedAt == nil ? .null : .text("Trực tiếp tại Bộ phận Tiếp nhận và Trả kết quả"),
            ]
        }
        let table = ReportTable(
            report: "tracking-book", period: nil, groupBy: "entry",
            columns: [
                "entry", "code", "service", "applicant", "addressOrPhone", "leadBody", "received", "appointment", "returned", "delivery",
            ],
            rows: lines)
        return (table, volume, centre, clock)
    }
}
