import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import ServiceDesk
import Testing

@testable import deskd

/// `/open311/v2` through the router: the shapes real clients parse and every error path of
/// GeoReport v2, in both formats.
@Suite("Open311 over HTTP")
struct Open311HTTPTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded; charset=utf-8"]
    static let root = "/open311/v2"

    /// FixMyStreet's body: lat/long to six decimals, a composite description, every extra as
    /// `attribute[name]`, a multi-value list as a repeated key without `[]`, empty names and an
    /// unselected optional field as "".
    static func fixMyStreetBody(key: String, service: String = "PA-HATANG") -> String {
        [
            "api_key=\(key)", "service_code=\(service)", "lat=21.028511", "long=105.804817",
            "description=" + "Đèn đường tắt\n\nCột số 12\n\nSubmitted via FixMyStreet".addingPercentEncoding(
                withAllowedCharacters: .alphanumerics)!,
            "first_name=Lan", "last_name=", "email=lan%40example.vn", "phone=", "account_id=fms-77",
            "attribute%5Bloai%5D=den", "attribute%5Bnguy-hiem%5D=giao-thong", "attribute%5Bnguy-hiem%5D=dien", "attribute%5Bso-cot%5D=",
            "media_url=https%3A%2F%2Ffixmystreet.example%2Fphoto%2F1.jpeg",
        ].joined(separator: "&")
    }

    static func tickets(_ app: TestApp) async throws -> Int {
        try await app.database.ticketCounts().reduce(0) { $0 + $1.count }
    }

    @Test("services, definitions and discovery in JSON and XML, with the content types and field types of the specification")
    func reads() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            try await client.execute(uri: "\(Self.root)/services.json", method: .get) { response in
                #expect(response.status == .ok && response.headers[.contentType] == "application/json; charset=utf-8")
                let services = try #require(response.jsonObject as? [[String: Any]])
                #expect(services.count == 7)
                let lamp = try #require(services.first { $0["service_code"] as? String == "PA-HATANG" })
                #expect(lamp["metadata"] as? Bool == true && lamp["type"] as? String == "realtime")
                #expect(lamp["group"] as? String == "Tổ tiếp nhận phản ánh, kiến nghị (đường dây nóng 1022)")
                #expect((lamp["keywords"] as? String)?.hasPrefix("đèn đường,cống,") == true)
                let birth = try #require(services.first { $0["service_code"] as? String == "1.001193" })
                #expect(birth["metadata"] as? Bool == false && birth["keywords"] is NSNull)
            }
            try await client.execute(uri: "\(Self.root)/services.xml?jurisdiction_id=hanoi.gov.vn", method: .get) { response in
                #expect(response.headers[.contentType] == "text/xml; charset=utf-8")
                #expect(
                    response.text.hasPrefix(
                        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<services><service><service_code>1.000894</service_code>"))
                #expect(response.text.contains("<metadata>true</metadata><type>realtime</type><keywords>đèn đường,cống,"))
            }
            try await client.execute(uri: "\(Self.root)/services/PA-HATANG.json", method: .get) { response in
                let definition = try #require(response.jsonObject as? [String: Any])
                #expect(definition["service_code"] as? String == "PA-HATANG")
                let attributes = try #require(definition["attributes"] as? [[String: Any]])
                #expect(attributes.map { $0["code"] as? String } == ["loai", "nguy-hiem", "so-cot", "luu-y"])
                #expect(attributes.map { $0["order"] as? Int } == [1, 2, 3, 4])
                #expect(attributes[0]["required"] as? Bool == true && attributes[0]["variable"] as? Bool == true)
                #expect(attributes[3]["variable"] as? Bool == false)
                #expect((attributes[0]["values"] as? [[String: String]])?.first == ["key": "den", "name": "Đèn chiếu sáng"])
                #expect(attributes[2]["values"] == nil)
            }
            try await client.execute(uri: "\(Self.root)/services/1.001193.xml", method: .get) { response in
                #expect(response.status == .ok)
                #expect(
                    response.text.hasSuffix("<service_definition><service_code>1.001193</service_code><attributes/></service_definition>\n")
                )
            }
            // Forwarded headers from a peer that is no trusted proxy are ignored (see the end-to-end test for a trusted one).
            let proxied: HTTPFields = [.init("X-Forwarded-Host")!: "desk.example.vn", .init("X-Forwarded-Proto")!: "https"]
            try await client.execute(uri: "\(Self.root)/discovery.json", method: .get, headers: proxied) { response in
                let discovery = try #require(response.jsonObject as? [String: Any])
                let endpoint = try #require((discovery["endpoints"] as? [[String: Any]])?.first)
                #expect(endpoint["specification"] as? String == "http://wiki.open311.org/GeoReport_v2")
                #expect((endpoint["url"] as? String)?.hasPrefix("http://") == true)
                #expect((endpoint["url"] as? String)?.contains("desk.example.vn") == false)
                #expect(endpoint["formats"] as? [String] == ["application/json", "text/xml"])
                #expect((discovery["changeset"] as? String).flatMap(W3CDateTime.parse) != nil)
            }
            try await client.execute(uri: "\(Self.root)/discovery.xml", method: .get) { response in
                #expect(response.text.contains("<endpoints><endpoint><specification>http://wiki.open311.org/GeoReport_v2</specification>"))
                #expect(response.text.contains("<formats><format>application/json</format><format>text/xml</format></formats>"))
            }
        }
    }

    @Test("a FixMyStreet form post in XML becomes a ticket on channel open311; reads give it back in both formats")
    func fixMyStreetPost() async throws {
        let app = try await TestApp.make()
        let key = try await app.open311Key()
        try await app.test { client in
            var id = ""
            try await client.execute(
                uri: "\(Self.root)/requests.xml", method: .post, headers: Self.form,
                body: ByteBuffer(string: Self.fixMyStreetBody(key: key))
            ) { response in
                #expect(response.status == .ok, "\(response.text)")
                let text = response.text
                #expect(text.hasPrefix("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<service_requests><request><service_request_id>"))
                #expect(!text.contains("<token>"))
                id = String(text.split(separator: "<service_request_id>")[1].split(separator: "<")[0])
                #expect(text.contains("<service_notice>To be handled within 5 working days, by "))
            }
            let ticket = try await app.database.ticket(id, viewer: try await app.database.staff("admin"))
            #expect(ticket.ticket.channel == .open311 && ticket.ticket.service == "PA-HATANG" && ticket.ticket.state == .queued)
            #expect(ticket.ticket.description == "Đèn đường tắt\n\nCột số 12\n\nSubmitted via FixMyStreet")
            #expect(ticket.applicant?.name == "Lan" && ticket.applicant?.email == "lan@example.vn" && ticket.applicant?.phone == nil)
            // The attribute values the request came with are shown on the ticket.
            #expect(ticket.attributes?["loai"] == ["den"], "\(String(describing: ticket.attributes))")

            try await client.execute(uri: "\(Self.root)/requests/\(id).json", method: .get) { response in
                let list = try #require(response.jsonObject as? [[String: Any]])
                #expect(list.count == 1)
                let request = list[0]
                #expect(request["service_request_id"] as? String == id && request["status"] as? String == "open")
                #expect(request["lat"] as? Double == 21.028511 && request["long"] as? Double == 105.804817)
                #expect(request["media_url"] as? String == "https://fixmystreet.example/photo/1.jpeg")
                #expect((request["requested_datetime"] as? String)?.hasSuffix("+07:00") == true)
                #expect((request["expected_datetime"] as? String).flatMap(W3CDateTime.parse) == ticket.ticket.dueAt)
                #expect(request["agency_responsible"] as? String == "Tổ tiếp nhận phản ánh, kiến nghị (đường dây nóng 1022)")
                #expect(request["zipcode"] is NSNull)
                // Never the citizen's personal data.
                #expect(!response.text.contains("lan@example.vn") && !response.text.contains("\"Lan\""))
            }
            try await client.execute(uri: "\(Self.root)/requests.xml?service_request_id=\(id),NOPE&status=nonsense", method: .get) {
                response in
                #expect(response.status == .ok)
                #expect(response.text.components(separatedBy: "<request>").count == 2)
                #expect(response.text.contains("<service_request_id>\(id)</service_request_id><status>open</status>"))
            }
            try await client.execute(uri: "\(Self.root)/tokens/\(id).xml", method: .get) { response in
                #expect(response.text.contains("<request><service_request_id>\(id)</service_request_id><token>\(id)</token></request>"))
            }
        }
    }

    @Test("parameters from the query and the body are merged; multipart bodies work; attribute[C][] is a multi-value list")
    func otherClients() async throws {
        let app = try await TestApp.make()
        let key = try await app.open311Key()
        try await app.test { client in
            // open311 1.1: api_key in the query string, the rest in the body.
            try await client.execute(
                uri: "\(Self.root)/requests.json?api_key=\(key)&jurisdiction_id=hanoi.gov.vn", method: .post, headers: Self.form,
                body: ByteBuffer(
                    string:
                        "service_code=PA-HATANG&address_string=12+L%C3%AA+L%E1%BB%A3i&attribute[loai]=cong&attribute[nguy-hiem][]=ngap&attribute[nguy-hiem][]=giao-thong"
                )
            ) { response in
                #expect(response.status == .ok, "\(response.text)")
                let list = try #require(response.jsonObject as? [[String: Any]])
                #expect(list.count == 1 && (list[0]["service_request_id"] as? String)?.isEmpty == false && list[0]["token"] == nil)
            }
            // three: a multipart body with api_key inside.
            let boundary = "----three0.8"
            let parts = [
                ("api_key", key), ("service_code", "HD-TTHC"), ("address_id", "HK-0012"), ("first_name", "Minh"),
                ("last_name", "Trần"), ("description", "Hỏi thủ tục\r\nđăng ký tạm trú"),
            ]
            var body = parts.map { "--\(boundary)\r\nContent-Disposition: form-data; name=\"\($0.0)\"\r\n\r\n\($0.1)\r\n" }.joined()
            body += "--\(boundary)--\r\n"
            var id = ""
            try await client.execute(
                uri: "\(Self.root)/requests.json", method: .post, headers: [.contentType: "multipart/form-data; boundary=\(boundary)"],
                body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status == .ok, "\(response.text)")
                let list = try #require(response.jsonObject as? [[String: Any]])
                id = try #require(list.first?["service_request_id"] as? String)
            }
            let ticket = try await app.database.ticket(id, viewer: try await app.database.staff("admin"))
            #expect(ticket.applicant?.name == "Minh Trần" && ticket.ticket.description == "Hỏi thủ tục\r\nđăng ký tạm trú")
            try await client.execute(uri: "\(Self.root)/requests/\(id).xml", method: .get) { response in
                #expect(response.text.contains("<address/><address_id>HK-0012</address_id>"))
                #expect(response.text.contains("<lat/><long/>"))
            }
            try await client.execute(uri: "\(Self.root)/requests.json?service_code=PA-HATANG,HD-TTHC&status=open", method: .get) {
                response in
                let list = try #require(response.jsonObject as? [[String: Any]])
                #expect(list.map { $0["service_code"] as? String } == ["HD-TTHC", "PA-HATANG"])
            }
            try await client.execute(uri: "\(Self.root)/requests.json?status=closed", method: .get) { response in
                #expect(response.status == .ok && response.text == "[]")
            }
        }
    }

    /// A POST that must fail with `status` and these error descriptions, in both formats, storing nothing.
    static func refused(
        _ app: TestApp, _ client: any TestClientProtocol, query: String = "", body: String, headers: HTTPFields = form,
        status: HTTPResponse.Status, _ descriptions: [String]
    ) async throws {
        let before = try await tickets(app)
        for format in ["json", "xml"] {
            try await client.execute(
                uri: "\(root)/requests.\(format)\(query)", method: .post, headers: headers, body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status == status, "\(body): \(response.text)")
                if format == "json" {
                    #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                    let errors = try #require(response.jsonObject as? [[String: Any]])
                    #expect(errors.map { $0["code"] as? Int } == Array(repeating: Int(status.code), count: descriptions.count))
                    #expect(errors.map { $0["description"] as? String ?? "" } == descriptions)
                } else {
                    #expect(response.headers[.contentType] == "text/xml; charset=utf-8")
                    let expected = descriptions.map {
                        "<error><code>\(status.code)</code><description>\($0.replacingOccurrences(of: "'", with: "&apos;"))</description></error>"
                    }
                    #expect(response.text.hasSuffix("<errors>\(expected.joined())</errors>\n"), "\(response.text)")
                }
            }
        }
        #expect(try await tickets(app) == before)
    }

    @Test("a key in the query string is checked before the body is read; a multipart body is bounded in parts")
    func keyFirst() async throws {
        let app = try await TestApp.make()
        let key = try await app.open311Key()
        let multipart: HTTPFields = [.contentType: "multipart/form-data; boundary=XyZ"]
        try await app.test { client in
            // A malformed body behind a wrong key: the key is refused first (the body was never parsed).
            try await Self.refused(
                app, client, query: "?api_key=sd_wrong", body: "--XyZ\r\nnot a part at all", headers: multipart, status: .forbidden,
                [Open311Controller.keyRefused])
            // With a good key, too many parts is a clear 400.
            var body = ""
            for index in 0...Open311Controller.maxParts {
                body += "--XyZ\r\nContent-Disposition: form-data; name=\"attribute[x\(index)]\"\r\n\r\nv\r\n"
            }
            body += "--XyZ--\r\n"
            try await Self.refused(
                app, client, query: "?api_key=\(key)", body: body, headers: multipart, status: .badRequest,
                [
                    "the multipart body has more than \(Open311Controller.maxParts) parts or more than \(Open311Controller.maxPartHeaders) headers in a part"
                ])
        }
    }

    @Test("every error path of POST: 403 for the key, 404 for the service, 400 for the rest — and nothing stored")
    func postErrors() async throws {
        let app = try await TestApp.make()
        let key = try await app.open311Key()
        let officer = try await app.token(for: .officer)
        let integrationAPIToken = try await app.token(for: .integration)
        try await app.test { client in
            let located = "service_code=PA-HATANG&lat=21.0285&long=105.8048&attribute[loai]=den"
            try await Self.refused(
                app, client, body: located, status: .forbidden, ["api_key is required: an Open311 key of this centre"])
            try await Self.refused(
                app, client, body: "api_key=&" + located, status: .forbidden, ["api_key is required: an Open311 key of this centre"])
            // Unknown and valid-but-not-integration keys get the same answer: nothing about the key leaks.
            try await Self.refused(app, client, body: "api_key=sd_wrong&" + located, status: .forbidden, [Open311Controller.keyRefused])
            try await Self.refused(app, client, body: "api_key=\(officer)&" + located, status: .forbidden, [Open311Controller.keyRefused])
            // An integration member's API token is not an Open311 key: keys that travel in URLs are a scope of their own.
            try await Self.refused(
                app, client, body: "api_key=\(integrationAPIToken)&" + located, status: .forbidden, [Open311Controller.keyRefused])
            // And an Open311 key opens nothing under /api/v1: it cannot read applicants.
            for uri in ["/api/v1/me", "/api/v1/tickets", "/api/v1/services"] {
                try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(key)"]) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.problem?.detail == "this token is an Open311 key: it works only as api_key under /open311/v2")
                }
            }
            try await Self.refused(app, client, body: "api_key=\(key)&lat=1&long=2", status: .badRequest, ["service_code: is required"])
            try await Self.refused(
                app, client, body: "api_key=\(key)&service_code=NOPE&lat=1&long=2", status: .notFound, ["service 'NOPE' not found"])
            try await Self.refused(
                app, client, body: "api_key=\(key)&service_code=PA-HATANG&attribute[loai]=den", status: .badRequest,
                ["location: is required: lat and long, address_string or address_id"])
            try await Self.refused(
                app, client, body: "api_key=\(key)&service_code=PA-HATANG&lat=91&long=200&attribute[loai]=den", status: .badRequest,
                [
                    "lat: must be a WGS84 latitude in decimal degrees (-90 to 90)",
                    "long: must be a WGS84 longitude in decimal degrees (-180 to 180)",
                ])
            try await Self.refused(
                app, client, body: "api_key=\(key)&service_code=PA-HATANG&lat=21&long=105", status: .badRequest,
                ["attribute[loai]: is required (Loại hạ tầng)"])
            try await Self.refused(
                app, client, body: "api_key=\(key)&\(located)&attribute[nguy-hiem]=lua&attribute[mau]=do", status: .badRequest,
                [
                    "attribute[mau]: service PA-HATANG has no attribute 'mau'",
                    "attribute[nguy-hiem]: 'lua' is not one of the keys giao-thong, dien, ngap",
                ])
            try await Self.refused(
                app, client, body: "api_key=\(key)&\(located)&description=" + String(repeating: "a", count: 4001), status: .badRequest,
                ["description: must be at most 4000 characters (it has 4001)"])
            try await Self.refused(
                app, client, body: "api_key=\(key)&\(located)&email=not-an-email&phone=12", status: .badRequest,
                [
                    "phone: must be a Vietnamese number (0xxxxxxxxx) or an international number in + form (8–15 digits)",
                    "email: must be an e-mail address",
                ])
            try await Self.refused(
                app, client, body: "api_key=\(key)&\(located)&media_url=file:///etc/passwd", status: .badRequest,
                ["media_url: 'file:///etc/passwd' is not an http(s) URL"])
            try await Self.refused(
                app, client, body: #"{"api_key": "\#(key)", "service_code": "PA-HATANG"}"#, headers: [.contentType: "application/json"],
                status: .badRequest,
                ["send the parameters as application/x-www-form-urlencoded or multipart/form-data (got application/json)"])
            try await Self.refused(
                app, client, body: "api_key=\(key)&service_code=%E0%A4%A", status: .badRequest,
                ["the form body is not UTF-8 form-urlencoded text"])
            let boundary = "xyz"
            let file =
                "--xyz\r\nContent-Disposition: form-data; name=\"api_key\"\r\n\r\n\(key)\r\n"
                + "--xyz\r\nContent-Disposition: form-data; name=\"photo1\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n\u{1}\u{2}\r\n--xyz--\r\n"
            try await Self.refused(
                app, client, body: file, headers: [.contentType: "multipart/form-data; boundary=\(boundary)"], status: .badRequest,
                ["photo1: is not a JPEG, PNG, GIF or WebP image; send other media as media_url"])
            // A retired service is as unknown as a missing one.
            _ = try await app.database.updateService("HD-TTHC", ServicePatch(active: false), actor: "admin")
            try await Self.refused(
                app, client, body: "api_key=\(key)&service_code=HD-TTHC&address_string=x", status: .notFound,
                ["service 'HD-TTHC' not found"])
        }
    }

    /// A multipart body with text fields and file parts.
    static func multipart(boundary: String, fields: [(String, String)], files: [(String, String, [UInt8])]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for (name, value) in fields {
            buffer.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        for (name, filename, bytes) in files {
            buffer.writeString(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: image/jpeg\r\n\r\n"
            )
            buffer.writeBytes(bytes)
            buffer.writeString("\r\n")
        }
        buffer.writeString("--\(boundary)--\r\n")
        return buffer
    }

    @Test("photos sent as file parts are kept with the request, linked as its media_url and served back; the upload limit applies")
    func photos() async throws {
        var configured = try await TestApp.make()
        configured.configuration.uploadLimit = 200_000
        let app = configured
        let key = try await app.open311Key()
        // A PNG of 100 KB: above the API's 64 KiB body limit, under the upload limit.
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 100_000)
        let fields = [
            ("api_key", key), ("service_code", "PA-HATANG"), ("lat", "21.0285"), ("long", "105.8048"), ("attribute[loai]", "den"),
        ]
        let form: HTTPFields = [.contentType: "multipart/form-data; boundary=fms"]
        try await app.test { client in
            var id = ""
            try await client.execute(
                uri: "\(Self.root)/requests.json", method: .post, headers: form,
                body: Self.multipart(boundary: "fms", fields: fields, files: [("photo1", "den-hong.png", png), ("file_0", "", [])])
            ) { response in
                #expect(response.status == .ok, "\(response.text)")
                id = try #require((response.jsonObject as? [[String: Any]])?.first?["service_request_id"] as? String)
            }
            var link = ""
            try await client.execute(uri: "\(Self.root)/requests/\(id).json", method: .get) { response in
                link = try #require((response.jsonObject as? [[String: Any]])?.first?["media_url"] as? String)
            }
            #expect(link.hasPrefix("http://") && link.contains("/open311/v2/media/"))
            let path = String(link[link.range(of: "/open311/v2/media/")!.lowerBound...])
            try await client.execute(uri: path, method: .get) { response in
                #expect(response.status == .ok && response.headers[.contentType] == "image/png")
                #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                #expect(Array(response.body.readableBytesView) == png)
            }
            try await client.execute(uri: "\(Self.root)/media/nope", method: .get) { response in
                #expect(response.status == .notFound && response.text == #"[{"code":404,"description":"media 'nope' not found"}]"#)
            }
            // Over the upload limit: refused before anything is read; the staff API keeps its own limit.
            try await Self.refused(
                app, client, body: String(repeating: "a", count: 200_001), headers: [.contentType: "application/x-www-form-urlencoded"],
                status: .badRequest, ["the body is 200001 bytes; the limit is 200000"])
            try await client.execute(
                uri: "/api/v1/tickets", method: .post, headers: bearer(key),
                body: ByteBuffer(string: String(repeating: " ", count: 100_000))
            ) { response in
                #expect(response.status == .contentTooLarge)
            }
        }
    }

    @Test("every error path of the GETs, in the format the suffix asked for")
    func getErrors() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let cases: [(String, HTTPResponse.Status, String)] = [
                ("services/NOPE", .notFound, "service 'NOPE' not found"),
                ("requests/NOPE", .notFound, "request 'NOPE' not found"),
                ("tokens/NOPE", .notFound, "request 'NOPE' not found"),
                ("requests", .notFound, "service 'NOPE' not found"),
                ("requests", .badRequest, "status: must be open, closed or both, comma-separated"),
                ("requests", .badRequest, "start_date: must be a W3C datetime with a time zone, e.g. 2026-11-01T00:00:00+07:00"),
                ("requests", .badRequest, "end_date: the window may span at most 90 days"),
            ]
            let queries = [
                "", "", "", "?service_code=PA-HATANG,NOPE", "?status=pending", "?start_date=2026-11-01",
                "?start_date=2026-01-01T00:00:00Z&end_date=2026-11-01T00:00:00Z",
            ]
            for ((path, status, description), query) in zip(cases, queries) {
                try await client.execute(uri: "\(Self.root)/\(path).json\(query)", method: .get) { response in
                    #expect(response.status == status, "\(path)\(query)")
                    #expect(response.text == #"[{"code":\#(status.code),"description":"\#(description)"}]"#)
                }
                try await client.execute(uri: "\(Self.root)/\(path).xml\(query)", method: .get) { response in
                    #expect(response.status == status)
                    #expect(response.text.contains("<errors><error><code>\(status.code)</code><description>"))
                }
            }
            // A suffix other than .json and .xml, or no suffix, is an unknown resource.
            for path in ["services.csv", "services", "requests.html"] {
                try await client.execute(uri: "\(Self.root)/\(path)", method: .get) { response in
                    #expect(response.status == .notFound)
                    #expect(
                        response.text
                            == #"[{"code":404,"description":"no such resource: /open311/v2/\#(path) (resources end in .json or .xml)"}]"#)
                }
            }
        }
    }
}
