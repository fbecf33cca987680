import Foundation
import GRDB
import GRDBSQLite

extension AppDatabase {
    static let onlineCounts = [
        "received", "receivedOnline", "awaitingReception", "receptionOnTime", "receptionLate", "feeBearing", "paidOnline",
        "synchronised", "fullyOnline", "fullyOnlineFiledOnline", "toDigitise", "digitised", "reusingData", "resultsIssued",
        "electronicResults",
    ]

    /// The online-service figures of Decision 766/QĐ-TTg this system records (docs/reports.md,
    /// online): of the dossiers of procedures received in the period, how many came online (and
    /// of the fully online procedures), how many of those bearing fees were paid online, how many
    /// the National Public Service Portal holds in step with us; and the digitisation group —
    /// paper dossiers digitised, dossiers reusing digitised data, electronic results.
    ///
    /// Off the straight path the days the day rollups answer come from them (`rolledUpOnline`,
    /// migration 0032: all of a period whose facts all came before its end), and the rest of the
    /// period (`onlineTally`) from the covering index `ticket_intake` in two halves at once; what
    /// is recorded beside a ticket — its online reception, its payments, the portal's
    /// acknowledgement, its result file — is, for a period that is a large part of the history,
    /// read once per half as sets (`OnlineFacts`) rather than looked up for every ticket; for a
    /// shorter one it is looked up, by indexes keyed by the ticket (`factsAsSets`; figures in
    /// docs/benchmarks.md). `ReportScanTests.agreement` and `ReportRollupTests.agreement` hold
    /// every way equal to the straight path.
    func online(_ context: ReportContext, now: Date) async throws -> ReportTable {
        if context.straight { return try await read { db in try Self.onlineFigures(db, context) } }
        // The days the rollups answer (migration 0032), and the rest of the period from the rows.
        var rolled = CountTally(Self.onlineCounts)
        var rest = context
        if let (tally, rowsFrom) = try await rolledUpOnline(context) {
            if rowsFrom >= context.end { return Self.onlineTable(context, tally.rows) }
            rolled = tally
            rest.start = rowsFrom
        }
        let tally = try await halves(rest, now: now) { [rest] db, half, arguments in
            // Each half reads the facts itself, on its own core, in the state its tickets are read in.
            let facts = try Self.factsAsSets(db, rest, now: now) ? OnlineFacts(db, end: rest.end) : nil
            return try Self.onlineTally(db, rest, facts, bound: half.bound("t.received_at"), arguments: arguments)
        } merge: {
            $0.merged($1)
        }
        return Self.onlineTable(context, rolled.merged(tally).rows)
    }

    /// The straight path: one query, a lookup of each fact for every ticket.
    static func onlineFigures(_ db: any SQLSession, _ context: ReportContext) throws -> ReportTable {
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
        return onlineTable(context, rows)
    }

    static func onlineTable(_ context: ReportContext, _ rows: [Row]) -> ReportTable {
        let shares = [
            "onlineShare", "onlinePaymentShare", "synchronisedShare", "fullyOnlineShare", "digitisedShare", "dataReuseShare",
            "electronicResultShare",
        ]
        return countTable(context, "online", rows, counts: onlineCounts, shares: shares) { row in
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

    /// The fast path's half: each procedure ticket's figures computed in Swift from the columns of
    /// `ticket_intake` as they sit in SQLite's row, and from `facts`.
    static func onlineTally(
        _ db: any SQLSession, _ context: ReportContext, _ facts: OnlineFacts?, bound: String, arguments: SQLArguments
    ) throws -> CountTally {
        let end = context.end
        var tally = CountTally(onlineCounts)
        var labels = GroupLabels(context)
        var fullyOnline = try ServiceFlags(db, sql: "SELECT code, online_level = 'full' FROM service WHERE kind = 'procedure'")
        try forEachRow(db, sql: onlineColumnsSQL(context, bound: bound, lookingUpFacts: facts == nil), arguments: arguments) { raw in
            // Columns: 0 g, 1 code, 2 service, 3 channel, 4 state, 5 awaiting, 6 charge lines, 7 resolved, 8 result file,
            // 9 to digitise, 10 digitised, 11 reused; the facts looked up: 12 received on time, 13 late, 14 paid online,
            // 15 the status acknowledged, 16 the result file stored before the end. Bits: `onlineCounts`' order.
            var bits: UInt32 = 1
            let channel = RawColumn(raw, 3)
            let online = channel.is("web") || channel.is("mobile") || channel.is("email")
            if online { bits |= 1 << 1 }
            if RawColumn(raw, 4).is("new") { bits |= 1 << 2 }
            let feeBearing = RawColumn(raw, 6).positive
            if feeBearing { bits |= 1 << 5 }
            if fullyOnline.flag(RawColumn(raw, 2)) { bits |= online ? (1 << 8 | 1 << 9) : 1 << 8 }
            let toDigitise = RawColumn(raw, 9)
            if !online && toDigitise.positive {
                bits |= 1 << 10
                if RawColumn(raw, 10).integer == toDigitise.integer { bits |= 1 << 11 }
            }
            if RawColumn(raw, 11).positive { bits |= 1 << 12 }
            if let resolved = RawColumn(raw, 7).integer, resolved < end {
                bits |= 1 << 13
                if let facts {
                    if let file = RawColumn(raw, 8).integer, facts.resultFiles.contains(file) { bits |= 1 << 14 }
                } else if sqlite3_column_int64(raw, 16) == 1 {
                    bits |= 1 << 14
                }
            }
            var acknowledged: Int?
            if let facts {
                if facts.byTicket {
                    let code = RawColumn(raw, 1)
                    if facts.receivedOnTime.contains(code) { bits |= 1 << 3 }
                    if facts.receivedLate.contains(code) { bits |= 1 << 4 }
                    if feeBearing && facts.paidOnline.contains(code) { bits |= 1 << 6 }
                    acknowledged = facts.acknowledged[code]
                }
            } else {
                if sqlite3_column_int64(raw, 12) == 1 { bits |= 1 << 3 }
                if sqlite3_column_int64(raw, 13) == 1 { bits |= 1 << 4 }
                if sqlite3_column_int64(raw, 14) == 1 { bits |= 1 << 6 }
                acknowledged = RawColumn(raw, 15).integer.map(Int.init)
            }
            if let acknowledged, let state = RawColumn(raw, 4).text.flatMap(Ticket.State.init),
                acknowledged == PortalStatus.of(state, awaiting: RawColumn(raw, 5).text.flatMap(Ticket.AwaitingReason.init))
            {
                bits |= 1 << 7
            }
            let group = tally.group(of: raw, &labels)
            tally.add(group, bits)
        }
        return tally
    }

    /// The columns `onlineTally` reads, of the procedure tickets received in the period: for each
    /// procedure, a range of the covering index `ticket_intake` (`ReportScanTests.coveringPlans`);
    /// `lookingUpFacts`, with each ticket's facts looked up by the indexes keyed by the ticket.
    static func onlineColumnsSQL(_ context: ReportContext, bound: String, lookingUpFacts: Bool) -> String {
        let reception = """
            EXISTS (SELECT 1 FROM event e INDEXED BY event_reception WHERE e.entity_id = t.code AND e.action = 'ticket.receive'
                AND e.entity = 'ticket' AND e.at < :end AND json_extract(e.detail, '$.receptionGrade') =
            """
        let facts = """
            , \(reception) 'on-time'), \(reception) 'late'),
                t.charge_lines > 0 AND EXISTS (SELECT 1 FROM payment p INDEXED BY payment_online WHERE p.ticket = t.code
                    AND p.kind = 'paid' AND p.method = 'online' AND p.at < :end),
                (SELECT a.portal_status FROM sync_ack a WHERE a.ticket = t.code),
                t.resolved_at < :end AND EXISTS (SELECT 1 FROM stored_file f WHERE f.id = t.result_file AND f.uploaded_at < :end)
            """
        return """
            SELECT \(context.groupKey("received_at")) AS g, t.code, t.service, t.channel, t.state, t.awaiting_reason, t.charge_lines,
                t.resolved_at, t.result_file, t.documents_to_digitise, t.documents_digitised, t.documents_reused\(lookingUpFacts ? facts : "")
            FROM ticket t INDEXED BY ticket_intake
            WHERE t.service IN (SELECT code FROM service WHERE kind = 'procedure')
                AND t.received_at >= :start AND t.received_at < :end\(bound)\(context.request.filter.sql)
            """
    }

    /// Whether the facts beside the tickets are read as sets: when the period (up to now) is at
    /// least a third of the history before its end. A set read takes all the facts of the
    /// history; a look-up costs per ticket of the period, two to three times what a set read
    /// costs per fact. Over a million tickets with their facts a month is looked up in a tenth of
    /// the time the sets take, a year is about even, and the whole history read as sets takes no
    /// longer than its look-ups (docs/benchmarks.md). Either way the same figures.
    static func factsAsSets(_ db: any SQLSession, _ context: ReportContext, now: Date) throws -> Bool {
        guard let first = try Int64.fetchOne(db, sql: "SELECT min(received_at) FROM ticket") else { return false }
        let last = min(context.end, max(context.start, now.storedSeconds))
        return 3 * (last - max(context.start, first)) >= last - first
    }
}

/// What the online report counts that is recorded beside the tickets, read once for a report
/// ending at `end` — each by its own index (migration 0028), in time proportional to what it
/// holds rather than to the tickets — and kept by the codes' bytes (`TicketCodes`).
struct OnlineFacts: Sendable {
    /// The tickets received online before the end, by their reception's grade.
    var receivedOnTime = TicketCodes<Bool>()
    var receivedLate = TicketCodes<Bool>()
    /// The tickets with a payment made online before the end.
    var paidOnline = TicketCodes<Bool>()
    /// The status the portal acknowledged last, per ticket.
    var acknowledged = TicketCodes<Int>()
    /// The result files stored before the end. A ticket's `result_file` is only ever one of its
    /// files stored as its result (`storeResult`), so these are all the files it can name.
    var resultFiles: Set<Int64> = []

    /// Whether any set keyed by ticket holds something: if not, no ticket's code need be read.
    var byTicket: Bool { !(receivedOnTime.isEmpty && receivedLate.isEmpty && paidOnline.isEmpty && acknowledged.isEmpty) }

    init(_ db: any SQLSession, end: Int64) throws {
        try forEachRow(
            db,
            sql: """
                SELECT entity_id, json_extract(detail, '$.receptionGrade') FROM event INDEXED BY event_reception
                WHERE action = 'ticket.receive' AND entity = 'ticket' AND at < ?
                """,
            arguments: [end]
        ) { row in
            let grade = RawColumn(row, 1)
            if grade.is("on-time") {
                receivedOnTime.insert(RawColumn(row, 0))
            } else if grade.is("late") {
                receivedLate.insert(RawColumn(row, 0))
            }
        }
        try paidOnline.insert(
            db, sql: "SELECT ticket FROM payment INDEXED BY payment_online WHERE kind = 'paid' AND method = 'online' AND at < ?",
            arguments: [end])
        try forEachRow(db, sql: "SELECT ticket, portal_status FROM sync_ack", arguments: []) { row in
            let status = Int(sqlite3_column_int64(row, 1))
            acknowledged.update(RawColumn(row, 0), initial: status) { $0 = status }
        }
        resultFiles = try Set(
            db.fetchValues(
                Int64.self, sql: "SELECT id FROM stored_file INDEXED BY stored_file_result WHERE slot = 'result' AND uploaded_at < ?",
                arguments: [end]))
    }
}
