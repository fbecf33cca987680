import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ServiceDesk
import Testing

@testable import deskd

@Suite("The screens and what they read")
struct ScreensHTTPTests {
    @Test("each page is served with a strict Content-Security-Policy; only the counter allows the forms' stylesheet, by its hash")
    func pages() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            for path in ["/hall", "/kiosk", "/counter", "/tra-cuu", "/board"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok && response.headers[.contentType] == "text/html; charset=utf-8", "\(path)")
                    let policy = response.headers[.contentSecurityPolicy] ?? ""
                    #expect(policy.contains("default-src 'none'") && policy.contains("script-src 'self'") && !policy.contains("unsafe"))
                    #expect(policy.contains(FormRenderer.styleHash) == (path == "/counter"), "\(path): \(policy)")
                    #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                    #expect(response.text.contains("lang=\"vi\"") && !response.text.contains("<script>") && !response.text.contains("http"))
                }
            }
            try await client.execute(uri: "/assets/hall.js", method: .get) { response in
                #expect(response.headers[.contentType] == "text/javascript; charset=utf-8" && response.text.contains("Last-Event-ID"))
            }
            try await client.execute(uri: "/assets/../openapi.yaml", method: .get) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/assets/secret.js", method: .get) { response in
                #expect(response.status == .notFound && response.headers[.contentType] == "application/problem+json")
            }
        }
    }

    @Test("the kiosk's menu groups what it offers; a number of today is followed without a token, its QR is its follow link")
    func kioskAndFollow() async throws {
        let app = try await TestApp.make()
        let kiosk = try await app.token(for: .kiosk)
        let display = try await app.token(for: .display)
        let handler = try await app.token(for: .handler)
        try await app.test { client in
            let menu = try await client.execute(uri: "/api/v1/queue/menu", method: .get, headers: bearer(kiosk)) { response in
                try response.decode(KioskMenu.self)
            }
            #expect(!menu.services.isEmpty && menu.services.allSatisfy { !$0.queuePrefix.isEmpty } && !menu.priorityReasons.isEmpty)
            #expect(menu.services.first { $0.code == "1.001193" }?.field == "Hộ tịch" && menu.centre == "Trung tâm kết nối công dân")
            try await client.execute(uri: "/api/v1/queue/menu", method: .get, headers: bearer(display)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/v1/queue/menu", method: .get, headers: bearer(handler)) { #expect($0.status == .forbidden) }
            let issued = try await client.execute(
                uri: "/api/v1/queue-numbers", method: .post, headers: bearer(kiosk), body: json(#"{"service":"1.001193"}"#)
            ) { try $0.decode(IssuedNumber.self) }
            let label = issued.number.label
            try await client.execute(uri: "/api/v1/public/queue-numbers/\(issued.number.day)/\(label)", method: .get) { response in
                let number = try response.decode(PublicQueueNumber.self)
                #expect(number.state == .waiting && number.position == 1 && number.service == "Đăng ký khai sinh" && number.counter == nil)
            }
            for uri in ["/api/v1/public/queue-numbers/2026-13-01/\(label)", "/api/v1/public/queue-numbers/2020-01-01/\(label)"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == (uri.contains("13-01") ? .unprocessableContent : .notFound))
                }
            }
            // The slip's QR: the follow link of this number, and nothing else can be encoded.
            try await client.execute(uri: "/api/v1/public/queue-numbers/\(issued.number.day)/\(label)/qr", method: .get) { response in
                #expect(response.headers[.contentType] == "image/svg+xml" && response.text.hasPrefix("<svg"))
                #expect(response.text.contains("<path d=\"M4 4h7") && response.headers[.contentSecurityPolicy] == "default-src 'none'")
            }
            for uri in [
                "/api/v1/public/queue-numbers/\(issued.number.day)/Z999/qr", "/api/v1/public/queue-numbers/\(issued.number.day)/a%3Cb/qr",
            ] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == (uri.contains("Z999") ? .notFound : .unprocessableContent), "\(uri)")
                }
            }
        }
    }

    @Test("the public lookup says what a supplement request asked for")
    func missing() async throws {
        let app = try await TestApp.make()
        let officer = try await app.token(for: .officer)
        try await app.test { client in
            let body =
                #"{"service":"1.001193","applicant":{"name":"Đặng Văn Nam","phone":"0905123456"},"outcome":"incomplete","missing":["Giấy chứng sinh","Ảnh"]}"#
            let code = try await client.execute(uri: "/api/v1/tickets", method: .post, headers: bearer(officer), body: json(body)) {
                try $0.decode(IntakeResult.self).receipt.code
            }
            try await client.execute(uri: "/api/v1/public/tickets/\(code)?phone=0905123456", method: .get) { response in
                let status = try response.decode(PublicStatus.self)
                #expect(status.state == .awaitingCitizen && status.missing == ["Giấy chứng sinh", "Ảnh"])
            }
        }
    }

    static func intake(_ app: TestApp) async throws -> IntakeResult {
        let request = IntakeRequest(service: "1.001193", applicant: ApplicantDraft(name: "Đặng Văn Nam", phone: "0905123456"))
        guard case .created(let result, _) = try await app.database.intake(request, actor: try await app.database.staff("lan.mc")) else {
            throw DeskError.conflict("replayed")
        }
        return result
    }
}
