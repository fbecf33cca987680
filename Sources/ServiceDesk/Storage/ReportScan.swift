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
        _ scan: @escaping @Sendable (_ db: any SQLSession, _ half: Half, _ arguments: SQLArguments) throws -> T,
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

/// The groups of a scan's rows, numbered in the order met: `slot(of:)` finds a row's from the raw
/// key in column 0 — the key's integer, or its text's bytes inline (`CodeKey`) — so the label
/// (`GroupLabels`) is made once per key, not once per row.
struct GroupSlots: Sendable {
    /// The label of each slot.
    private(set) var labels: [String] = []
    private var byLabel: [String: Int] = [:]
    private var byInteger: [Int64: Int] = [:]
    private var byText: [CodeKey: Int] = [:]
    /// The last row's key and slot: rows often come in runs of one group (an index read service
    /// by service, day by day), which then need no hashing.
    private var lastInteger: (key: Int64, slot: Int)?
    private var lastText: (key: CodeKey, slot: Int)?

    /// The slot of the group of the scan's current row, labelled from column 0 by `labeller`.
    mutating func slot(of row: SQLiteStatement, _ labeller: inout GroupLabels) -> Int {
        let column = RawColumn(row, 0)
        switch sqlite3_value_type(column.value) {
        case SQLITE_INTEGER:
            let key = sqlite3_value_int64(column.value)
            if let lastInteger, lastInteger.key == key { return lastInteger.slot }
            let slot = byInteger[key] ?? slot(labeller.label(row))
            byInteger[key] = slot
            lastInteger = (key, slot)
            return slot
        case SQLITE_TEXT:
            guard let key = CodeKey(column) else { return slot(labeller.label(row)) }
            if let lastText, lastText.key == key { return lastText.slot }
            let slot = byText[key] ?? slot(labeller.label(row))
            byText[key] = slot
            lastText = (key, slot)
            return slot
        default:
            return slot(labeller.label(row))
        }
    }

    /// The slot of the group labelled `label`, a new one at the end if it has none yet.
    mutating func slot(_ label: String) -> Int {
        if let slot = byLabel[label] { return slot }
        byLabel[label] = labels.count
        labels.append(label)
        return labels.count - 1
    }
}

/// Per group, how many tickets each of a report's counts holds — the counts `countTable` reads,
/// tallied in Swift by a fast path (online, feedback, satisfaction; revenue's sums), each row's
/// group found by `group(of:)` (`GroupSlots`).
struct CountTally: Sendable {
    let names: [String]
    private var groups = GroupSlots()
    private var counts: [[Int]] = []

    init(_ names: [String]) { self.names = names }

    /// The slot of the group of the scan's current row, labelled from column 0 by `labels`.
    mutating func group(of row: SQLiteStatement, _ labels: inout GroupLabels) -> Int {
        grown(groups.slot(of: row, &labels))
    }

    /// The slot of the group labelled `group`.
    mutating func slot(_ group: String) -> Int { grown(groups.slot(group)) }

    /// `slot`, its counts made when it is new.
    private mutating func grown(_ slot: Int) -> Int {
        if slot == counts.count { counts.append([Int](repeating: 0, count: names.count)) }
        return slot
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

    /// Counts `times` tickets in the group labelled `group` in each count whose bit is set in `bits`.
    mutating func add(_ group: String, _ bits: UInt32, times: Int) {
        let slot = slot(group)
        var bits = bits
        while bits != 0 {
            counts[slot][bits.trailingZeroBitCount] += times
            bits &= bits - 1
        }
    }

    /// Adds `count` to the count `names[index]` of the group `slot`.
    mutating func add(_ slot: Int, _ count: Int, at index: Int) { counts[slot][index] += count }

    /// Adds `amount` to the sum `names[index]` of the group `slot`; a sum past what an integer
    /// holds is refused (`AppDatabase.plus`), not wrapped.
    mutating func sum(_ slot: Int, _ amount: Int64, at index: Int) throws {
        counts[slot][index] = try AppDatabase.plus(counts[slot][index], Int(amount))
    }

    /// Both tallies as one, each count summed with the check of `sum`.
    func summed(_ other: CountTally) throws -> CountTally {
        var merged = self
        for (slot, group) in other.groups.labels.enumerated() {
            let into = merged.slot(group)
            for index in names.indices { try merged.sum(into, Int64(other.counts[slot][index]), at: index) }
        }
        return merged
    }

    func merged(_ other: CountTally) -> CountTally {
        var merged = self
        for (slot, group) in other.groups.labels.enumerated() {
            let into = merged.slot(group)
            for index in names.indices { merged.counts[into][index] += other.counts[slot][index] }
        }
        return merged
    }

    /// One row per group, in the order of its label, as the straight path's SQL gives them: the
    /// label as `g` and each count by its name.
    var rows: [Row] {
        groups.labels.enumerated().sorted { $0.element < $1.element }.map { slot, group in
            var values: [String: (any DatabaseValueConvertible)?] = ["g": group]
            for (name, count) in zip(names, counts[slot]) { values[name] = count }
            return Row(values)
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
    init(_ db: any SQLSession, sql: String) throws {
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
