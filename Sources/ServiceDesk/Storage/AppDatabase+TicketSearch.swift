import Foundation
import GRDB

/// The filters of `GET /api/v1/tickets` (SPEC §4).
public struct TicketQuery: Sendable {
    public var states: [Ticket.State] = []
    public var department: String?
    public var service: String?
    public var assignee: String?
    public var channel: Ticket.Channel?
    public var overdue: Bool?
    public var atRisk: Bool?
    public var receivedFrom: Date?
    public var receivedTo: Date?
    /// Full text: folded, so "dang" finds "Đặng" and "nguyen van an" finds "Nguyễn Văn An".
    public var text: String?
    public var phone: String?
    public var idNumber: String?

    public init() {}
}

extension AppDatabase {
    /// Tickets newest first, keyset-paginated (`cursor` is `receivedAt:code` of the last item).
    public func tickets(_ query: TicketQuery, page: PageRequest, viewer: Staff) async throws -> Page<TicketView> {
        let now = clock()
        // A filter, not an input: a number no intake would accept matches no ticket (an empty
        // page), as any other filter value that matches nothing.
        let phone: String? = query.phone.map { text in
            switch Identifiers.normalise(phone: text) {
            case .success(let normalised): normalised
            case .failure: "unmatchable:" + text
            }
        }
        // The cursor is checked first: a bad one is a 422 even when another filter matches nothing.
        let after: (seconds: Int64, code: String)? = try page.cursor.map { cursor in
            let parts = cursor.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let seconds = Int64(parts[0]) else {
                throw DeskError.validation([FieldError("cursor", "is not a cursor this server gave")])
            }
            return (seconds, String(parts[1]))
        }
        return try await read { db in
            let (centre, time) = try self.workingTime(db)
            let horizon = Deadline.atRiskHorizon(now: now, days: centre.atRiskDays, time: time)
            var conditions: [String] = []
            var arguments: SQLArguments = []
            func add(_ condition: String, _ values: [any DatabaseValueConvertible]) {
                conditions.append(condition)
                arguments += SQLArguments(values)
            }
            // The SQL form of `Permissions.canSee`.
            switch viewer.role {
            case .admin, .supervisor, .officer: break
            case .handler: add("t.department = ?", [viewer.department ?? ""])
            case .integration: add("t.created_by = ?", [viewer.username])
            case .kiosk, .display: throw DeskError.forbidden("role \(viewer.role.rawValue) may not see tickets")
            }
            if !query.states.isEmpty {
                add("t.state IN (\(query.states.map { _ in "?" }.joined(separator: ",")))", query.states.map(\.rawValue))
            }
            if let value = query.department { add("t.department = ?", [value]) }
            if let value = query.service { add("t.service = ?", [value]) }
            if let value = query.assignee { add("t.holder = ?", [value]) }
            if let value = query.channel { add("t.channel = ?", [value.rawValue]) }
            if let overdue = query.overdue {
                let condition = Self.overdueSQL("t", now: String(now.storedSeconds))
                add(overdue ? condition : "NOT (\(condition))", [])
            }
            if let atRisk = query.atRisk {
                let condition = Self.atRiskSQL("t", now: String(now.storedSeconds), horizon: String(horizon.storedSeconds))
                add(atRisk ? condition : "NOT (\(condition))", [])
            }
            if let value = query.receivedFrom { add("t.received_at >= ?", [value.storedSeconds]) }
            if let value = query.receivedTo { add("t.received_at < ?", [value.storedSeconds]) }
            if let text = query.text {
                // SQLite: FTS5 tables; PostgreSQL: tsvector columns of the same words (schema/postgres/0004).
                if db.sqlite != nil {
                    guard let match = TextFolding.matchQuery(text) else { return Page(items: [], nextCursor: nil) }
                    add(
                        "(t.code IN (SELECT code FROM ticket_search WHERE ticket_search MATCH ?) OR t.applicant IN (SELECT applicant FROM applicant_search WHERE applicant_search MATCH ?))",
                        [match, match])
                } else {
                    guard let match = TextFolding.tsQuery(text) else { return Page(items: [], nextCursor: nil) }
                    add(
                        "(t.code IN (SELECT code FROM ticket_search WHERE words @@ to_tsquery('simple', ?)) OR t.applicant IN (SELECT applicant FROM applicant_search WHERE words @@ to_tsquery('simple', ?)))",
                        [match, match])
                }
            }
            if let phone { add("t.applicant IN (SELECT id FROM applicant WHERE phone = ? OR representative_phone = ?)", [phone, phone]) }
            if let value = query.idNumber {
                add("t.applicant IN (SELECT id FROM applicant WHERE id_number = ? OR tax_code = ?)", [value, value])
            }
            if let after { add("(t.received_at < ? OR (t.received_at = ? AND t.code < ?))", [after.seconds, after.seconds, after.code]) }
            let sql =
                "SELECT t.* FROM ticket t" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
                + " ORDER BY t.received_at DESC, t.code DESC LIMIT ?"
            arguments += [page.limit + 1]
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments).map(Ticket.init(row:))
            let views = rows.map { Self.view($0, applicant: nil, now: now, horizon: horizon) }
            return Page(rows: views, limit: page.limit) { "\($0.ticket.receivedAt.storedSeconds):\($0.ticket.code)" }
        }
    }

    /// `Deadline.isOverdue` in SQL over the ticket alias `t`: open, and due before the moment of
    /// reference (now, or when the clock stopped while waiting on the citizen). `now` is an SQL
    /// expression: an integer literal of stored seconds, or a named parameter.
    static func overdueSQL(_ t: String, now: String) -> String {
        "(\(t).state IN \(Ticket.State.openSQL) AND \(pastDueSQL(t, now: now)))"
    }

    /// The due comparison of `overdueSQL` alone, for a ticket known to be open at `now`.
    static func pastDueSQL(_ t: String, now: String) -> String {
        "\(t).due_at < min(coalesce(\(t).paused_at, \(now)), \(now))"
    }

    /// `Deadline.isAtRisk` in SQL: open, the clock running, due between now and the horizon.
    static func atRiskSQL(_ t: String, now: String, horizon: String) -> String {
        "(\(t).state IN \(Ticket.State.openSQL) AND \(t).paused_at IS NULL AND \(t).due_at >= \(now) AND \(t).due_at <= \(horizon))"
    }
}
