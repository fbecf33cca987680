import Foundation
import GRDB
import GRDBSQLite

extension AppDatabase {
    static let feedbackCounts = [
        "received", "receivedHotline", "receivedOnline", "receivedInPerson", "forwarded", "forwardedOnTime", "asked", "acceptedOnTime",
        "acceptedLate", "sentBack", "resolved", "resolvedOnTime", "reopened", "merged", "withProgress", "withPhotos", "complaints",
        "denunciations",
    ]

    /// The feedback figures (docs/reports.md, feedback): the feedback and petitions (*phản ánh,
    /// kiến nghị*, services of kind `feedback`) received in the period, by how they came; how
    /// many were forwarded (within 5 working days), how the bodies asked answered (accepted on
    /// time or late, sent back), resolved and on time, reopened, merged, with progress or photos.
    /// Items classed a complaint or a denunciation are counted apart (their own two columns) and
    /// in nothing else; inquiries are not feedback.
    ///
    /// Off the straight path the tickets come from the covering index `ticket_intake` in two
    /// halves at once, and the forwards, progress posts and photos are read once per half
    /// (`FeedbackFacts`) instead of looked up for every ticket (docs/benchmarks.md);
    /// `ReportScanTests.agreement` holds the two paths equal.
    func feedback(_ context: ReportContext, now: Date) async throws -> ReportTable {
        if context.straight { return try await read { db in try Self.feedbackFigures(db, context) } }
        let tally = try await halves(context, now: now) { db, half, arguments in
            try Self.feedbackTally(
                db, context, FeedbackFacts(db, end: context.end), bound: half.bound("t.received_at"), arguments: arguments)
        } merge: {
            $0.merged($1)
        }
        return Self.feedbackTable(context, tally.rows)
    }

    /// The straight path: one query, the forwards and posts looked up for every ticket.
    static func feedbackFigures(_ db: any SQLSession, _ context: ReportContext) throws -> ReportTable {
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
        return feedbackTable(context, rows)
    }

    static func feedbackTable(_ context: ReportContext, _ rows: [Row]) -> ReportTable {
        countTable(context, "feedback", rows, counts: feedbackCounts, shares: ["onTimeRate", "acceptanceRate", "photoShare"]) { row in
            let accepted: Int = (row["acceptedOnTime"] ?? 0) + (row["acceptedLate"] ?? 0)
            return [
                "onTimeRate": share(row["resolvedOnTime"] ?? 0, row["resolved"] ?? 0),
                "acceptanceRate": share(row["acceptedOnTime"] ?? 0, accepted),
                "photoShare": share(row["withPhotos"] ?? 0, row["received"] ?? 0),
            ]
        }
    }

    /// The fast path's half: each ticket's figures computed in Swift from the columns of
    /// `ticket_intake` as they sit in SQLite's row, and from `facts`.
    static func feedbackTally(
        _ db: any SQLSession, _ context: ReportContext, _ facts: FeedbackFacts, bound: String, arguments: SQLArguments
    ) throws -> CountTally {
        let end = context.end
        var tally = CountTally(feedbackCounts)
        var labels = GroupLabels(context)
        var feedback = try ServiceFlags(db, sql: "SELECT code, kind = 'feedback' FROM service WHERE kind IN ('feedback', 'inquiry')")
        try forEachRow(db, sql: feedbackColumnsSQL(context, bound: bound), arguments: arguments) { raw in
            // Columns: 0 g, 1 code, 2 service, 3 channel, 4 nature, 5 merged into, 6 resolved, 7 timeliness, 8 reopened.
            // Bits: `feedbackCounts`' order.
            let nature = RawColumn(raw, 4)
            let ofFeedback = feedback.flag(RawColumn(raw, 2))
            // An inquiry counts only when it was classed a complaint or a denunciation.
            if !ofFeedback && nature.isNull { return }
            let group = tally.group(of: raw, &labels)
            guard ofFeedback, nature.isNull else {
                // Not a feedback item: counted only as a complaint or a denunciation.
                tally.add(group, nature.is("complaint") ? 1 << 16 : nature.is("denunciation") ? 1 << 17 : 0)
                return
            }
            var bits: UInt32 = 1
            let channel = RawColumn(raw, 3)
            if channel.is("hotline") {
                bits |= 1 << 1
            } else if channel.is("web") || channel.is("mobile") || channel.is("open311") || channel.is("email") {
                bits |= 1 << 2
            } else if channel.is("counter") || channel.is("post") {
                bits |= 1 << 3
            }
            if !RawColumn(raw, 5).isNull {
                bits |= 1 << 13
            } else if let resolved = RawColumn(raw, 6).integer, resolved < end {
                bits |= 1 << 10
                let timeliness = RawColumn(raw, 7)
                if timeliness.is("early") || timeliness.is("on-time") { bits |= 1 << 11 }
            }
            if RawColumn(raw, 8).positive { bits |= 1 << 12 }
            if facts.byTicket {
                let code = RawColumn(raw, 1)
                if let forwards = facts.forwards[code] {
                    if forwards.forwarded { bits |= 1 << 4 }
                    if forwards.firstOnTime { bits |= 1 << 5 }
                    tally.add(group, forwards.asked, at: 6)
                    tally.add(group, forwards.acceptedOnTime, at: 7)
                    tally.add(group, forwards.acceptedLate, at: 8)
                    tally.add(group, forwards.sentBack, at: 9)
                }
                if facts.withProgress.contains(code) { bits |= 1 << 14 }
                if facts.withPhotos.contains(code) { bits |= 1 << 15 }
            }
            tally.add(group, bits)
        }
        return tally
    }

    /// The columns `feedbackTally` reads, of the feedback and inquiries received in the period (an
    /// inquiry counts only classed a complaint or a denunciation: `feedbackTally` skips the rest):
    /// for each such service, a range of the covering index `ticket_intake`
    /// (`ReportScanTests.coveringPlans`).
    static func feedbackColumnsSQL(_ context: ReportContext, bound: String) -> String {
        """
        SELECT \(context.groupKey("received_at")) AS g, t.code, t.service, t.channel, t.nature, t.merged_into, t.resolved_at,
            t.timeliness, t.reopened
        FROM ticket t INDEXED BY ticket_intake
        WHERE t.service IN (SELECT code FROM service WHERE kind IN ('feedback', 'inquiry'))
            AND t.received_at >= :start AND t.received_at < :end\(bound) AND t.state != 'rejected'\(context.request.filter.sql)
        """
    }
}

/// What the feedback report counts that is recorded beside the tickets, read once for a report
/// ending at `end`, in time proportional to what it holds rather than to the tickets.
struct FeedbackFacts: Sendable {
    /// A ticket's forwards to the bodies that must answer, as of the end.
    struct Forwards: Sendable {
        /// Sent before the end, at least once.
        var forwarded = false
        /// The first forward (the lowest id) sent before the end within its 5 working days.
        var firstOnTime = false
        /// Forwards sent, accepted on time, accepted late, sent back — before the end.
        var asked = 0
        var acceptedOnTime = 0
        var acceptedLate = 0
        var sentBack = 0
    }

    var forwards = TicketCodes<Forwards>()
    /// The tickets with a progress post before the end.
    var withProgress = TicketCodes<Bool>()
    /// The tickets with photos: posted with the Open311 request (as files or links), or with a
    /// progress post before the end.
    var withPhotos = TicketCodes<Bool>()

    /// Whether any set holds something: if not, no ticket's code need be read.
    var byTicket: Bool { !(forwards.isEmpty && withProgress.isEmpty && withPhotos.isEmpty) }

    init(_ db: any SQLSession, end: Int64) throws {
        // In the order of their ids, so a ticket's first forward is the first of its rows.
        try forEachRow(
            db,
            sql: """
                SELECT ticket, sent_at < :end, grade IN ('early', 'on-time'), accepted_at < :end AND acceptance_grade = 'on-time',
                    accepted_at < :end AND acceptance_grade = 'late', sent_back_at < :end
                FROM forward ORDER BY id
                """,
            arguments: ["end": end]
        ) { row in
            func flag(_ index: Int32) -> Bool { sqlite3_column_int64(row, index) == 1 }
            let sent = flag(1)
            forwards.update(RawColumn(row, 0), initial: Forwards(firstOnTime: sent && flag(2))) { found in
                found.forwarded = found.forwarded || sent
                found.asked += sent ? 1 : 0
                found.acceptedOnTime += flag(3) ? 1 : 0
                found.acceptedLate += flag(4) ? 1 : 0
                found.sentBack += flag(5) ? 1 : 0
            }
        }
        try forEachRow(db, sql: "SELECT ticket, photos != '[]' FROM progress_post WHERE at < ?", arguments: [end]) { row in
            withProgress.insert(RawColumn(row, 0))
            if sqlite3_column_int64(row, 1) == 1 { withPhotos.insert(RawColumn(row, 0)) }
        }
        try withPhotos.insert(db, sql: "SELECT ticket FROM open311_media")
        try withPhotos.insert(db, sql: "SELECT ticket FROM open311_request WHERE media_urls NOT IN ('[]', '')")
    }
}
