import Foundation
import GRDB

// Satisfaction from day rollups (migration 0031; docs/reports.md, satisfaction): per local day of
// the return and group, how many returned tickets have each rating. A ticket is counted on the
// day it was returned, so a report over whole local days is the sum of its days — the same table
// as the rows (`ReportRollupTests.agreement`).

extension AppDatabase {
    /// The rating code the report and the rollups count: 0 not rated, 1 very satisfied, 2
    /// satisfied, 3 dissatisfied.
    static let ratingCodeSQL = "CASE t.rating WHEN 'very-satisfied' THEN 1 WHEN 'satisfied' THEN 2 WHEN 'dissatisfied' THEN 3 ELSE 0 END"

    /// Counts the satisfaction rollups afresh from the rows, at `offset` (`rebuildRollups`): one
    /// pass over the covering `ticket_returned` in the order of return, a day at a time.
    static func rebuildSatisfactionRollups(_ db: Database, offset: Int) throws {
        try db.execute(sql: "DELETE FROM satisfaction_rollup")
        let insert = try db.makeStatement(
            sql: "INSERT INTO satisfaction_rollup (kind, day, key, rating, tickets) VALUES (?, ?, ?, ?, ?)")
        var groups: [[String: [Int: Int]]] = rollupKinds.map { _ in [:] }
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT (t.returned_at + ?) / 86400, \(ratingCodeSQL), coalesce(t.department, '-'), t.service, t.channel,
                    coalesce(t.holder, '-')
                FROM ticket t WHERE t.returned_at IS NOT NULL ORDER BY t.returned_at
                """,
            arguments: [offset])
        try byDay(rows) { row in
            let rating: Int = row[1]
            let keys: [String] = ["all", row[2], row[3], row[4], row[5]]
            for (index, key) in keys.enumerated() { groups[index][key, default: [:]][rating, default: 0] += 1 }
        } flush: { day in
            for (index, kind) in rollupKinds.enumerated() {
                for (key, ratings) in groups[index] {
                    for (rating, tickets) in ratings { try insert.execute(arguments: [kind, day, key, rating, tickets]) }
                }
            }
            groups = rollupKinds.map { _ in [:] }
        }
    }

    /// Satisfaction's tally (group → rating code → tickets) from the rollups, when they can answer
    /// this report (`rollupRange`: no filter, not `exact`, whole local days); nil otherwise.
    func rolledUpSatisfaction(_ context: ReportContext) async throws -> [String: [Int: Int]]? {
        guard let (kind, first, last) = try await rollupRange(context) else { return nil }
        let grouping = context.request.groupBy
        return try await read { db in
            // Counted at another offset (the time zone changed since the report began): the rows.
            guard try Self.rollupOffset(db) == context.offset else { return nil }
            var tally: [String: [Int: Int]] = [:]
            var labels: [Int64: String] = [:]
            let rows = try Row.fetchCursor(
                db,
                sql: "SELECT day, key, rating, tickets FROM satisfaction_rollup WHERE kind = ? AND day >= ? AND day < ? AND tickets > 0",
                arguments: [kind, first, last])
            while let row = try rows.next() {
                tally[Self.rollupGroup(row[0], row[1], grouping, labels: &labels), default: [:]][row[2], default: 0] += row[3] as Int
            }
            return tally
        }
    }
}
