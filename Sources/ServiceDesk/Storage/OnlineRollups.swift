import Foundation
import GRDB

// Online from day rollups (migration 0032; docs/reports.md, online): per local day of receipt,
// service and department, how many tickets have each set of the report's figures as if the period
// ran to the end of time. A report over whole local days sums the days the rollups answer — all
// of them when every fact counted came before its end, else those received at least the longest
// receipt-to-fact time before it — and reads the days after as rows. The same table as the rows
// (`ReportRollupTests.agreement`, `ReportScanTests.agreement`).

extension AppDatabase {
    /// Counts the online rollups afresh at `offset` (`rebuildRollups`): each ticket from migration
    /// 0032's view, then their sums. The triggers are held off meanwhile (no offset), so each table
    /// is filled by one statement rather than by a trigger per ticket.
    static func rebuildOnlineRollups(_ db: Database, offset: Int) throws {
        try db.execute(
            sql: """
                UPDATE report_rollup SET utc_offset = NULL WHERE id = 1;
                DELETE FROM online_counted;
                DELETE FROM online_rollup;
                INSERT INTO online_counted (ticket, day, service, department, bits, received_at, latest)
                SELECT ticket, (received_at + :offset) / 86400, service, department, bits, received_at, latest FROM online_ticket;
                INSERT INTO online_rollup (day, service, department, bits, tickets)
                SELECT day, service, department, bits, count(*) FROM online_counted GROUP BY day, service, department, bits;
                UPDATE report_rollup SET utc_offset = :offset,
                    online_latest = coalesce((SELECT max(latest) FROM online_counted), 0),
                    online_longest_lag = max(0, coalesce((SELECT max(latest - received_at) FROM online_counted), 0))
                WHERE id = 1;
                """,
            arguments: ["offset": offset])
    }

    /// Online's tally from the rollups, for the days they answer of this report (`rollupRange`:
    /// no filter, not `exact`, whole local days), and the moment from which the rest of the period
    /// must be read as rows (the period's end when the rollups answer it all); nil when they
    /// answer none of it.
    func rolledUpOnline(_ context: ReportContext) async throws -> (tally: CountTally, rowsFrom: Int64)? {
        guard let (_, first, last) = try await rollupRange(context) else { return nil }
        let grouping = context.request.groupBy
        return try await read { db in
            guard let cut = try Self.rollupCut(db, context, first: first, last: last, report: "online") else { return nil }
            // The procedures (whether each is offered fully online): the report counts no other service.
            var fullyOnline: [String: Bool] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT code, online_level = 'full' FROM service WHERE kind = 'procedure'") {
                fullyOnline[row[0]] = row[1] as Bool? ?? false
            }
            var tally = CountTally(Self.onlineCounts)
            var labels: [Int64: String] = [:]
            let rows = try Row.fetchCursor(
                db,
                sql: "SELECT day, service, department, bits, tickets FROM online_rollup WHERE day >= ? AND day < ? AND tickets > 0",
                arguments: [first, cut])
            while let row = try rows.next() {
                let service: String = row[1]
                guard let full = fullyOnline[service] else { continue }
                var bits = UInt32(truncatingIfNeeded: row[3] as Int64)
                // Bits 8 and 9: of a fully online procedure, and filed online.
                if full { bits |= bits & 1 << 1 != 0 ? 1 << 8 | 1 << 9 : 1 << 8 }
                let group = Self.rollupGroup(row[0], grouping == .service ? service : row[2], grouping, labels: &labels)
                tally.add(group, bits, times: row[4])
            }
            return (tally, cut * 86_400 - Int64(context.offset))
        }
    }
}
