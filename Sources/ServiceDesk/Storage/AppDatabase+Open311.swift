import Foundation
import GRDB

/// What the Open311 endpoint reads (SPEC §7, docs/open311.md). Only tickets received on the
/// `open311` channel are published: a civic app's reports are public by nature, a dossier
/// handed in at the counter is not.
extension AppDatabase {
    /// The centre and the last change of its catalogue or settings (discovery's changeset).
    public func open311Discovery() async throws -> (centre: Centre, changeset: Date) {
        try await read { db in
            let centre = try Self.centre(db)
            let changed =
                try Int64.fetchOne(
                    db,
                    sql:
                        "SELECT max(at) FROM (SELECT max(updated_at) AS at FROM service UNION ALL SELECT updated_at FROM centre) AS changes"
                ) ?? 0
            return (centre, Date(storedSeconds: changed))
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
    /// photos are linked under `mediaRoot` (the endpoint's URL as the client reached it). The
    /// centre's time zone comes with them: Open311 writes its datetimes with that offset.
    public func open311Requests(
        _ search: Open311Search, mediaRoot: String = "/open311/v2"
    ) async throws -> (requests: [Open311Request], zone: TimeZone) {
        try await read { db in
            var sql = Self.open311RequestSQL(byReceivedTime: search.ids == nil)
            var arguments: SQLArguments = []
            if let ids = search.ids {
                sql += " WHERE t.channel = 'open311' AND t.code IN (\(databaseQuestionMarks(count: ids.count)))"
                arguments += SQLArguments(ids)
            } else {
                sql += " WHERE t.channel = 'open311' AND t.received_at BETWEEN ? AND ?"
                arguments += [search.start.storedSeconds, search.end.storedSeconds]
                if let codes = search.serviceCodes {
                    for code in codes where try !Self.exists(db, "service", "code", code) {
                        throw DeskError.notFound(entity: "service", id: code)
                    }
                    sql += " AND t.service IN (\(databaseQuestionMarks(count: codes.count)))"
                    arguments += SQLArguments(codes)
                }
                if let statuses = search.statuses, statuses.count == 1 {
                    sql += " AND t.state \(statuses.contains(.open) ? "" : "NOT ")IN \(Ticket.State.openSQL)"
                }
            }
            sql += " ORDER BY t.received_at DESC, t.code DESC LIMIT \(Open311Search.maxResults)"
            return try self.open311Requests(db, Row.fetchAll(db, sql: sql, arguments: arguments), mediaRoot: mediaRoot)
        }
    }

    /// GET requests/{id}: one request received through Open311.
    public func open311Request(
        _ id: String, mediaRoot: String = "/open311/v2"
    ) async throws -> (request: Open311Request, zone: TimeZone) {
        try await read { db in
            let rows = try Row.fetchAll(
                db, sql: Self.open311RequestSQL(byReceivedTime: false) + " WHERE t.code = ? AND t.channel = 'open311'", arguments: [id])
            let (requests, zone) = try self.open311Requests(db, rows, mediaRoot: mediaRoot)
            guard let request = requests.first else { throw DeskError.notFound(entity: "request", id: id) }
            return (request, zone)
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

    /// A ticket with what Open311 shows beyond it, in one query: the request's extras, its first
    /// uploaded photo and the moment of its last event. A window of received time reads the
    /// partial index of Open311 tickets.
    static func open311RequestSQL(byReceivedTime: Bool) -> String {
        """
        SELECT t.*, o.address_id AS o_address_id, o.media_urls AS o_media_urls,
            (SELECT m.token FROM open311_media m WHERE m.ticket = t.code ORDER BY m.id LIMIT 1) AS o_upload,
            (SELECT e.at FROM event e WHERE e.entity = 'ticket' AND e.entity_id = t.code ORDER BY e.id DESC LIMIT 1) AS o_last_event
        FROM ticket t\(byReceivedTime ? " INDEXED BY ticket_open311" : "") LEFT JOIN open311_request o ON o.ticket = t.code
        """
    }

    private func open311Requests(_ db: any SQLSession, _ rows: [Row], mediaRoot: String) throws -> ([Open311Request], TimeZone) {
        let (_, time) = try workingTime(db)
        guard !rows.isEmpty else { return ([], time.clock.timeZone) }
        let now = clock()
        let departments = try Self.departmentNames(db)
        var services: [String: (name: String, limit: TimeLimit)] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT code, name, time_limit FROM service") {
            services[row["code"]] = (row["name"], TimeLimit(row["time_limit"] as String) ?? .days(1))
        }
        let progress = try Self.latestProgress(
            db, rows.compactMap { ($0["state"] as String?).flatMap(Ticket.State.init)?.isOpen == true ? $0["code"] : nil })
        let requests = rows.map { row in
            let ticket = Ticket(row: row)
            let media = (row["o_media_urls"] as String?).flatMap { try? APIJSON.decoder.decode([String].self, from: Data($0.utf8)) }
            let upload: String? = row["o_upload"]
            let open = ticket.state.isOpen
            // Closed: the moment it closed; open: its last event (seeded history has none).
            let closedAt = open ? nil : ticket.resolvedAt ?? ticket.closedAt
            let updated = closedAt ?? (row["o_last_event"] as Int64?).map(Date.init(storedSeconds:)) ?? ticket.receivedAt
            let expected = ticket.revisedDueAt ?? ticket.dueAt
            let department = ticket.department.map { departments[$0] ?? $0 }
            let service = services[ticket.service]
            return Open311Request(
                serviceRequestId: ticket.code, status: open ? .open : .closed,
                statusNotes: Open311Request.notes(for: ticket, department: department, overdue: Deadline.isOverdue(ticket, now: now))
                    + (progress[ticket.code].map { Open311Request.notes(progress: $0, clock: time.clock) } ?? ""),
                serviceName: service?.name ?? ticket.service, serviceCode: ticket.service,
                description: ticket.description.isEmpty ? nil : ticket.description, agencyResponsible: department,
                serviceNotice: service.map { Open311Request.notice(limit: $0.limit, due: expected, clock: time.clock) },
                requested: ticket.receivedAt, updated: updated, expected: expected, address: ticket.location?.address,
                addressId: row["o_address_id"], lat: ticket.location?.lat, long: ticket.location?.long,
                mediaURL: media?.first ?? upload.map { "\(mediaRoot)/media/\($0)" })
        }
        return (requests, time.clock.timeZone)
    }

    static func departmentNames(_ db: any SQLSession) throws -> [String: String] {
        var names: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT code, name FROM department") { names[row["code"]] = row["name"] }
        return names
    }
}
