import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import ServiceDesk
import Testing

@testable import deskd

@Suite("Errors are RFC 9457 problems and change nothing")
struct ProblemTests {
    @Test("malformed JSON is 400, and nothing is created")
    func malformed() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            for body in [#"{"code":"x""#, "not json", "", "\u{FF}\u{FE}"] {
                try await client.execute(uri: "/api/v1/departments", method: .post, headers: bearer(app.adminToken), body: json(body)) {
                    response in
                    #expect(response.status == .badRequest, "\(body)")
                    #expect(response.problem?.type == "urn:servicedesk:problem:malformed-request")
                }
            }
            var invalidUTF8 = ByteBuffer(string: #"{"code":"ab","name":""#)
            invalidUTF8.writeBytes([0xC3, 0x28])
            invalidUTF8.writeString(#"","kind":"internal"}"#)
            try await client.execute(uri: "/api/v1/departments", method: .post, headers: bearer(app.adminToken), body: invalidUTF8) {
                response in
                #expect(response.status == .badRequest)
            }
        }
        #expect(try await app.database.departments(page: try PageRequest()).items.count == 7)
    }

    @Test("a known path asked with a method it does not answer is 405 with Allow; an unknown path stays 404")
    func methodNotAllowed() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            for (method, uri, allow) in [
                (HTTPRequest.Method.delete, "/api/v1/tickets", "GET, POST"), (.put, "/api/v1/tickets/000.00.00.H00-261130-0001", "GET"),
                (.patch, "/api/v1/calendar/due", "GET"), (.delete, "/healthz", "GET"),
            ] {
                try await client.execute(uri: uri, method: method, headers: bearer(app.adminToken)) { response in
                    #expect(response.status == .methodNotAllowed, "\(method) \(uri)")
                    #expect(response.headers[.allow] == allow, "\(method) \(uri)")
                    #expect(response.problem?.type == "urn:servicedesk:problem:method-not-allowed")
                }
            }
            try await client.execute(uri: "/open311/v2/requests.json", method: .put) { response in
                #expect(response.status == .methodNotAllowed && response.headers[.allow] == "GET, POST")
                #expect(response.text.contains("\"code\":405"), "\(response.text)")
            }
            try await client.execute(uri: "/api/v1/nothing-here", method: .delete, headers: bearer(app.adminToken)) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("a wrong JSON type names the type expected: an object is an object, an array an array")
    func wrongTypes() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            try await client.execute(uri: "/api/v1/departments", method: .post, headers: bearer(app.adminToken), body: json("[]")) {
                response in
                #expect(response.status == .unprocessableContent)
                #expect(response.problem?.errors?.first == FieldError("body", "must be an object"), "\(response.text)")
            }
            try await client.execute(
                uri: "/api/v1/services", method: .post, headers: bearer(app.adminToken),
                body: json(#"{"code":"X1","name":"X","kind":"inquiry","timeLimit":"1 d","route":{"department":"mot-cua"}}"#)
            ) { response in
                #expect(response.problem?.errors?.first == FieldError("route", "must be an array"), "\(response.text)")
            }
        }
    }

    @Test("a body over the limit is 413")
    func oversized() async throws {
        let app = try await TestApp.make(bodyLimit: 2048)
        let name = String(repeating: "a", count: 4096)
        try await app.test { client in
            try await client.execute(
                uri: "/api/v1/departments", method: .post, headers: bearer(app.adminToken),
                body: json(#"{"code":"big","name":"\#(name)","kind":"internal"}"#)
            ) { response in
                #expect(response.status == .contentTooLarge)
                #expect(response.problem?.status == 413)
            }
        }
        await #expect(throws: DeskError.self) { try await app.database.department("big") }
    }

    @Test("invalid values are 422 listing every field; wrong types name the field")
    func validation() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let body =
                #"{"code":"1.0","name":"","kind":"nope","timeLimit":"fortnight","route":[{"department":"mot-cua","allowance":"2 w"}],"charges":[{"kind":"gift","amount":5}],"queuePrefix":"AB"}"#
            try await client.execute(uri: "/api/v1/services", method: .post, headers: bearer(app.adminToken), body: json(body)) {
                response in
                #expect(response.status == .unprocessableContent)
                let problem = try #require(response.problem)
                #expect(Set(problem.errors?.map(\.field) ?? []) == ["name", "kind", "timeLimit", "route[0].allowance", "charges[0].kind"])
            }
            try await client.execute(
                uri: "/api/v1/departments", method: .post, headers: bearer(app.adminToken),
                body: json(#"{"code":"ok","name":12,"kind":"internal"}"#)
            ) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.problem?.errors == [FieldError("name", "must be a string")])
            }
            try await client.execute(uri: "/api/v1/departments?limit=abc", method: .get, headers: bearer(app.adminToken)) { response in
                #expect(response.problem?.errors?.map(\.field) == ["limit"])
            }
            // Unknown fields are ignored.
            try await client.execute(
                uri: "/api/v1/departments", method: .post, headers: bearer(app.adminToken),
                body: json(#"{"code":"moi","name":"Mới","kind":"authority","colour":"blue"}"#)
            ) { response in
                #expect(response.status == .created)
            }
        }
    }

    @Test("unknown codes are 404, duplicates 409, unknown paths 404 — all problems")
    func notFoundAndDuplicate() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            for path in ["/api/v1/departments/none", "/api/v1/services/9.999", "/api/v1/staff/nobody", "/api/v1/nothing-here", "/nope"] {
                try await client.execute(uri: path, method: .get, headers: bearer(app.adminToken)) { response in
                    #expect(response.status == .notFound, "\(path)")
                    #expect(response.problem?.status == 404, "\(path)")
                }
            }
            try await client.execute(
                uri: "/api/v1/departments", method: .post, headers: bearer(app.adminToken),
                body: json(#"{"code":"mot-cua","name":"Again","kind":"internal"}"#)
            ) { response in
                #expect(response.status == .conflict)
                #expect(response.problem?.type == "urn:servicedesk:problem:duplicate")
            }
        }
        #expect(try await app.database.department("mot-cua").name == "Bộ phận Một cửa (tiếp nhận và trả kết quả)")
    }

    @Test("a mode change with conflicts is 409 listing them, nothing changes; the dry run is 200 with the same list")
    func modeConflicts() async throws {
        let app = try await TestApp.make()
        let events = try await app.database.events(entity: "centre", id: Centre.bootstrap.code).count
        try await app.test { client in
            let dry = try await client.execute(
                uri: "/api/v1/centre/mode", method: .post, headers: bearer(app.adminToken),
                body: json(#"{"mode":"public-service-unit","dryRun":true,"autonomyGroup":2}"#)
            ) { response in
                #expect(response.status == .ok)
                return try response.decode(ModeChangeResult.self)
            }
            #expect(!dry.changed && dry.conflicts.count == 5)
            try await client.execute(
                uri: "/api/v1/centre/mode", method: .post, headers: bearer(app.adminToken),
                body: json(#"{"mode":"public-service-unit","autonomyGroup":2}"#)
            ) { response in
                #expect(response.status == .conflict)
                let problem = try #require(response.problem)
                #expect(problem.type == "urn:servicedesk:problem:mode-conflict")
                #expect(problem.conflicts == dry.conflicts)
            }
            try await client.execute(uri: "/api/v1/centre", method: .get, headers: bearer(app.adminToken)) { response in
                let decoded = try response.decode(Centre.self)
                #expect(decoded.mode == .administrativeBody)
            }
            // A forbidden employment on create is the staff member's own field, 409 inconsistent (the same member fits the other mode).
            try await client.execute(
                uri: "/api/v1/staff", method: .post, headers: bearer(app.adminToken),
                body: json(#"{"username":"vc1","name":"V","role":"handler","department":"mot-cua","employment":"public-employee"}"#)
            ) { response in
                #expect(response.status == .conflict)
                #expect(response.problem?.errors?.map(\.field) == ["employment"])
                #expect(response.problem?.type == "urn:servicedesk:problem:inconsistent")
            }
            try await client.execute(
                uri: "/api/v1/centre", method: .patch, headers: bearer(app.adminToken), body: json(#"{"mode":"public-service-unit"}"#)
            ) { response in
                #expect(response.status == .unprocessableContent)
            }
        }
        #expect(try await app.database.events(entity: "centre", id: Centre.bootstrap.code).count == events)
    }

    @Test("injection attempts are stored as plain text and change nothing else")
    func injection() async throws {
        let app = try await TestApp.make()
        let name = #"x'); DROP TABLE department; -- <script>alert(1)</script>"#
        try await app.test { client in
            try await client.execute(
                uri: "/api/v1/departments", method: .post, headers: bearer(app.adminToken),
                body: json(#"{"code":"inj","name":"x'); DROP TABLE department; -- <script>alert(1)</script>","kind":"internal"}"#)
            ) { response in
                #expect(response.status == .created)
            }
            try await client.execute(uri: "/api/v1/departments/mot-cua'%20OR%20'1'='1", method: .get, headers: bearer(app.adminToken)) {
                response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/api/v1/services?department=x'%20OR%201=1--", method: .get, headers: bearer(app.adminToken)) {
                response in
                let page = try response.decode(Page<Service>.self)
                #expect(page.items.isEmpty)
            }
        }
        #expect(try await app.database.department("inj").name == name)
        #expect(try await app.database.departments(page: try PageRequest()).items.count == 8)
    }
}
