import Foundation
import GRDB

// Revenue from day rollups (migration 0033; docs/reports.md, revenue): per local day of acceptance
// and group, the tickets with charges, their charges and the sums of their payments as if the
// period ran to the end of time. A report over whole local days sums the days the rollups answer —
// all of them when every payment counted came before its end, else those accepted at least the
// longest acceptance-to-payment time before it — and reads the days after as rows. The same table
// as the rows (`ReportRollupTests.agreement`, `ReportScanTests.agreement`).

extension AppDatabase {
    /// Counts the revenue rollups afresh at `offset` (`rebuildRollups`): each ticket from migration
    /// 0033's view, then their sums per group. The triggers are held off meanwhile (no offset), so
    /// each table is filled by one statement rather than by a trigger per ticket.
    static func rebuildRevenueRollups(_ db: Database, offset: Int) throws {
        // total(), not sum(): a sum past an integer must not fail the count (see rolledUpRevenue).
        let sums =
            "total(le_phi), total(phi), total(service_price), total(retained), total(collected), total(collected_online), total(exempted)"
        let groups = [("all", "'all'"), ("department", "department"), ("service", "service"), ("channel", "channel"), ("staff", "holder")]
            .map { kind, key in "SELECT '\(kind)', day, \(key), count(*), \(sums) FROM revenue_counted GROUP BY day, \(key)" }
        try db.execute(
            sql: """
                UPDATE report_rollup SET utc_offset = NULL WHERE id = 1;
                DELETE FROM revenue_counted;
                DELETE FROM revenue_rollup;
                INSERT INTO revenue_counted (ticket, day, department, service, channel, holder, le_phi, phi, service_price, retained,
                    collected, collected_online, exempted, accepted_at, latest)
                SELECT ticket, (accepted_at + :offset) / 86400, department, service, channel, holder, le_phi, phi, service_price, retained,
                    collected, collected_online, exempted, accepted_at, latest
                FROM revenue_ticket;
                INSERT INTO revenue_rollup (kind, day, key, tickets, le_phi, phi, service_price, retained, collected, collected_online,
                    exempted)
                \(groups.joined(separator: "\nUNION ALL "));
                UPDATE report_rollup SET utc_offset = :offset,
                    revenue_latest = coalesce((SELECT max(latest) FROM revenue_counted), 0),
                    revenue_longest_lag = max(0, coalesce((SELECT max(latest - accepted_at) FROM revenue_counted), 0))
                WHERE id = 1;
                """,
            arguments: ["offset": offset])
    }

    /// Revenue's tally (`revenueTally`'s columns) from the rollups, for the days they answer of this
    /// report (`rollupRange`: no filter, not `exact`, whole local days), and the moment from which
    /// the rest of the period must be read as rows (the period's end when the rollups answer it
    /// all); nil when they answer none of it.
    func rolledUpRevenue(_ context: ReportContext) async throws -> (tally: CountTally, rowsFrom: Int64)? {
        guard let (kind, first, last) = try await rollupRange(context) else { return nil }
        let grouping = context.request.groupBy
        return try await read { db in
            guard let cut = try Self.rollupCut(db, context, first: first, last: last, report: "revenue") else { return nil }
            var tally = CountTally(["tickets"] + Self.revenueNames)
            var labels: [Int64: String] = [:]
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT day, key, tickets, le_phi, phi, service_price, retained, collected, collected_online, exempted
                    FROM revenue_rollup WHERE kind = ? AND day >= ? AND day < ? AND tickets > 0
                    """,
                arguments: [kind, first, cut])
            while let row = try rows.next() {
                let slot = tally.slot(Self.rollupGroup(row[0], row[1], grouping, labels: &labels))
                tally.add(slot, row[2], at: 0)
                for index in 1...Self.revenueNames.count {
                    // A sum kept as a real number (past an integer, or counted afresh past 2^53,
                    // where a real number is no longer exact): the rows answer, exactly or with
                    // the conflict of a sum too large (`plus`).
                    guard case .int64(let amount) = (row[index + 2] as DatabaseValue).storage, amount.magnitude <= 1 << 53 else {
                        return nil
                    }
                    try tally.sum(slot, amount, at: index)
                }
            }
            return (tally, cut * 86_400 - Int64(context.offset))
        }
    }
}
