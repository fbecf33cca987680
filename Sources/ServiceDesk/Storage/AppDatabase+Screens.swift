import Foundation
import GRDB

/// A service a citizen can take a number for at the kiosk, with how the queue stands.
public struct KioskService: Codable, Equatable, Sendable {
    public var code: String
    public var name: String
    /// The field (*lĩnh vực*) the kiosk groups it under; absent: "other services".
    public var field: String?
    public var queuePrefix: String
    public var waiting: Int
    public var estimatedWaitMinutes: Int
    public var openCounters: Int
}

/// What the kiosk shows: the services that issue walk-in numbers and the priority groups the
/// hall settings name (elderly, disabled, pregnant, …).
public struct KioskMenu: Codable, Equatable, Sendable {
    /// The centre's name, the screens' title.
    public var centre: String
    public var services: [KioskService]
    public var priorityReasons: [String]
}

/// A walk-in number as a citizen follows it on a phone: nothing personal (a number carries none).
public struct PublicQueueNumber: Codable, Equatable, Sendable {
    public var label: String
    public var day: LocalDate
    public var service: String
    public var state: QueueNumber.State
    /// Waiting only: the place in the queue (1 = next) and the estimated wait.
    public var position: Int?
    public var estimatedWaitMinutes: Int?
    /// Called or being served: the counter to go to.
    public var counter: Int?
}

extension AppDatabase {
    public func kioskMenu() async throws -> KioskMenu {
        try await read { db in
            let settings = try Self.hallSettings(db)
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT s.code, s.name, s.field, s.queue_prefix,
                    (SELECT count(*) FROM queue_number q WHERE q.state = 'waiting' AND q.service = s.code) AS waiting,
                    (SELECT count(*) FROM counter c JOIN counter_service cs ON cs.counter = c.number
                     WHERE cs.service = s.code AND c.open = 1 AND c.active = 1) AS open
                    FROM service s WHERE s.active = 1 AND s.queue_prefix IS NOT NULL ORDER BY s.field IS NULL, s.field, s.name
                    """)
            let services = try rows.map { row -> KioskService in
                let code: String = row["code"]
                let recent = try Int.fetchAll(
                    db,
                    sql: """
                        SELECT finished_at - started_at FROM queue_number WHERE state = 'served' AND service = ? AND started_at IS NOT NULL
                        ORDER BY finished_at DESC LIMIT 20
                        """, arguments: [code])
                let waiting: Int = row["waiting"]
                let open: Int = row["open"]
                return KioskService(
                    code: code, name: row["name"], field: row["field"], queuePrefix: row["queue_prefix"], waiting: waiting,
                    estimatedWaitMinutes: Hall.estimatedWait(
                        ahead: waiting, openCounters: open, recentServiceSeconds: recent, defaultMinutes: settings.defaultServiceMinutes),
                    openCounters: open)
            }
            return KioskMenu(centre: try Self.centre(db).name, services: services, priorityReasons: settings.priorityReasons)
        }
    }

    /// A number of today by its label, as the citizen who holds it follows it (404 if none, and
    /// for any other day: the hall's history is not for anyone to walk through).
    public func publicQueueNumber(day: LocalDate, label: String) async throws -> PublicQueueNumber {
        let now = clock()
        return try await read { db in
            guard day == (try self.workingTime(db).1.clock.local(now).date) else {
                throw DeskError.notFound(entity: "queue number of today", id: "\(day) \(label)")
            }
            guard
                let id = try Int64.fetchOne(
                    db, sql: "SELECT id FROM queue_number WHERE day = ? AND label = ? ORDER BY id DESC LIMIT 1",
                    arguments: [day.description, label])
            else { throw DeskError.notFound(entity: "queue number", id: "\(day) \(label)") }
            let number = try Self.queueNumber(db, id)
            let service = try String.fetchOne(db, sql: "SELECT name FROM service WHERE code = ?", arguments: [number.service])
            var result = PublicQueueNumber(
                label: number.label, day: number.day, service: service ?? number.service, state: number.state)
            switch number.state {
            case .waiting:
                let issued = try Self.issued(db, number, settings: try Self.hallSettings(db))
                result.position = issued.position
                result.estimatedWaitMinutes = issued.estimatedWaitMinutes
            case .called, .serving:
                result.counter = number.counter
            case .served, .noShow, .transferred, .closed:
                break
            }
            return result
        }
    }
}
