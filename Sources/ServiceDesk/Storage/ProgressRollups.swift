import Foundation
import GRDB

// Progress from day rollups (migration 0027; docs/reports.md, progress): per local day of
// acceptance and group, how many ended tickets have each code as if the period ran to the end of
// time. A report over whole local days sums the days of its period and reads as rows only the
// tickets whose code in this period can differ from that: the open ones, those whose life crosses
// the period's start or end, and those that ended before they were accepted. The same table as
// the rows (`ReportRollupTests.agreement`).

extension AppDatabase {
    /// The tickets the progress rollups count: accepted, ended (resolved or closed), and not
    /// before they were accepted — migration 0027's condition (its `coalesce(comparison, 1)`
    /// written as `IS NULL OR`: PostgreSQL's comparisons are booleans, not integers).
    static let endedInOrderSQL = """
        t.accepted_at IS NOT NULL AND (t.resolved_at IS NOT NULL OR t.closed_at IS NOT NULL)
            AND (t.resolved_at IS NULL OR t.resolved_at >= t.accepted_at) AND (t.closed_at IS NULL OR t.closed_at >= t.accepted_at)
        """

    /// The code an ended ticket is counted with in the rollups: its period from before it was
    /// accepted to the end of time (received, resolved, withdrawn; never open).
    static let rolledUpCodes = ProgressCodes(start: .min, end: .max, asked: .max)

    /// Counts the progress rollups afresh from the rows, at the offset already in report_rollup
    /// (`rebuildRollups`), with the longest life of a ticket they count.
    static func rebuildProgressRollups(_ db: Database, offset: Int) throws {
        try db.execute(sql: "DELETE FROM progress_rollup")
        let insert = try db.makeStatement(sql: "INSERT INTO progress_rollup (kind, day, key, code, tickets) VALUES (?, ?, ?, ?, ?)")
        let statement = try db.makeStatement(
            sql: """
                SELECT (t.accepted_at + ?) / 86400, t.accepted_at, t.channel, t.resolved_at, t.timeliness, t.apologised_at,
                    t.closed_at, t.due_at, t.paused_at, t.state, coalesce(t.department, '-'), t.service, coalesce(t.holder, '-'),
                    max(coalesce(t.resolved_at, t.closed_at), coalesce(t.closed_at, t.resolved_at)) - t.accepted_at
                FROM ticket t WHERE \(endedInOrderSQL) ORDER BY t.accepted_at
                """)
        try statement.setArguments([offset])
        let raw = statement.sqliteStatement
        var groups: [[String: [Int: Int]]] = rollupKinds.map { _ in [:] }
        var longest: Int64 = 0
        try byDay(try Row.fetchCursor(statement)) { row in
            let code = rolledUpCodes.code(of: raw)
            let keys: [String] = ["all", row[10], row[11], row[2], row[12]]
            for (index, key) in keys.enumerated() { groups[index][key, default: [:]][code, default: 0] += 1 }
            longest = max(longest, row[13])
        } flush: { day in
            for (index, kind) in rollupKinds.enumerated() {
                for (key, codes) in groups[index] {
                    for (code, tickets) in codes { try insert.execute(arguments: [kind, day, key, code, tickets]) }
                }
            }
            groups = rollupKinds.map { _ in [:] }
        }
        try db.execute(sql: "UPDATE report_rollup SET longest_life = ? WHERE id = 1", arguments: [longest])
    }

    /// Progress's tally from the rollups and the few rows they cannot answer, when the rollups
    /// can answer this report (`rollupRange`); nil otherwise.
    func rolledUpProgress(_ context: ReportContext, now: Date) async throws -> [String: [Int: Int]]? {
        guard let (kind, first, last) = try await rollupRange(context) else { return nil }
        let grouping = context.request.groupBy
        return try await read { db in
            guard try Self.rollupOffset(db) == context.offset else { return nil }
            var tally = ProgressTally()
            var labels: [Int64: String] = [:]
            let rows = try Row.fetchCursor(
                db, sql: "SELECT day, key, code, tickets FROM progress_rollup WHERE kind = ? AND day >= ? AND day < ?",
                arguments: [kind, first, last])
            while let row = try rows.next() {
                tally.add(Self.rollupGroup(row[0], row[1], grouping, labels: &labels), code: row[2], row[3])
            }
            // The rows: no ended ticket lives longer than this, so those accepted earlier before an
            // edge of the period ended before it.
            let life = try Int64.fetchOne(db, sql: "SELECT longest_life FROM report_rollup WHERE id = 1") ?? 0
            let arguments = context.arguments + ["life": life]
            let inPeriod = "(t.resolved_at IS NULL OR t.resolved_at >= :start) AND (t.closed_at IS NULL OR t.closed_at >= :start)"
            // Each read: the tickets it keeps, the index to read them by (where SQLite would rather
            // take the covering one over all the tickets), and whether the rollups counted them.
            let reads: [(condition: String, index: String?, counted: ProgressCodes?)] = [
                // Open: never in the rollups.
                (
                    "t.resolved_at IS NULL AND t.closed_at IS NULL AND t.accepted_at IS NOT NULL AND t.accepted_at < :end",
                    "ticket_progress_open", nil
                ),
                // Accepted before the period, ended in it or after: carried over.
                ("t.accepted_at >= :start - :life AND t.accepted_at < :start AND \(Self.endedInOrderSQL) AND \(inPeriod)", nil, nil),
                // Ended before they were accepted: not in the rollups. (Without naming its partial
                // index SQLite read all of ticket_progress: 177 ms over the million for no row.)
                (
                    """
                    t.accepted_at IS NOT NULL AND (t.resolved_at < t.accepted_at OR t.closed_at < t.accepted_at)
                        AND t.accepted_at < :end AND \(inPeriod)
                    """, "ticket_progress_irregular", nil
                ),
                // Accepted in the period, resolved or closed after it: counted in the rollups as if
                // the period never ended — that code taken back, this period's counted.
                (
                    """
                    t.accepted_at >= max(:start, :end - :life) AND t.accepted_at < :end AND \(Self.endedInOrderSQL)
                        AND (t.resolved_at >= :end OR t.closed_at >= :end)
                    """, nil, Self.rolledUpCodes
                ),
            ]
            for read in reads {
                let sql = Self.progressColumnsSQL(context, where: read.condition, indexedBy: read.index)
                try tally.add(db, context, now: now, sql: sql, arguments: arguments, replacing: read.counted)
            }
            return tally.codes
        }
    }
}
