import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ServiceDesk
import Testing

@testable import deskd

@Suite("Authentication and roles")
struct AuthTests {
    struct Route: Sendable, CustomStringConvertible {
        var method: HTTPRequest.Method
        var path: String
        var body: String?
        var allowed: Set<Role>
        var description: String { "\(method) \(path)" }
    }

    static let readers: Set<Role> = [.admin, .supervisor, .officer, .handler, .integration]
    static let everyone = Set(Role.allCases)
    static let admin: Set<Role> = [.admin]
    static let hours =
        #"{"hours":{"monday":[{"start":"07:30","end":"11:30"},{"start":"13:30","end":"17:00"}],"tuesday":[{"start":"07:30","end":"17:00"}]}}"#

    /// Every route group of SPEC §4 built so far, with the roles that may use it.
    static let routes: [Route] = [
        Route(method: .get, path: "/api/v1/me", allowed: everyone),
        Route(method: .get, path: "/api/v1/centre", allowed: readers),
        Route(method: .patch, path: "/api/v1/centre", body: #"{"name":"Trung tâm"}"#, allowed: admin),
        Route(method: .post, path: "/api/v1/centre/mode", body: #"{"mode":"public-service-unit","dryRun":true}"#, allowed: admin),
        Route(method: .get, path: "/api/v1/calendar", allowed: readers),
        Route(method: .put, path: "/api/v1/calendar", body: hours, allowed: admin),
        Route(method: .post, path: "/api/v1/calendar/days", body: #"{"date":"2027-01-01","kind":"holiday","name":"Tết"}"#, allowed: admin),
        Route(method: .delete, path: "/api/v1/calendar/days/2026-01-01", allowed: admin),
        Route(method: .get, path: "/api/v1/departments", allowed: readers),
        Route(method: .get, path: "/api/v1/departments/mot-cua", allowed: readers),
        Route(method: .post, path: "/api/v1/departments", body: #"{"code":"new-dept","name":"New","kind":"internal"}"#, allowed: admin),
        Route(method: .patch, path: "/api/v1/departments/mot-cua", body: #"{"name":"Một cửa"}"#, allowed: admin),
        Route(method: .get, path: "/api/v1/services", allowed: readers),
        Route(method: .get, path: "/api/v1/services/1.004227", allowed: readers),
        Route(
            method: .post, path: "/api/v1/services",
            body: #"{"code":"X.1","name":"X","kind":"inquiry","timeLimit":"1 d","route":[{"department":"tiep-dan"}]}"#, allowed: admin),
        Route(method: .patch, path: "/api/v1/services/1.004227", body: #"{"name":"Đất đai"}"#, allowed: admin),
        Route(method: .get, path: "/api/v1/staff", allowed: [.admin, .supervisor]),
        Route(method: .get, path: "/api/v1/staff/admin", allowed: [.admin, .supervisor]),
        Route(
            method: .post, path: "/api/v1/staff", body: #"{"username":"new.one","name":"N","role":"officer","employment":"contract"}"#,
            allowed: admin),
        Route(method: .patch, path: "/api/v1/staff/lan.mc", body: #"{"name":"Lan"}"#, allowed: admin),
        Route(method: .post, path: "/api/v1/staff/lan.mc/tokens", body: #"{"label":"t"}"#, allowed: admin),
        Route(method: .get, path: "/api/v1/staff/lan.mc/tokens", allowed: admin),
        Route(method: .delete, path: "/api/v1/tokens/tok_000000000000", allowed: admin),
        Route(method: .get, path: "/api/v1/counters", allowed: [.admin, .supervisor, .officer, .display]),
        Route(method: .post, path: "/api/v1/counters", body: #"{"number":9,"name":"Q9","services":["1.001193"]}"#, allowed: admin),
        Route(method: .patch, path: "/api/v1/counters/9", body: #"{"open":true}"#, allowed: [.admin, .supervisor, .officer]),
        Route(method: .patch, path: "/api/v1/counters/9", body: #"{"name":"Quầy 9"}"#, allowed: admin),
        Route(method: .post, path: "/api/v1/counters/9/call-next", allowed: [.admin, .supervisor, .officer]),
        Route(
            method: .post, path: "/api/v1/queue-numbers", body: #"{"service":"1.001193"}"#,
            allowed: [.admin, .supervisor, .officer, .kiosk]),
        Route(method: .get, path: "/api/v1/queue-numbers", allowed: [.admin, .supervisor, .officer]),
        Route(method: .post, path: "/api/v1/queue-numbers/1/actions/start", allowed: [.admin, .supervisor, .officer]),
        Route(method: .get, path: "/api/v1/queue/status", allowed: [.admin, .supervisor, .officer, .display]),
        Route(method: .post, path: "/api/v1/queue/close-day", allowed: [.admin, .supervisor]),
        Route(method: .get, path: "/api/v1/queue/settings", allowed: [.admin, .supervisor, .officer]),
        Route(
            method: .put, path: "/api/v1/queue/settings",
            body: #"{"maxPriorityInRow":3,"recallsBeforeNoShow":2,"defaultServiceMinutes":10,"priorityReasons":["elderly"]}"#,
            allowed: admin),
    ]

    @Test("every role against every route: allowed roles get through, the others get 403", arguments: Role.allCases)
    func roleMatrix(role: Role) async throws {
        let app = try await TestApp.make()
        let token = try await app.token(for: role)
        try await app.test { client in
            for route in Self.routes {
                try await client.execute(uri: route.path, method: route.method, headers: bearer(token), body: route.body.map(json)) {
                    response in
                    if route.allowed.contains(role) {
                        #expect(response.status != .forbidden && response.status != .unauthorized, "\(role) on \(route): \(response.text)")
                        #expect(response.status.code < 500, "\(route): \(response.text)")
                    } else {
                        #expect(response.status == .forbidden, "\(role) on \(route)")
                        #expect(response.problem?.type == "urn:servicedesk:problem:forbidden")
                    }
                }
            }
        }
    }

    @Test("no token, a malformed header, an unknown or a revoked token: 401 on every route")
    func unauthenticated() async throws {
        let app = try await TestApp.make()
        let issued = try await app.database.createToken(for: "lan.mc", label: "soon revoked", actor: "admin")
        _ = try await app.database.revokeToken(issued.info.id, actor: "admin")
        let headers: [HTTPFields] = [
            [:], [.authorization: "Basic YWRtaW46YWRtaW4="], [.authorization: "Bearer sd_unknown"],
            [.authorization: "Bearer \(issued.token)"],
        ]
        try await app.test { client in
            for route in Self.routes {
                for header in headers {
                    try await client.execute(uri: route.path, method: route.method, headers: header, body: route.body.map(json)) {
                        response in
                        #expect(response.status == .unauthorized, "\(route) with \(header)")
                        #expect(response.headers[.wwwAuthenticate] == "Bearer")
                        #expect(response.problem?.status == 401)
                    }
                }
            }
        }
    }

    @Test("operational endpoints need no token")
    func operations() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            for path in ["/healthz", "/readyz", "/metrics", "/openapi.yaml"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok, "\(path)")
                }
            }
        }
    }

    @Test("a token issued through the API works at once and is shown only in that answer")
    func issuedToken() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let issued = try await client.execute(
                uri: "/api/v1/staff/lan.mc/tokens", method: .post, headers: bearer(app.adminToken), body: json(#"{"label":"quầy 1"}"#)
            ) { response in
                #expect(response.status == .created)
                return try response.decode(IssuedToken.self)
            }
            try await client.execute(uri: "/api/v1/me", method: .get, headers: bearer(issued.token)) { response in
                let decoded = try response.decode(Staff.self)
                #expect(decoded.username == "lan.mc")
            }
            // The scheme in any case, spaces and tabs around the token: the same token.
            for header in ["bearer \(issued.token)", "BEARER  \t\(issued.token) \t", "Bearer \(issued.token)\t"] {
                try await client.execute(uri: "/api/v1/me", method: .get, headers: [.authorization: header]) { response in
                    #expect(response.status == .ok, "\(header.debugDescription)")
                }
            }
            for header in ["Bearer \(issued.token)x", "Bearer \(issued.token.dropLast())", "Bearer x\(issued.token)"] {
                try await client.execute(uri: "/api/v1/me", method: .get, headers: [.authorization: header]) { response in
                    #expect(response.status == .unauthorized, "\(header.debugDescription)")
                }
            }
            try await client.execute(uri: "/api/v1/staff/lan.mc/tokens", method: .get, headers: bearer(app.adminToken)) { response in
                #expect(!response.text.contains(issued.token))
                let decoded = try response.decode([TokenInfo].self)
                #expect(decoded.map(\.label) == ["quầy 1"])
            }
            try await client.execute(uri: "/api/v1/tokens/\(issued.info.id)", method: .delete, headers: bearer(app.adminToken)) {
                response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/api/v1/me", method: .get, headers: bearer(issued.token)) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }
}
