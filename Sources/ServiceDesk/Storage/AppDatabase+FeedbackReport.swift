import Foundation
import GRDB

extension AppDatabase {
    /// The feedback figures (docs/reports.md, feedback): the feedback and petitions (*phản ánh,
    /// kiến nghị*, services of kind `feedback`) received in the period, by how they came; how
    /// many were forwarded (within 5 working days), how the bodies asked answered (accepted on
    /// time or late, sent back), resolved and on time, reopened, merged, with progress or photos.
    /// Items classed a complaint or a denunciation are counted apart (their own two columns) and
    /// in nothing else; inquiries are not feedback.
    static func feedbackFigures(_ db: Database, _ context: ReportContext) throws -> ReportTable {
        // `fb`: a feedback item, not a complaint or denunciation closed with guidance.
        let fb = "(s.kind = 'feedback' AND t.nature IS NULL)"
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT \(context.group("received_at")) AS g, sum(\(fb)) AS received,
                    sum(\(fb) AND t.channel = 'hotline') AS receivedHotline,
                    sum(\(fb) AND t.channel IN ('web', 'mobile', 'open311', 'email')) AS receivedOnline,
                    sum(\(fb) AND t.channel IN ('counter', 'post')) AS receivedInPerson,
                    sum(\(fb) AND EXISTS (SELECT 1 FROM forward f WHERE f.ticket = t.code AND f.sent_at < :end)) AS forwarded,
                    sum(\(fb) AND EXISTS (SELECT 1 FROM forward f WHERE f.ticket = t.code AND f.sent_at < :end
                        AND f.id = (SELECT min(id) FROM forward WHERE ticket = t.code) AND f.grade IN ('early', 'on-time'))) AS forwardedOnTime,
                    sum(CASE WHEN \(fb) THEN (SELECT count(*) FROM forward f WHERE f.ticket = t.code AND f.sent_at < :end) END) AS asked,
                    sum(CASE WHEN \(fb) THEN (SELECT count(*) FROM forward f WHERE f.ticket = t.code AND f.accepted_at < :end
                        AND f.acceptance_grade = 'on-time') END) AS acceptedOnTime,
                    sum(CASE WHEN \(fb) THEN (SELECT count(*) FROM forward f WHERE f.ticket = t.code AND f.accepted_at < :end
                        AND f.acceptance_grade = 'late') END) AS acceptedLate,
                    sum(CASE WHEN \(fb) THEN (SELECT count(*) FROM forward f WHERE f.ticket = t.code AND f.sent_back_at < :end) END) AS sentBack,
                    sum(\(fb) AND t.merged_into IS NULL AND t.resolved_at < :end) AS resolved,
                    sum(\(fb) AND t.merged_into IS NULL AND t.resolved_at < :end AND t.timeliness IN ('early', 'on-time')) AS resolvedOnTime,
                    sum(\(fb) AND t.reopened > 0) AS reopened,
                    sum(\(fb) AND t.merged_into IS NOT NULL) AS merged,
                    sum(\(fb) AND EXISTS (SELECT 1 FROM progress_post p WHERE p.ticket = t.code AND p.at < :end)) AS withProgress,
                    sum(\(fb) AND (EXISTS (SELECT 1 FROM open311_media m WHERE m.ticket = t.code)
                        OR EXISTS (SELECT 1 FROM open311_request o WHERE o.ticket = t.code AND o.media_urls NOT IN ('[]', ''))
                        OR EXISTS (SELECT 1 FROM progress_post p WHERE p.ticket = t.code AND p.at < :end AND p.photos != '[]'))) AS withPhotos,
                    sum(t.nature = 'complaint') AS complaints, sum(t.nature = 'denunciation') AS denunciations
                FROM ticket t JOIN service s ON s.code = t.service
                WHERE s.kind IN ('feedback', 'inquiry') AND t.received_at >= :start AND t.received_at < :end AND t.state != 'rejected'
                    AND (s.kind = 'feedback' OR t.nature IS NOT NULL)
                \(context.request.filter.sql)
                GROUP BY g ORDER BY g
                """,
            arguments: context.arguments)
        let counts = [
            "received", "receivedHotline", "receivedOnline", "receivedInPerson", "forwarded", "forwardedOnTime", "asked", "acceptedOnTime",
            "acceptedLate", "sentBack", "resolved", "resolvedOnTime", "reopened", "merged", "withProgress", "withPhotos", "complaints",
            "denunciations",
        ]
        return countTable(context, "feedback", rows, counts: counts, shares: ["onTimeRate", "acceptanceRate", "photoShare"]) { row in
            let accepted: Int = (row["acceptedOnTime"] ?? 0) + (row["acceptedLate"] ?? 0)
            return [
                "onTimeRate": share(row["resolvedOnTime"] ?? 0, row["resolved"] ?? 0),
                "acceptanceRate": share(row["acceptedOnTime"] ?? 0, accepted),
                "photoShare": share(row["withPhotos"] ?? 0, row["received"] ?? 0),
            ]
        }
    }
}
