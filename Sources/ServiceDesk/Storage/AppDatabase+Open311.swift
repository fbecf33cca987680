import Foundation
import GRDB

/// What the Open311 endpoint reads (SPEC §7, docs/open311.md). Only tickets received on the
/// `open311` channel are published: a civic app's reports are public by nature, a dossier
/// handed in at the counter is not.
extension AppDatabase {
    /// The centre's identity, time zone and the last change of the catalogue (discovery's changeset).
    public func open311Context() async throws -> (centre: Centre, clock: LocalClock, changeset: Date) {
        try await read { db in
            let (centre, time) = try self.workingTime(db)
            let changed =
                try Int64.fetchOne(
                    db, sql: "SELECT max(at) FROM (SELECT max(updated_at) AS at FROM service UNION ALL SELECT updated_at FROM centre)") ?? 0
            return (centre, time.clock, Date(storedSeconds: changed))
        }
    }

    /// The active services, by code, each with its group: the department of its first route step.
    public func open311Services() async throws -> [Open311Document.ServiceEntry] {
        try await read { db in
            let names = try Self.departmentNames(db)
            return try Self.services(db, filter: ServiceFilter(active: true), limit: nil).map {
                Open311Document.ServiceEntry(service: $0, group: $0.route.first.flatMap { names[$0.department] })
            }
        }
    }

    /// An active service; a retired or unknown one is not found.
    public func open311Service(_ code: String) async throws -> Service {
        let service = try await self.service(code)
        guard service.active else { throw DeskError.notFound(entity: "service", id: code) }
        return service
    }

    /// GET requests: by ids (every other filter ignored), or by service, status and window; at
    /// most 1000, newest first. A `service_code` filter naming no service is not found. Uploaded
    /// photos are linked under `mediaRoot` (the endpoint's URL as the client reached it).
    public func open311Requests(_ search: Open311Search, mediaRoot: String = "/open311/v2") async throws -> [Open311Request] {
        try await read { db in
            var sql = "SELECT t.* FROM ticket t"
            var arguments: StatementArguments = []
            if let ids = search.ids {
                sql += " WHERE t.channel = 'open311' AND t.code IN (\(databaseQuestionMarks(count: ids.count)))"
                arguments += StatementArguments(ids)
            } else {
                sql += " INDEXED BY ticket_open311 WHERE t.channel = 'open311' AND t.received_at BETWEEN ? AND ?"
                arguments += [search.start.storedSeconds, search.end.storedSeconds]
                if let codes = search.serviceCodes {
                    for code in codes where try !Self.exists(db, "service", "code", code) {
                        throw DeskError.notFound(entity: "service", id: code)
                    }
                    sql += " AND t.service IN (\(databaseQuestionMarks(count: codes.count)))"
                    arguments += StatementArguments(codes)
                }
                if let statuses = search.statuses, statuses.count == 1 {
                    sql += " AND t.state \(statuses.contains(.open) ? "" : "NOT ")IN ('queued', 'in-progress', 'awaiting-citizen')"
                }
            }
            sql += " ORDER BY t.received_at DESC, t.code DESC LIMIT \(Open311Search.maxResults)"
            let tickets = try Row.fetchAll(db, sql: sql, arguments: arguments).map(Ticket.init(row:))
            return try self.open311Requests(db, tickets, mediaRoot: mediaRoot)
        }
    }

    /// GET requests/{id}: one request received through Open311.
    public func open311Request(_ id: String, mediaRoot: String = "/open311/v2") async throws -> Open311Request {
        try await read { db in
            guard let row = try db.fetchRow(sql: "SELECT * FROM ticket WHERE code = ? AND channel = 'open311'", arguments: [id]) else {
                throw DeskError.notFound(entity: "request", id: id)
            }
            return try self.open311Requests(db, [Ticket(row: row)], mediaRoot: mediaRoot)[0]
        }
    }

    /// A photo uploaded with an Open311 request: its type (read from its bytes) and its bytes.
    public func open311Media(_ token: String) async throws -> (contentType: String, bytes: Data) {
        try await read { db in
            guard let row = try db.fetchRow(sql: "SELECT content_type, bytes FROM open311_media WHERE token = ?", arguments: [token]) else {
                throw DeskError.notFound(entity: "media", id: token)
            }
            return (row[0], row[1])
        }
    }

    private func open311Requests(_ db: Database, _ tickets: [Ticket], mediaRoot: String) throws -> [Open311Request] {
        guard !tickets.isEmpty else { return [] }
        let (_, time) = try workingTime(db)
        let now = clock()
        let departments = try Self.departmentNames(db)
        var services: [String: (name: String, limit: TimeLimit)] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT code, name, time_limit FROM service") {
            services[row["code"]] = (row["name"], TimeLimit(row["time_limit"] as String) ?? .days(1))
        }
        return try tickets.map { ticket in
            let extra = try db.fetchRow(
                sql: "SELECT address_id, media_urls FROM open311_request WHERE ticket = ?", arguments: [ticket.code])
            let media = (extra?["media_urls"] as String?).flatMap { try? APIJSON.decoder.decode([String].self, from: Data($0.utf8)) }
            // A posted URL first; otherwise the first photo uploaded with it.
            let upload = try db.fetchValue(
                String.self, sql: "SELECT token FROM open311_media WHERE ticket = ? ORDER BY id LIMIT 1", arguments: [ticket.code])
            let open = ticket.state.isOpen
            var updated = ticket.resolvedAt ?? ticket.closedAt
            if open || updated == nil {
                updated =
                    try db.fetchValue(
                        Int64.self, sql: "SELECT at FROM event WHERE entity = 'ticket' AND entity_id = ? ORDER BY id DESC LIMIT 1",
                        arguments: [ticket.code]
                    ).map(Date.init(storedSeconds:))
            }
            let expected = ticket.revisedDueAt ?? ticket.dueAt
            let department = ticket.department.map { departments[$0] ?? $0 }
            let view = try Self.view(db, ticket, time: time, now: now)
            let service = services[ticket.service]
            return Open311Request(
                serviceRequestId: ticket.code, status: open ? .open : .closed,
                statusNotes: Open311Request.notes(for: ticket, department: department, overdue: view.overdue),
                serviceName: service?.name ?? ticket.service, serviceCode: ticket.service,
                description: ticket.description.isEmpty ? nil : ticket.description, agencyResponsible: department,
                serviceNotice: service.map { Open311Request.notice(limit: $0.limit, due: expected, clock: time.clock) },
                requested: ticket.receivedAt, updated: updated ?? ticket.receivedAt, expected: expected,
                address: ticket.location?.address, addressId: extra?["address_id"], lat: ticket.location?.lat, long: ticket.location?.long,
                mediaURL: media?.first ?? upload.map { "\(mediaRoot)/media/\($0)" })
        }
    }

    static func departmentNames(_ db: Database) throws -> [String: String] {
        var names: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT code, name FROM department") { names[row["code"]] = row["name"] }
        return names
    }
}
