import Foundation
import GRDB
import Testing

@testable import ServiceDesk

@Suite("Open311: datetimes, parameters, attributes, documents, search")
struct Open311Tests {
    static let hanoi = TimeZone(identifier: "Asia/Ho_Chi_Minh")!
    static let utc = TimeZone(identifier: "UTC")!

    @Test("W3C datetimes: Z, offsets with and without a colon, milliseconds, a '+' decoded as a space; a time zone is mandatory")
    func datetimes() throws {
        let instant = try #require(W3CDateTime.parse("2026-11-30T02:00:00Z"))
        #expect(W3CDateTime.format(instant, in: Self.hanoi) == "2026-11-30T09:00:00+07:00")
        #expect(W3CDateTime.format(instant, in: Self.utc) == "2026-11-30T02:00:00Z")
        #expect(W3CDateTime.parse("2026-11-30T09:00:00+07:00") == instant)
        #expect(W3CDateTime.parse("2026-11-30T09:00:00+0700") == instant)
        #expect(W3CDateTime.parse("2026-11-30T09:00:00 07:00") == instant)  // '+' arrived as a space
        #expect(W3CDateTime.parse("2026-11-29T21:00:00-05:00") == instant)
        #expect(W3CDateTime.parse("2026-11-30T09:00+07:00") == instant)
        let millis = try #require(W3CDateTime.parse("2026-11-30T02:00:00.017Z"))
        #expect(abs(millis.timeIntervalSince(instant) - 0.017) < 0.0001)
        // Output is whole seconds.
        #expect(W3CDateTime.format(millis, in: Self.utc) == "2026-11-30T02:00:00Z")
        for bad in [
            "2026-11-30T09:00:00", "2026-11-30", "2026-02-30T09:00:00Z", "2026-11-30T24:00:00Z", "yesterday", "2026-11-30T09:00:00+7",
        ] {
            #expect(W3CDateTime.parse(bad) == nil, "\(bad)")
        }
    }

    @Test("form bodies: '+' is a space, escapes are UTF-8, every attribute form is gathered, empty values count as absent")
    func parameters() throws {
        let form = try #require(
            Open311Parameters.formEncoded(
                "api_key=&api_key=k1&description=%C4%90%C3%A8n+h%E1%BB%8Fng&attribute%5Bloai%5D=den"
                    + "&attribute%5Bnguy-hiem%5D%5B%5D=dien&attribute%5Bnguy-hiem%5D%5B%5D=ngap&attribute[so-cot]=&attribute[x]=1&attribute[x]=2"
                    + "&media_url=a&media_url=b&status=open,%20closed"))
        #expect(form.value("api_key") == "k1")
        #expect(form.value("description") == "Đèn hỏng")
        #expect(form.attributes["loai"] == ["den"])
        #expect(form.attributes["nguy-hiem"] == ["dien", "ngap"])
        #expect(form.attributes["so-cot"] == [""])
        #expect(form.attributes["x"] == ["1", "2"])
        #expect(form.values("media_url") == ["a", "b"])
        #expect(form.list("status") == ["open", "closed"])
        #expect(form.value("missing") == nil)
        #expect(Open311Parameters.formEncoded("a=%ZZ") == nil)
    }

    static var streetlight: Service {
        get throws {
            let catalogue = CatalogueImport.parseJSON(Demo.catalogueJSON)
            return try #require(catalogue.services.first { $0.draft.code == "PA-HATANG" }).draft.validated()
        }
    }

    static func check(_ attributes: [String: [String]]) throws -> Result<[String: [String]], DeskError> {
        let extra = Open311Extra(addressId: nil, mediaURLs: [], attributes: attributes, accountId: nil, deviceId: nil)
        let service = try streetlight
        return Result { () throws(DeskError) in try extra.checkedAttributes(for: service) }
    }

    static func fields(_ result: Result<[String: [String]], DeskError>) -> [String] {
        guard case .failure(.validation(let errors)) = result else { return [] }
        return errors.map(\.field)
    }

    @Test("posted attributes are checked against the definition: required, list keys, one value, no unknown code")
    func attributeChecks() throws {
        #expect(
            try Self.check(["loai": ["den"], "nguy-hiem": ["dien", "dien", "ngap"], "so-cot": [""]]).get() == [
                "loai": ["den"], "nguy-hiem": ["dien", "ngap"],
            ])
        #expect(Self.fields(try Self.check([:])) == ["attribute[loai]"])
        #expect(Self.fields(try Self.check(["loai": [""]])) == ["attribute[loai]"])  // empty = absent
        #expect(Self.fields(try Self.check(["loai": ["cot-dien"]])) == ["attribute[loai]"])
        #expect(Self.fields(try Self.check(["loai": ["den", "cong"]])) == ["attribute[loai]"])
        #expect(Self.fields(try Self.check(["loai": ["den"], "nguy-hiem": ["lua"]])) == ["attribute[nguy-hiem]"])
        #expect(Self.fields(try Self.check(["loai": ["den"], "luu-y": ["x"]])) == ["attribute[luu-y]"])  // information only
        #expect(Self.fields(try Self.check(["loai": ["den"], "mau": ["do"]])) == ["attribute[mau]"])  // no such attribute
        #expect(Self.fields(try Self.check(["loai": ["den"], "so-cot": ["HK-1\nHK-2"]])) == ["attribute[so-cot]"])  // one line

        var numbers = ServiceAttribute(code: "n", datatype: .number, order: 1)
        var validator = Validator()
        #expect(numbers.checked(["12.5"], into: &validator) == ["12.5"])
        #expect(numbers.checked(["mười"], into: &validator) == nil)
        numbers = ServiceAttribute(code: "d", datatype: .datetime, order: 1)
        #expect(numbers.checked(["2026-11-30T09:00:00+07:00"], into: &validator) == ["2026-11-30T02:00:00Z"])
        #expect(numbers.checked(["30/11/2026"], into: &validator) == nil)
        #expect(validator.errors.map(\.field) == ["attribute[n]", "attribute[d]"])
    }

    @Test("a service's attribute list is checked when the catalogue is written, and nothing is stored on error")
    func attributeDefinitions() async throws {
        let centre = try await Centre2026()
        func refused(_ keywords: [String], _ attributes: [ServiceAttributeDraft]) async throws -> Set<String> {
            let draft = ServiceDraft(
                code: "PA-MT", name: "Phản ánh môi trường", kind: "feedback", timeLimit: "5 d",
                route: [RouteStepDraft(department: "tiep-dan")], keywords: keywords, attributes: attributes)
            do {
                _ = try await centre.database.createService(draft, actor: "admin")
                Issue.record("accepted")
            } catch DeskError.validation(let errors) {
                return Set(errors.map(\.field))
            }
            return []
        }
        #expect(try await refused([], [ServiceAttributeDraft(code: "mau", datatype: "color")]) == ["attributes[0].datatype"])
        let wrong = try await refused(
            ["rác", "a,b"],
            [
                ServiceAttributeDraft(code: "loai", datatype: "singlevaluelist"),
                ServiceAttributeDraft(code: "loai", datatype: "string", order: 1),
                ServiceAttributeDraft(code: "bad code", datatype: "number", order: 0),
                ServiceAttributeDraft(code: "note", datatype: "text", variable: false, required: true, order: 4),
                ServiceAttributeDraft(code: "so", datatype: "number", order: 5, values: [.init(key: "1", name: "một")]),
            ])
        #expect(
            wrong == [
                "keywords[1]", "attributes[0].values", "attributes[1].code", "attributes[1].order", "attributes[2].code",
                "attributes[2].order", "attributes[3].required", "attributes[3].description", "attributes[4].values",
            ])
        await #expect(throws: DeskError.self) { try await centre.database.service("PA-MT") }

        let service = try await centre.database.updateService(
            "HD-TTHC",
            ServicePatch(
                keywords: ["hỏi đáp"],
                attributes: [
                    ServiceAttributeDraft(
                        code: "kenh", datatype: "singlevaluelist", required: true, values: [.init(key: "zalo", name: "Zalo")])
                ]), actor: "admin")
        #expect(service.version == 2 && service.attributes.first?.order == 1 && service.keywords == ["hỏi đáp"])
        #expect(try await centre.database.service("HD-TTHC") == service)
    }

    @Test("one tree, two renderings: JSON drops the root, XML wraps lists, escapes, null is an empty element")
    func documents() {
        let request = Open311Request(
            serviceRequestId: "X-1", status: .open, statusNotes: "a < b & \"c\"", serviceName: "Đèn", serviceCode: "PA",
            description: "dòng 1\ndòng 2",
            agencyResponsible: nil, serviceNotice: nil, requested: W3CDateTime.parse("2026-11-30T02:00:00Z")!,
            updated: W3CDateTime.parse("2026-11-30T02:01:00Z")!,
            expected: nil, address: nil, addressId: nil, lat: 21.028511, long: 105.804817, mediaURL: nil)
        let document = Open311Document.requests([request], zone: Self.hanoi)
        let json = document.rendered(as: .json)
        #expect(json.hasPrefix(#"[{"service_request_id":"X-1","status":"open","status_notes":"a < b & \"c\"","#))
        #expect(json.contains(#""description":"dòng 1\ndòng 2""#))
        #expect(
            json.contains(
                #""requested_datetime":"2026-11-30T09:00:00+07:00","updated_datetime":"2026-11-30T09:01:00+07:00","expected_datetime":null"#
            ))
        #expect(json.contains(#""lat":21.028511,"long":105.804817,"media_url":null}]"#))
        let parsed = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
        #expect(parsed?.first?["lat"] as? Double == 21.028511)
        let xml = document.rendered(as: .xml)
        #expect(
            xml.hasPrefix(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<service_requests><request><service_request_id>X-1</service_request_id>"))
        #expect(xml.contains("<status_notes>a &lt; b &amp; &quot;c&quot;</status_notes>"))
        #expect(xml.contains("<agency_responsible/>") && xml.contains("<lat>21.028511</lat>"))
        #expect(Open311Document.requests([], zone: Self.utc).rendered(as: .xml).hasSuffix("<service_requests/>\n"))
        #expect(Open311Document.requests([], zone: Self.utc).rendered(as: .json) == "[]")
        let errors = Open311Document.errors([(403, "api_key is required")])
        #expect(errors.rendered(as: .json) == #"[{"code":403,"description":"api_key is required"}]"#)
        #expect(
            errors.rendered(as: .xml).contains(
                "<errors><error><code>403</code><description>api_key is required</description></error></errors>"))
    }

    @Test("uploads: the type comes from the bytes; only images are kept, none empty or over 8 MiB")
    func uploads() throws {
        func type(_ bytes: [UInt8]) -> String? { try? Open311Upload.make(part: "photo1", filename: "x", bytes: Data(bytes)).contentType }
        #expect(type([0xFF, 0xD8, 0xFF, 0xE0, 1]) == "image/jpeg")
        #expect(type([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]) == "image/png")
        #expect(type(Array("GIF87a..".utf8)) == "image/gif")
        #expect(type(Array("RIFF\u{0}\u{0}\u{0}\u{0}WEBPVP8 ".utf8)) == "image/webp")
        #expect(type(Array("<html><script>".utf8)) == nil && type(Array("%PDF-1.7".utf8)) == nil && type([]) == nil)
        #expect(type([0xFF, 0xD8, 0xFF] + Array(repeating: 0, count: Open311Upload.maxBytes)) == nil)
        let named = try Open311Upload.make(part: "media", filename: "  ảnh.jpg ", bytes: Data([0xFF, 0xD8, 0xFF]))
        #expect(named.filename == "ảnh.jpg" && named.part == "media")
        let many = (0...Open311Upload.maxFiles).map { _ in named }
        #expect(throws: DeskError.self) {
            try Open311Submission.parse(Open311Parameters.formEncoded("service_code=X&lat=1&long=2")!, uploads: many)
        }
    }

    @Test("search: ids override every filter; default window is the last 90 days; wider windows and bad values are refused")
    func search() throws {
        let now = try #require(W3CDateTime.parse("2026-11-30T09:00:00+07:00"))
        func parse(_ query: String) throws(DeskError) -> Open311Search {
            try Open311Search.parse(Open311Parameters.formEncoded(query)!, now: now)
        }
        let byIds = try parse("service_request_id=A,B&status=nonsense&start_date=bad")
        #expect(byIds.ids == ["A", "B"] && byIds.statuses == nil)
        let plain = try parse("")
        #expect(plain.end == now && now.timeIntervalSince(plain.start) == 90 * 86_400)
        let filtered = try parse("service_code=PA,HD&status=closed&start_date=2026-11-01T00:00:00.000Z")
        #expect(filtered.serviceCodes == ["PA", "HD"] && filtered.statuses == [.closed])
        #expect(filtered.start == W3CDateTime.parse("2026-11-01T00:00:00Z") && filtered.end == now)
        let fields: (String) -> [String] = { query in
            do {
                _ = try parse(query)
                return []
            } catch {
                guard case DeskError.validation(let errors) = error else { return ["?"] }
                return errors.map(\.field)
            }
        }
        #expect(fields("status=pending") == ["status"])
        #expect(fields("start_date=2026-11-01") == ["start_date"])
        #expect(fields("start_date=2026-01-01T00:00:00Z&end_date=2026-11-01T00:00:00Z") == ["end_date"])
        #expect(fields("start_date=2026-11-02T00:00:00Z&end_date=2026-11-01T00:00:00Z") == ["end_date"])
    }

    @Test("a posted request is a ticket on channel open311 with its extras; reads show only Open311 tickets, as GeoReport fields")
    func storage() async throws {
        let centre = try await Centre2026()
        let post = centre.open311
        let lamp = try await post(
            "service_code=PA-HATANG&lat=21.028511&long=105.804817&address_string=12+L%C3%AA+L%E1%BB%A3i&address_id=HK-12"
                + "&attribute[loai]=den&attribute[nguy-hiem]=dien&media_url=https://example.org/1.jpg&media_url=https://example.org/2.jpg"
                + "&first_name=Lan&email=lan@example.vn&description=%C4%90%C3%A8n+t%E1%BA%AFt")
        centre.clock.set("2026-11-30 10:00")
        let question = try await post("service_code=HD-TTHC&address_string=Ph%C6%B0%E1%BB%9Dng+H%E1%BA%A3i+Ch%C3%A2u")
        let counter = try await centre.intake("HD-TTHC").receipt.code  // not published

        let db = centre.database
        let extra = try await db.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM open311_request WHERE ticket = ?", arguments: [lamp]).map {
                [$0["address_id"], $0["attributes"], $0["media_urls"]] as [String?]
            }
        }
        #expect(
            extra == ["HK-12", #"{"loai":["den"],"nguy-hiem":["dien"]}"#, #"["https://example.org/1.jpg","https://example.org/2.jpg"]"#])
        let ticket = try await db.ticket(lamp, viewer: try await centre.staff("admin"))
        #expect(ticket.ticket.channel == .open311 && ticket.applicant?.name == "Lan" && ticket.applicant?.email == "lan@example.vn")

        // Nothing is stored when an attribute is wrong.
        await #expect(throws: DeskError.self) { try await post("service_code=PA-HATANG&lat=1&long=2&attribute[loai]=x") }
        #expect(try await db.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM open311_request") } == 2)

        let now = centre.clock.now
        let (all, zone) = try await db.open311Requests(Open311Search(start: now.addingTimeInterval(-86_400), end: now))
        #expect(zone.identifier == "Asia/Ho_Chi_Minh")
        #expect(all.map(\.serviceRequestId) == [question, lamp])
        let first = all[1]
        #expect(first.status == .open && first.serviceCode == "PA-HATANG" && first.addressId == "HK-12" && first.lat == 21.028511)
        #expect(first.address == "12 Lê Lợi" && first.mediaURL == "https://example.org/1.jpg" && first.description == "Đèn tắt")
        #expect(first.agencyResponsible == "Tổ tiếp nhận phản ánh, kiến nghị (đường dây nóng 1022)")
        #expect(first.expected.map { W3CDateTime.format($0, in: Self.hanoi) } == "2026-12-07T09:00:00+07:00")
        #expect(first.serviceNotice == "To be handled within 5 working days, by 2026-12-07 09:00 (Asia/Ho_Chi_Minh).")
        await #expect(throws: DeskError.self) { try await db.open311Request(counter) }
        #expect(
            try await db.open311Requests(Open311Search(ids: [counter, lamp], start: now, end: now)).requests.map(\.serviceRequestId) == [
                lamp
            ])

        // Resolved: closed, and updated_datetime is the moment of resolution.
        centre.clock.set("2026-11-30 11:00")
        try await centre.act(.claim, question, by: "hoa.pa")
        centre.clock.set("2026-11-30 11:30")
        try await centre.act(.resolve, question, by: "hoa.pa", ActionRequest(note: "đã trả lời", outcome: "answered"))
        centre.clock.set("2026-11-30 15:00")
        let closed = try await db.open311Request(question).request
        #expect(closed.status == .closed && W3CDateTime.format(closed.updated, in: Self.hanoi) == "2026-11-30T11:30:00+07:00")
        #expect(closed.statusNotes.hasPrefix("resolved (answered)"))
        let window = Open311Search(start: now.addingTimeInterval(-86_400), end: centre.clock.now)
        #expect(try await db.open311Requests(with(window) { $0.statuses = [.closed] }).requests.map(\.serviceRequestId) == [question])
        #expect(try await db.open311Requests(with(window) { $0.statuses = [.open] }).requests.map(\.serviceRequestId) == [lamp])
        #expect(try await db.open311Requests(with(window) { $0.serviceCodes = ["PA-HATANG"] }).requests.map(\.serviceRequestId) == [lamp])
        await #expect(throws: DeskError.self) { try await db.open311Requests(with(window) { $0.serviceCodes = ["NOPE"] }) }
        let outside = Open311Search(start: now.addingTimeInterval(-10 * 86_400), end: now.addingTimeInterval(-86_400))
        #expect(try await db.open311Requests(outside).requests.isEmpty)
    }

    func with(_ search: Open311Search, _ change: (inout Open311Search) -> Void) -> Open311Search {
        var copy = search
        change(&copy)
        return copy
    }
}
