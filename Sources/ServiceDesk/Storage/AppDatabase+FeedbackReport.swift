import Foundation
import GRDB

extension AppDatabase {
    /// The feedback figures (docs/reports.md, feedback): the feedback and petitions (*phản ánh,
    /// kiến nghị*, services of kind `feedback`) received in the period, by how they came, how
    /// many were resolved and on time by the period's end, and how many carry progress or photos.
    /// Complaints and denunciations (kind `complaint`) and inquiries are not counted here.
    static func feedbackFigures(_ db: Database, _ context: ReportContext) throws -> ReportTable {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT \(context.group("received_at")) AS g, count(*) AS received,
                    sum(t.channel = 'hotline') AS receivedHotline,
                    sum(t.channel IN ('web', 'mobile', 'open311', 'email')) AS receivedOnline,
                    sum(t.channel IN ('counter', 'post')) AS receivedInPerson,
                    sum(t.resolved_at < :end) AS resolved,
                    sum(t.resolved_at < :end AND t.timeliness IN ('early', 'on-time')) AS resolvedOnTime,
                    sum(EXISTS (SELECT 1 FROM progress_post p WHERE p.ticket = t.code AND p.at < :end)) AS withProgress,
                    sum(EXISTS (SELECT 1 FROM open311_media m WHERE m.ticket = t.code)
                        OR EXISTS (SELECT 1 FROM open311_request o WHERE o.ticket = t.code AND o.media_urls NOT IN ('[]', ''))) AS withPhotos
                FROM ticket t JOIN service s ON s.code = t.service
                WHERE s.kind = 'feedback' AND t.received_at >= :start AND t.received_at < :end AND t.state != 'rejected'
                \(context.request.filter.sql)
                GROUP BY g ORDER BY g
                """,
            arguments: context.arguments)
        let counts = [
            "received", "receivedHotline", "receivedOnline", "receivedInPerson", "resolved", "resolvedOnTime", "withProgress", "withPhotos",
        ]
        var table = rows.map { row -> [String: ReportValue] in
            var values: [String: ReportValue] = ["group": .text(row["g"])]
            for name in counts { values[name] = .int(row[name] ?? 0) }
            let received: Int = row["received"] ?? 0
            let resolved: Int = row["resolved"] ?? 0
            values["onTimeRate"] = share(row["resolvedOnTime"] ?? 0, resolved)
            values["photoShare"] = share(row["withPhotos"] ?? 0, received)
            return values
        }
        if table.isEmpty && context.request.groupBy == .none {
            var zero: [String: ReportValue] = ["group": .text("all"), "onTimeRate": .null, "photoShare": .null]
            for name in counts { zero[name] = .int(0) }
            table = [zero]
        }
        return context.table("feedback", ["group"] + counts + ["onTimeRate", "photoShare"], table)
    }
}
