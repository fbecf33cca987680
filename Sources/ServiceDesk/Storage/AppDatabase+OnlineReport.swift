import Foundation
import GRDB

extension AppDatabase {
    /// The online-service figures of Decision 766/QĐ-TTg this system records (docs/reports.md,
    /// online): of the dossiers of procedures received in the period, how many came online, how
    /// many of those bearing fees were paid online, and how many the National Public Service
    /// Portal holds in step with us. The digitisation group (digitised components, electronic
    /// results, reused data) needs records the system does not keep yet and is not reported.
    static func onlineFigures(_ db: Database, _ context: ReportContext) throws -> ReportTable {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT \(context.group("received_at")) AS g, count(*) AS received,
                    sum(t.channel IN ('web', 'mobile', 'email')) AS receivedOnline,
                    sum(t.state = 'new') AS awaitingReception,
                    sum(EXISTS (SELECT 1 FROM event e WHERE e.entity = 'ticket' AND e.entity_id = t.code AND e.action = 'ticket.receive'
                        AND e.at < :end AND json_extract(e.detail, '$.receptionGrade') = 'on-time')) AS receptionOnTime,
                    sum(EXISTS (SELECT 1 FROM event e WHERE e.entity = 'ticket' AND e.entity_id = t.code AND e.action = 'ticket.receive'
                        AND e.at < :end AND json_extract(e.detail, '$.receptionGrade') = 'late')) AS receptionLate,
                    sum(t.charge_lines > 0) AS feeBearing,
                    sum(t.charge_lines > 0 AND EXISTS (SELECT 1 FROM payment p WHERE p.ticket = t.code AND p.kind = 'paid'
                        AND p.method = 'online' AND p.at < :end)) AS paidOnline,
                    sum(EXISTS (SELECT 1 FROM sync_ack a WHERE a.ticket = t.code AND a.portal_status = \(PortalStatus.sql)))
                        AS synchronised
                FROM ticket t JOIN service s ON s.code = t.service
                WHERE s.kind = 'procedure' AND t.received_at >= :start AND t.received_at < :end
                \(context.request.filter.sql)
                GROUP BY g ORDER BY g
                """,
            arguments: context.arguments)
        let counts = [
            "received", "receivedOnline", "awaitingReception", "receptionOnTime", "receptionLate", "feeBearing", "paidOnline",
            "synchronised",
        ]
        return countTable(context, "online", rows, counts: counts, shares: ["onlineShare", "onlinePaymentShare", "synchronisedShare"]) {
            row in
            let received: Int = row["received"] ?? 0
            return [
                "onlineShare": share(row["receivedOnline"] ?? 0, received),
                "onlinePaymentShare": share(row["paidOnline"] ?? 0, row["feeBearing"] ?? 0),
                "synchronisedShare": share(row["synchronised"] ?? 0, received),
            ]
        }
    }
}
