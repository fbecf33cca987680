import Foundation
import GRDB
import GRDBSQLite

// How the long reports read a million tickets quickly (issue 17; docs/benchmarks.md): the
// calendar groupings read an integer per row (the local day or hour) labelled once per value in
// Swift, and the scan runs as two halves of the period at once, one per core.

extension AppDatabase.ReportContext {
    /// Whether the rows are grouped by a calendar unit of their instant, labelled in Swift (not
    /// on the straight path, `straight`, which the tests hold the fast one against).
    var groupsByTime: Bool { !straight && [.hour, .day, .week, .month, .quarter].contains(request.groupBy) }

    /// The SQL of the group key over the instant `column`: for the calendar groupings an integer
    /// — the local day since 1970-01-01, or the local hour — that `GroupLabels` turns into the
    /// label (strftime on every row cost more than the rest of the scan); otherwise `group`.
    func groupKey(_ column: String, alias: String = "t") -> String {
        guard groupsByTime else { return group(column, alias: alias) }
        return switch request.groupBy {
        case .hour: "((\(alias).\(column) + \(offset)) % 86400) / 3600"
        case .day, .week, .month, .quarter: "(\(alias).\(column) + \(offset)) / 86400"
        default: group(column, alias: alias)
        }
    }
}

/// The labels of a report's groups from the first column of its rows (`groupKey`): text as read,
/// or for the calendar groupings the label of the day or hour, as `group`'s strftime writes it —
/// the day `2026-10-05`, the week by its Monday `2026-10-05`, the month `2026-10`, the quarter
/// `2026-Q4`, the hour `09` — computed once per value.
struct GroupLabels {
    let grouping: ReportGrouping
    private let byTime: Bool
    private var known: [Int64: String] = [:]

    init(_ context: AppDatabase.ReportContext) {
        grouping = context.request.groupBy
        byTime = context.groupsByTime
    }

    mutating func label(_ row: Row) -> String {
        guard byTime else { return row[0] }
        return label(day: row[0])
    }

    /// The label of the key in the first column of a row read in place (`forEachRow`).
    mutating func label(_ row: SQLiteStatement) -> String {
        let key = RawColumn(row, 0)
        guard byTime else { return key.text ?? "" }
        return label(day: key.integer)
    }

    private mutating func label(day key: Int64?) -> String {
        guard let key else { return "-" }
        if let label = known[key] { return label }
        let label = Self.label(key, grouping)
        known[key] = label
        return label
    }

    static func label(_ key: Int64, _ grouping: ReportGrouping) -> String {
        if grouping == .hour { return key < 10 ? "0\(key)" : "\(key)" }
        let day = Int(key)
        let date = LocalDate(daysSinceEpoch: day)
        return switch grouping {
        // 1970-01-01 was a Thursday: the Monday on or before is 0–6 days back.
        case .week: date.adding(days: -(((day % 7) + 7 + 3) % 7)).description
        case .month: String(date.description.prefix(7))
        case .quarter: "\(date.description.prefix(4))-Q\((date.month + 2) / 3)"
        default: date.description
        }
    }
}

extension AppDatabase {
    /// One half of a report's period (`halves`), or the whole of it on the straight path.
    enum Half: Sendable {
        case whole, first, second

        /// The SQL that keeps the rows of this half by the instant `column`, to add to a WHERE.
        func bound(_ column: String) -> String {
            switch self {
            case .whole: ""
            case .first: " AND \(column) < :split"
            case .second: " AND \(column) >= :split"
            }
        }
    }

    /// Runs `scan` over the two halves of the period at once (`concurrentReads`: both cores, one
    /// state of the database) and merges what they found. The halves split the period's instants
    /// at its middle (up to now); each scan keeps its half's rows with `half.bound(column)` and
    /// gets the arguments that carry the split. The rows before the period (a report that carries
    /// some over) fall in the first half.
    func halves<T: Sendable>(
        _ context: ReportContext, now: Date,
        _ scan: @escaping @Sendable (_ db: Database, _ half: Half, _ arguments: StatementArguments) throws -> T,
        merge: (T, T) throws -> T
    ) async throws -> T {
        if context.straight { return try await read { db in try scan(db, .whole, context.arguments) } }
        let end = min(context.end, max(context.start, now.storedSeconds))
        var arguments = context.arguments
        arguments += ["split": context.start + (end - context.start) / 2]
        let halves = arguments
        let (first, second) = try await concurrentReads(
            { db in try scan(db, .first, halves) }, { db in try scan(db, .second, halves) })
        return try merge(first, second)
    }

    /// Two tallies (`tally`) as one.
    static func merged(_ first: [String: [Int: Int]], _ second: [String: [Int: Int]]) -> [String: [Int: Int]] {
        first.merging(second) { a, b in a.merging(b, uniquingKeysWith: +) }
    }
}

/// Per group, how many tickets each of a report's counts holds — the counts `countTable` reads,
/// tallied in Swift by a fast path (the online and feedback reports). A scan finds each row's
/// group with `group(of:)`: rows come in runs of one group (the index gives them service by
/// service, day by day), so the label is made and looked up once per run, not once per row.
struct CountTally: Sendable {
    let names: [String]
    private var slots: [String: Int] = [:]
    private var counts: [[Int]] = []
    /// The raw group key of the last row (column 0) and its group's slot.
    private var last: (key: RawKey, slot: Int)?

    init(_ names: [String]) { self.names = names }

    /// The slot of the group of the scan's current row, labelled from column 0 by `labels`.
    mutating func group(of row: SQLiteStatement, _ labels: inout GroupLabels) -> Int {
        let column = RawColumn(row, 0)
        if let last, last.key.matches(column) { return last.slot }
        let slot = slot(labels.label(row))
        last = (RawKey(column), slot)
        return slot
    }

    private mutating func slot(_ group: String) -> Int {
        if let slot = slots[group] { return slot }
        slots[group] = counts.count
        counts.append([Int](repeating: 0, count: names.count))
        return counts.count - 1
    }

    /// Counts one ticket in the group `slot` in each count whose bit is set in `bits` (bit i:
    /// `names[i]`); the group is in the table even when no bit is set, as SQL's GROUP BY has it.
    mutating func add(_ slot: Int, _ bits: UInt32) {
        var bits = bits
        while bits != 0 {
            counts[slot][bits.trailingZeroBitCount] += 1
            bits &= bits - 1
        }
    }

    /// Adds `count` to the count `names[index]` of the group `slot`.
    mutating func add(_ slot: Int, _ count: Int, at index: Int) { counts[slot][index] += count }

    func merged(_ other: CountTally) -> CountTally {
        var merged = self
        merged.last = nil
        for (group, slot) in other.slots {
            let into = merged.slot(group)
            for index in names.indices { merged.counts[into][index] += other.counts[slot][index] }
        }
        return merged
    }

    /// One row per group, in the order of its label, as the straight path's SQL gives them: the
    /// label as `g` and each count by its name.
    var rows: [Row] {
        slots.keys.sorted().map { group in
            var values: [String: (any DatabaseValueConvertible)?] = ["g": group]
            for (name, count) in zip(names, counts[slots[group]!]) { values[name] = count }
            return Row(values)
        }
    }
}

/// A column's value as SQLite holds it — an integer, text's bytes, or NULL — kept to tell whether
/// the next row has the same (any other type is never the same).
enum RawKey: Sendable {
    case integer(Int64)
    case text([UInt8])
    case null
    case other

    init(_ column: RawColumn) {
        switch sqlite3_value_type(column.value) {
        case SQLITE_INTEGER: self = .integer(sqlite3_value_int64(column.value))
        case SQLITE_NULL: self = .null
        case SQLITE_TEXT: self = .text(column.text.map { Array($0.utf8) } ?? [])
        default: self = .other
        }
    }

    func matches(_ column: RawColumn) -> Bool {
        switch self {
        case .integer(let value): sqlite3_value_type(column.value) == SQLITE_INTEGER && sqlite3_value_int64(column.value) == value
        case .text(let bytes): column.is(bytes)
        case .null: column.isNull
        case .other: false
        }
    }
}

/// A flag of the service of each row a scan of `ticket_intake` reads — whether it is a fully
/// online procedure, or feedback — looked up once per run of rows of one service (the index
/// gives them service by service) rather than by SQLite for every row.
struct ServiceFlags {
    private let flags: [String: Bool]
    private var last: (service: [UInt8], flag: Bool)?

    /// `sql` selects each service's code and its flag.
    init(_ db: Database, sql: String) throws {
        flags = try Dictionary(
            Row.fetchAll(db, sql: sql).map { ($0[0] as String, $0[1] as Bool? ?? false) }, uniquingKeysWith: { first, _ in first })
    }

    mutating func flag(_ service: RawColumn) -> Bool {
        if let last, service.is(last.service) { return last.flag }
        let code = service.text ?? ""
        let flag = flags[code] ?? false
        last = (Array(code.utf8), flag)
        return flag
    }
}
