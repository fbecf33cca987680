import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Prometheus
import ServiceDesk
import Testing

@testable import deskd

/// The app `deskd` serves, built in-process on a fresh in-memory database (or a fresh database
/// on PostgreSQL: `TestEngine`) with the example centre loaded, and the admin's token.
struct TestApp {
    let database: AppDatabase
    let adminToken: String
    var configuration: DeskdConfiguration

    static func make(bodyLimit: Int = DeskdConfiguration.defaultBodyLimit) async throws -> TestApp {
        let database =
            TestEngine.onPostgres
            ? try await AppDatabase.connect(postgres: try TestEngine.freshDatabase(), maximumConnections: 3, patience: .seconds(60))
            : try AppDatabase.inMemory()
        let token = try #require(try database.bootstrap().adminToken)
        _ = try await Demo.load(into: database, actor: "admin")
        var configuration = DeskdConfiguration()
        configuration.bodyLimit = bodyLimit
        configuration.metricsRefresh = .zero  // every scrape reads the gauges afresh
        return TestApp(database: database, adminToken: token, configuration: configuration)
    }

    var application: some ApplicationProtocol {
        buildApplication(configuration, database: database, registry: PrometheusCollectorRegistry(), logger: Logger(label: "test"))
    }

    /// Runs `body` against the router (no network).
    func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await application.test(.router) { client in try await body(client) }
    }

    /// A token for a new staff member with `role` (handlers belong to tu-phap).
    func token(for role: Role) async throws -> String {
        if role == .admin { return adminToken }
        let username = "\(role.rawValue)-\(UUID().uuidString.prefix(6).lowercased())"
        _ = try await database.createStaff(
            StaffDraft(
                username: username, name: "Test \(role.rawValue)", role: role.rawValue, department: role == .handler ? "tu-phap" : nil,
                employment: "contract"),
            actor: "admin")
        return try await database.createToken(for: username, label: "test", actor: "admin").token
    }

    /// An Open311 `api_key`: a token of scope `open311` of a new integration member.
    func open311Key() async throws -> String {
        let username = "open311-\(UUID().uuidString.prefix(6).lowercased())"
        _ = try await database.createStaff(
            StaffDraft(username: username, name: "Civic app", role: "integration", employment: "contract"), actor: "admin")
        return try await database.createToken(for: username, label: "open311", scope: .open311, actor: "admin").token
    }
}

func bearer(_ token: String, idempotencyKey: String? = nil) -> HTTPFields {
    var fields: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
    if let idempotencyKey { fields[HTTPField.Name("Idempotency-Key")!] = idempotencyKey }
    return fields
}

func json(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The body parsed as untyped JSON (Open311 answers are checked field by field, as a client reads them).
    var jsonObject: Any? { try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) }

    func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
        try JSONCoding.decoder.decode(type, from: Data(body.readableBytesView))
    }

    /// The problem body of an error answer.
    var problem: ProblemBody? {
        guard headers[.contentType] == "application/problem+json" else { return nil }
        return try? decode(ProblemBody.self)
    }
}

struct ProblemBody: Decodable {
    var type: String
    var title: String
    var status: Int
    var detail: String
    var errors: [FieldError]?
    var conflicts: [ModeConflict]?
}
