import Foundation
import GRDB

extension AppDatabase {
    /// The online-service figures of Decision 766/QĐ-TTg this system records (docs/reports.md,
    /// online): of the dossiers of procedures received in the period, how many came online (and
    /// of the fully online procedures), how many of those bearing fees were paid online, how many
    /// the National Public Service Portal holds in step with us; and the digitisation group —
    /// paper dossiers digitised, dossiers reusing digitised data, electronic results.
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
                        AS synchronised,
                    sum(s.online_level = 'full') AS fullyOnline,
                    sum(s.online_level = 'full' AND t.channel IN ('web', 'mobile', 'email')) AS fullyOnlineFiledOnline,
                    sum(t.channel NOT IN ('web', 'mobile', 'email') AND t.documents_to_digitise > 0) AS toDigitise,
                    sum(t.channel NOT IN ('web', 'mobile', 'email') AND t.documents_to_digitise > 0
                        AND t.documents_digitised = t.documents_to_digitise) AS digitised,
                    sum(t.documents_reused > 0) AS reusingData,
                    sum(t.resolved_at < :end) AS resultsIssued,
                    sum(t.resolved_at < :end AND EXISTS (SELECT 1 FROM stored_file f WHERE f.id = t.result_file AND f.uploaded_at < :end))
                        AS electronicResults
                FROM ticket t JOIN service s ON s.code = t.service
                WHERE s.kind = 'procedure' AND t.received_at >= :start AND t.received_at < :end
                \(context.request.filter.sql)
                GROUP BY g ORDER BY g
                """,
            arguments: context.arguments)
        let counts = [
            "received", "receivedOnline", "awaitingReception", "receptionOnTime", "receptionLate", "feeBearing", "paidOnline",
            "synchronised", "fullyOnline", "fullyOnlineFiledOnline", "toDigitise", "digitised", "reusingData", "resultsIssued",
            "electronicResults",
        ]
        let shares = [
            "onlineShare", "onlinePaymentShare", "synchronisedShare", "fullyOnlineShare", "digitisedShare", "dataReuseShare",
            "electronicResultShare",
        ]
        return countTable(context, "online", rows, counts: counts, shares: shares) { row in
            let received: Int = row["received"] ?? 0
            return [
                "onlineShare": share(row["receivedOnline"] ?? 0, received),
                "onlinePaymentShare": share(row["paidOnline"] ?? 0, row["feeBearing"] ?? 0),
                "synchronisedShare": share(row["synchronised"] ?? 0, received),
                "fullyOnlineShare": share(row["fullyOnlineFiledOnline"] ?? 0, row["fullyOnline"] ?? 0),
                "digitisedShare": share(row["digitised"] ?? 0, row["toDigitise"] ?? 0),
                "dataReuseShare": share(row["reusingData"] ?? 0, received),
                "electronicResultShare": share(row["electronicResults"] ?? 0, row["resultsIssued"] ?? 0),
            ]
        }
    }
}
