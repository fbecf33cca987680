import Foundation
import GRDB

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
        guard let key = row[0] as Int64? else { return "-" }
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
