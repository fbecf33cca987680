import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ServiceDesk
import Testing

@testable import deskd

@Suite("Idempotency-Key")
struct IdempotencyTests {
    /// The department both creation tests post.
    static let department = #"{"code":"kho-bac","name":"Kho bạc Nhà nước","kind":"authority"}"#

    @Test("a retry with the same key and body gets the first answer and creates nothing; another body is 409")
    func retries() async throws {
        let app = try await TestApp.make()
        let headers = bearer(app.adminToken, idempotencyKey: "create-kho-bac-1")
        let body = Self.department
        try await app.test { client in
            let first = try await client.execute(uri: "/api/v1/departments", method: .post, headers: headers, body: json(body)) {
                response in
                #expect(response.status == .created)
                return response.text
            }
            try await client.execute(uri: "/api/v1/departments", method: .post, headers: headers, body: json(body)) { response in
                #expect(response.status == .created)
                #expect(response.text == first)
                #expect(response.headers[HTTPField.Name("Idempotency-Replayed")!] == "true")
            }
            try await client.execute(
                uri: "/api/v1/departments", method: .post, headers: headers,
                body: json(#"{"code":"other","name":"Other","kind":"authority"}"#)
            ) { response in
                #expect(response.status == .conflict)
                #expect(response.problem?.type == "urn:servicedesk:problem:idempotency-key-reused")
            }
            // Without a key, the same body is simply a duplicate.
            try await client.execute(uri: "/api/v1/departments", method: .post, headers: bearer(app.adminToken), body: json(body)) {
                response in
                #expect(response.status == .conflict)
            }
        }
        #expect(try await app.database.events(entity: "department", id: "kho-bac").count == 1)
        await #expect(throws: DeskError.self) { try await app.database.department("other") }
    }

    @Test("concurrent retries with one key create once; every one of them gets the first answer")
    func concurrentRetries() async throws {
        let app = try await TestApp.make()
        let headers = bearer(app.adminToken, idempotencyKey: "create-once")
        let body = Self.department
        try await app.test { client in
            let answers = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String).self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        try await client.execute(uri: "/api/v1/departments", method: .post, headers: headers, body: json(body)) {
                            ($0.status, $0.text)
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // Before: the first created, the others raced past the check and met a duplicate (409).
            #expect(answers.allSatisfy { $0.0 == .created }, "\(answers.map(\.0))")
            #expect(Set(answers.map(\.1)).count == 1)
        }
        #expect(try await app.database.events(entity: "department", id: "kho-bac").count == 1)
    }

    @Test(
        "a key another instance on the same database has claimed: a retry here waits for its answer and replays it, or is told 409 to come again; nothing is created twice"
    )
    func claimedElsewhere() async throws {
        let app = try await TestApp.make()
        let body = Self.department
        let fingerprint = AppDatabase.fingerprint(method: "POST", path: "/api/v1/departments", body: Data(body.utf8))
        // The other instance has taken the key and is creating the department.
        guard
            case .mine(let claim) = try await app.database.claimIdempotencyKey(
                username: "admin", key: "elsewhere", fingerprint: fingerprint),
            case .mine = try await app.database.claimIdempotencyKey(username: "admin", key: "stuck", fingerprint: fingerprint)
        else { throw DeskError.conflict("the keys were not free") }
        let elsewhere = #"{"code":"kho-bac","name":"made by the other instance","kind":"authority"}"#
        try await app.test { client in
            async let retry = client.execute(
                uri: "/api/v1/departments", method: .post, headers: bearer(app.adminToken, idempotencyKey: "elsewhere"), body: json(body)
            ) { ($0.status, $0.text, $0.headers[HTTPField.Name("Idempotency-Replayed")!]) }
            try await Task.sleep(for: .milliseconds(300))
            try await app.database.storeIdempotentAnswer(
                username: "admin", key: "elsewhere",
                answer: IdempotentAnswer(fingerprint: fingerprint, status: 201, body: Data(elsewhere.utf8)), claim: claim)
            let (status, text, replayed) = try await retry
            #expect(status == .created && text == elsewhere && replayed == "true", "\(status) \(text)")

            // One whose first request never answers: the retry is told to come again, and changes nothing.
            try await client.execute(
                uri: "/api/v1/departments", method: .post, headers: bearer(app.adminToken, idempotencyKey: "stuck"), body: json(body)
            ) { response in
                #expect(response.status == .conflict)
                #expect(response.problem?.type == "urn:servicedesk:problem:idempotency-key-in-progress")
                #expect(response.headers[.retryAfter] == "1")
            }
        }
        await #expect(throws: DeskError.self) { try await app.database.department("kho-bac") }
    }

    @Test("keys belong to their caller: another staff member's identical key creates independently")
    func perCaller() async throws {
        let app = try await TestApp.make()
        _ = try await app.database.createStaff(
            StaffDraft(username: "admin2", name: "Second admin", role: "admin", employment: "contract"), actor: "admin")
        let second = try await app.database.createToken(for: "admin2", label: nil, actor: "admin").token
        try await app.test { client in
            for (token, code) in [(app.adminToken, "a-one"), (second, "a-two")] {
                let headers = bearer(token, idempotencyKey: "same-key")
                try await client.execute(
                    uri: "/api/v1/departments", method: .post, headers: headers,
                    body: json(#"{"code":"\#(code)","name":"X","kind":"internal"}"#)
                ) { response in
                    #expect(response.status == .created)
                }
            }
        }
        #expect(try await app.database.department("a-two").code == "a-two")
    }
}
