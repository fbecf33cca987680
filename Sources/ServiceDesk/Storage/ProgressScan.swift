import Foundation
import GRDB
import GRDBSQLite

// The progress report's fast path (issue 17; docs/benchmarks.md). The straight path asks SQLite
// for each ticket's code (`progressTally`): over a million tickets its CASE expressions — text
// compared with text, on every row — were most of the report's time. Here SQLite only reads the
// columns from the covering index `ticket_progress`, and the code is computed in Swift from the
// integers and the text's bytes as they sit in SQLite's row, without making strings: a fifth
// less time over the million. The two paths are held equal by `ReportScanTests.agreement`.

extension AppDatabase {
    /// `progressTally`'s codes from the raw columns (the same bits, docs in `progress`).
    static func progressTallyFromColumns(
        _ db: any SQLSession, _ context: ReportContext, now: Date, bound: String, arguments: SQLArguments
    ) throws -> [String: [Int: Int]] {
        var tally = ProgressTally()
        try tally.add(db, context, now: now, sql: progressColumnsSQL(context, bound: bound), arguments: arguments)
        return tally.codes
    }

    /// The columns `ProgressCodes` reads, from the covering index `ticket_progress` by a range of
    /// `accepted_at` (`ReportScanTests.coveringPlans`).
    static func progressColumnsSQL(_ context: ReportContext, bound: String) -> String {
        progressColumnsSQL(
            context,
            where: """
                t.accepted_at IS NOT NULL AND t.accepted_at < :end
                    AND (t.resolved_at IS NULL OR t.resolved_at >= :start) AND (t.closed_at IS NULL OR t.closed_at >= :start)\(bound)\(context.request.filter.sql)
                """)
    }

    /// The columns `ProgressCodes` reads, of the tickets `condition` keeps (by the index named,
    /// when the planner would rather take a covering one that reads them all).
    static func progressColumnsSQL(_ context: ReportContext, where condition: String, indexedBy index: String? = nil) -> String {
        """
        SELECT \(context.groupKey("accepted_at")) AS g, t.accepted_at, t.channel, t.resolved_at, t.timeliness, t.apologised_at,
            t.closed_at, t.due_at, t.paused_at, t.state
        FROM ticket t\(index.map { " INDEXED BY \($0)" } ?? "")
        WHERE \(condition)
        """
    }
}

/// Per group, how many tickets have each progress code (codes are below 2048).
struct ProgressTally {
    private var counts: [String: [Int]] = [:]

    /// The tally as `progressTable` reads it: per group, each code counted (none counted zero).
    var codes: [String: [Int: Int]] {
        counts.compactMapValues { counts in
            var found: [Int: Int] = [:]
            for (code, count) in counts.enumerated() where count != 0 { found[code] = count }
            return found.isEmpty ? nil : found
        }
    }

    mutating func add(_ group: String, code: Int, _ tickets: Int) {
        counts[group, default: [Int](repeating: 0, count: 2048)][code] += tickets
    }

    /// Counts the rows of `sql` (`progressColumnsSQL`) by their code in this report's period; with
    /// `replacing`, each row also takes back its code in those codes' period — the code it was
    /// counted with in the rollups (`rolledUpProgress`).
    mutating func add(
        _ db: any SQLSession, _ context: AppDatabase.ReportContext, now: Date, sql: String, arguments: SQLArguments,
        replacing counted: ProgressCodes? = nil
    ) throws {
        let codes = ProgressCodes(start: context.start, end: context.end, asked: min(context.end, now.storedSeconds))
        var labels = GroupLabels(context)
        try forEachRow(db, sql: sql, arguments: arguments) { raw in
            let group = labels.label(raw)
            add(group, code: codes.code(of: raw), 1)
            if let counted { add(group, code: counted.code(of: raw), -1) }
        }
    }
}

/// A ticket's progress code from the columns 1–9 of `progressTallyFromColumns`' row: accepted,
/// channel, resolved, timeliness, apologised, closed, due, paused, state — SQL's meaning
/// exactly: a NULL compares as false, text equals only the same bytes. Each column is fetched
/// once (`sqlite3_column_value`) and only when the code needs it.
struct ProgressCodes {
    let start: Int64
    let end: Int64
    /// Overdue is asked at the end of the period, or now for a period not over yet.
    let asked: Int64

    func code(of row: SQLiteStatement) -> Int {
        let accepted = sqlite3_column_int64(row, 1)
        var code = accepted >= start ? Self.channel(RawColumn(row, 2)) : 6
        let resolved = RawColumn(row, 3).integer
        if let resolved, resolved >= start, resolved < end {
            let timeliness = RawColumn(row, 4)
            code +=
                8
                * (timeliness.is("early")
                    ? 1 : timeliness.is("on-time") ? 2 : timeliness.is("late") ? (RawColumn(row, 5).integer == nil ? 3 : 4) : 5)
        }
        let closed = RawColumn(row, 6).integer
        if resolved.map({ $0 >= end }) ?? true, closed.map({ $0 >= end }) ?? true {
            var open = 1
            if let due = RawColumn(row, 7).integer {
                // `pastDueSQL`: a ticket waiting on the citizen is compared at the moment its clock stopped.
                open += due < min(RawColumn(row, 8).integer ?? asked, asked) ? 2 : 1
            }
            if RawColumn(row, 9).is("awaiting-citizen") { open += 4 }
            code += 64 * open
        }
        if let closed, closed >= start, closed < end, RawColumn(row, 9).is("withdrawn") { code += 1024 }
        return code
    }

    /// Counter 1, online 2 (web, mobile, Open311, e-mail), post 3, hotline 4, another 5.
    private static func channel(_ channel: RawColumn) -> Int {
        if channel.is("counter") { return 1 }
        if channel.is("web") || channel.is("mobile") || channel.is("open311") || channel.is("email") { return 2 }
        if channel.is("post") { return 3 }
        if channel.is("hotline") { return 4 }
        return 5
    }
}

/// One column of the current row, read in place. SQLite calls the value `sqlite3_column_value`
/// returns unprotected: reading it is safe only while one thread uses the connection — as GRDB
/// guarantees for the reader running this scan — and only until the next step.
struct RawColumn {
    let value: OpaquePointer?

    @inline(__always)
    init(_ row: SQLiteStatement, _ index: Int32) { value = sqlite3_column_value(row, index) }

    var integer: Int64? {
        @inline(__always) get { sqlite3_value_type(value) == SQLITE_NULL ? nil : sqlite3_value_int64(value) }
    }

    /// Whether the column holds exactly this text (a NULL, or a number, does not).
    @inline(__always)
    func `is`(_ text: StaticString) -> Bool {
        guard sqlite3_value_type(value) == SQLITE_TEXT, let bytes = sqlite3_value_text(value) else { return false }
        let count = Int(sqlite3_value_bytes(value))
        return count == text.utf8CodeUnitCount && memcmp(bytes, text.utf8Start, count) == 0
    }
}

extension RawColumn {
    /// The column's text as a string (nil for a NULL or a number).
    var text: String? {
        guard sqlite3_value_type(value) == SQLITE_TEXT, let bytes = sqlite3_value_text(value) else { return nil }
        return String(decoding: UnsafeBufferPointer(start: bytes, count: Int(sqlite3_value_bytes(value))), as: UTF8.self)
    }

    var isNull: Bool {
        @inline(__always) get { sqlite3_value_type(value) == SQLITE_NULL }
    }

    /// Whether the column holds exactly these bytes as text.
    func `is`(_ bytes: [UInt8]) -> Bool {
        guard sqlite3_value_type(value) == SQLITE_TEXT, let text = sqlite3_value_text(value) else { return false }
        let count = Int(sqlite3_value_bytes(value))
        return count == bytes.count && bytes.withUnsafeBytes { memcmp(text, $0.baseAddress!, count) == 0 }
    }

    /// Whether the column holds an integer above zero (SQL's `column > 0` over an integer column).
    var positive: Bool {
        @inline(__always) get { sqlite3_value_type(value) == SQLITE_INTEGER && sqlite3_value_int64(value) > 0 }
    }
}

/// The text of a column kept from one row to the next (a scan's last ticket code), in a buffer
/// reused rather than a string made for each row.
struct RawText {
    private var bytes: [UInt8] = []
    private var isSet = false

    /// Keeps the text of `column` and tells whether it differs from the text kept (a column not
    /// text — a NULL — is kept as none and always differs).
    mutating func replace(with column: RawColumn) -> Bool {
        guard sqlite3_value_type(column.value) == SQLITE_TEXT, let text = sqlite3_value_text(column.value) else {
            isSet = false
            return true
        }
        if isSet && column.is(bytes) { return false }
        bytes.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: UnsafeBufferPointer(start: text, count: Int(sqlite3_value_bytes(column.value))))
        isSet = true
        return true
    }
}

/// Runs `body` on each row of `sql`, read in place (`RawColumn`).
///
/// On SQLite the scan reads the statement's own columns without making rows. On PostgreSQL each
/// row is handed over as the one row of `SELECT ?1, ?2, …` on an in-memory SQLite connection,
/// bound to the row's values: the scans read a column one way on both engines, and their SQL is
/// the one thing that runs on the server.
func forEachRow(_ db: any SQLSession, sql: String, arguments: SQLArguments, _ body: (SQLiteStatement) throws -> Void) throws {
    guard let sqlite = db.sqlite else {
        try ScanRows.forEach(try db.fetchCursor(sql: sql, arguments: arguments, cached: false), body)
        return
    }
    let statement = try sqlite.makeStatement(sql: sql)
    try statement.setArguments(arguments.statementArguments)
    let cursor = try Row.fetchCursor(statement)
    while try cursor.next() != nil { try body(statement.sqliteStatement) }
}

/// Rows read elsewhere (PostgreSQL's), handed to a scan as SQLite statements (`forEachRow`).
enum ScanRows {
    static func forEach(_ rows: AnyCursor<Row>, _ body: (SQLiteStatement) throws -> Void) throws {
        guard let first = try rows.next() else { return }
        // One connection per scan: a scan runs on one thread, and its statement lives as long.
        let memory = try DatabaseQueue()
        try memory.inDatabase { db in
            let columns = first.count
            let statement = try db.makeStatement(
                sql: columns == 0 ? "SELECT 0" : "SELECT " + (1...columns).map { "?\($0)" }.joined(separator: ", "))
            var row: Row? = first
            while let current = row {
                try statement.setArguments(StatementArguments(Array(current.databaseValues)))
                let one = try Row.fetchCursor(statement)
                guard try one.next() != nil else { break }
                try body(statement.sqliteStatement)
                row = try rows.next()
            }
        }
    }
}
