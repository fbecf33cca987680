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
        let phone: String? = try query.phone.map { text in
            switch Identifiers.normalise(phone: text) {
            case .success(let normalised): return normalised
            case .failure(let problem): throw DeskError.validation([FieldError("phone", problem.description)])
            }
        }
        return try await read { db in
            let (_, time) = try self.workingTime(db)
            var conditions: [String] = []
            var arguments: StatementArguments = []
            func add(_ condition: String, _ values: [any DatabaseValueConvertible]) {
                conditions.append(condition)
                arguments += StatementArguments(values)
            }
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
            let open = "t.state IN ('queued', 'in-progress', 'awaiting-citizen')"
            if let overdue = query.overdue {
                add(overdue ? "\(open) AND t.due_at < ?" : "NOT (\(open) AND t.due_at < ?)", [now.storedSeconds])
            }
            if let atRisk = query.atRisk {
                let threshold = time.walk(minutes: Self.atRiskWorkingMinutes, from: now).due
                let condition = "\(open) AND t.due_at >= ? AND t.due_at <= ?"
                add(atRisk ? condition : "NOT (\(condition))", [now.storedSeconds, threshold.storedSeconds])
            }
            if let value = query.receivedFrom { add("t.received_at >= ?", [value.storedSeconds]) }
            if let value = query.receivedTo { add("t.received_at < ?", [value.storedSeconds]) }
            if let text = query.text {
                guard let match = TextFolding.matchQuery(text) else { return Page(items: [], nextCursor: nil) }
                add(
                    "(t.code IN (SELECT code FROM ticket_search WHERE ticket_search MATCH ?) OR t.applicant IN (SELECT applicant FROM applicant_search WHERE applicant_search MATCH ?))",
                    [match, match])
            }
            if let phone { add("t.applicant IN (SELECT id FROM applicant WHERE phone = ? OR representative_phone = ?)", [phone, phone]) }
            if let value = query.idNumber {
                add("t.applicant IN (SELECT id FROM applicant WHERE id_number = ? OR tax_code = ?)", [value, value])
            }
            if let cursor = page.cursor {
                let parts = cursor.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, let seconds = Int64(parts[0]) else {
                    throw DeskError.validation([FieldError("cursor", "is not a cursor this server gave")])
                }
                add("(t.received_at < ? OR (t.received_at = ? AND t.code < ?))", [seconds, seconds, String(parts[1])])
            }
            let sql =
                "SELECT t.* FROM ticket t" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
                + " ORDER BY t.received_at DESC, t.code DESC LIMIT ?"
            arguments += [page.limit + 1]
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments).map(Ticket.init(row:))
            let views = try rows.map { try Self.view(db, $0, time: time, now: now, withApplicant: false) }
            return Page(rows: views, limit: page.limit) { "\($0.ticket.receivedAt.storedSeconds):\($0.ticket.code)" }
        }
    }
}
