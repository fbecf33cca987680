import Foundation
import ServiceDesk
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// An XML element as a client's parser sees it: name, text, children.
final class XMLNode {
    let name: String
    var text = ""
    var children: [XMLNode] = []

    init(name: String) { self.name = name }

    func child(_ name: String) -> XMLNode? { children.first { $0.name == name } }
    func all(_ name: String) -> [XMLNode] { children.filter { $0.name == name } }
    subscript(_ name: String) -> String? { child(name)?.text }

    /// Parses a whole document; nil when it is not well-formed XML.
    static func parse(_ data: Data) -> XMLNode? {
        let builder = Builder()
        let parser = XMLParser(data: data)
        parser.delegate = builder
        return parser.parse() ? builder.root : nil
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var root: XMLNode?
        var stack: [XMLNode] = []

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            let node = XMLNode(name: name)
            if let parent = stack.last { parent.children.append(node) } else { root = node }
            stack.append(node)
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { stack.last?.text += string }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            stack.removeLast()
        }
    }
}

/// Open311 through the real `deskd`, the way FixMyStreet talks to it: XML only, form posts,
/// then pulling the requests back by date window.
@Suite("End to end: Open311", .serialized)
struct Open311EndToEndTests {
    @Test("FixMyStreet's conversation in XML: services, a definition, a form post, the request read back, open then closed")
    func fixMyStreet() async throws {
        let scratch = try Scratch()
        let daemon = try RunningDaemon(database: scratch.path("desk.sqlite"), scratch: scratch, arguments: ["--demo"])
        try await daemon.waitUntilReady()
        let admin = try #require(daemon.printedAdminToken)
        func cli(_ arguments: [String]) async throws -> CLIResult {
            try await deskcli(arguments + ["--server", daemon.baseURL.absoluteString, "--token", admin], scratch: scratch)
        }
        #expect(
            try await cli(["staff", "create", "fms", "--name", "FixMyStreet", "--role", "integration", "--employment", "contract"]).status
                == 0)
        let issued = try await cli(["staff", "token", "create", "fms", "--scope", "open311", "--json"])
        let key = try APIJSON.decoder.decode(IssuedToken.self, from: Data(issued.output.utf8)).token
        let root = daemon.baseURL.appendingPathComponent("open311/v2")

        let services = try #require(XMLNode.parse(try await HTTP.get(root.appendingPathComponent("services.xml")).body))
        #expect(services.name == "services")
        let lamp = try #require(services.all("service").first { $0["service_code"] == "PA-HATANG" })
        #expect(lamp["metadata"]?.lowercased() == "true" && lamp["type"] == "realtime")

        let definitionAnswer = try await HTTP.get(root.appendingPathComponent("services/PA-HATANG.xml"))
        #expect(definitionAnswer.contentType == "text/xml; charset=utf-8")
        let definition = try #require(XMLNode.parse(definitionAnswer.body))
        let attributes = try #require(definition.child("attributes")).all("attribute")
        #expect(attributes.map { $0["code"] } == ["loai", "nguy-hiem", "so-cot", "luu-y"])
        let choices = attributes[0].child("values")?.all("value").compactMap { $0["key"] }
        #expect(choices == ["den", "cong", "via-he", "cay-xanh"])

        // The post, as FixMyStreet's Open311.pm builds it.
        var body = URLComponents()
        body.queryItems = [
            .init(name: "api_key", value: key), .init(name: "service_code", value: "PA-HATANG"), .init(name: "lat", value: "21.028511"),
            .init(name: "long", value: "105.804817"), .init(name: "description", value: "Đèn tắt cả dãy phố Hàng Bài"),
            .init(name: "first_name", value: "Lan"), .init(name: "last_name", value: "Nguyễn"),
            .init(name: "email", value: "lan@example.vn"),
            .init(name: "attribute[loai]", value: "den"), .init(name: "attribute[nguy-hiem]", value: "giao-thong"),
            .init(name: "attribute[nguy-hiem]", value: "dien"), .init(name: "attribute[so-cot]", value: ""),
        ]
        let posted = try await HTTP.send(
            "POST", root.appendingPathComponent("requests.xml"),
            body: Data(body.percentEncodedQuery!.replacingOccurrences(of: "+", with: "%2B").utf8),
            headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"])
        #expect(posted.status == 200, "\(posted.text)")
        let created = try #require(XMLNode.parse(posted.body))
        let id = try #require(created.child("request")?["service_request_id"])
        #expect(!id.isEmpty && created.child("request")?.child("token") == nil)

        // Pulled back by a W3CDTF window (the '+' of the offset percent-encoded, as FixMyStreet sends it).
        let now = Date()
        let zone = TimeZone(identifier: "Asia/Ho_Chi_Minh")!
        var window = URLComponents(url: root.appendingPathComponent("requests.xml"), resolvingAgainstBaseURL: false)!
        window.percentEncodedQuery =
            "start_date=\(W3CDateTime.format(now.addingTimeInterval(-3600), in: zone).replacingOccurrences(of: "+", with: "%2B"))"
            + "&end_date=\(W3CDateTime.format(now.addingTimeInterval(60), in: zone).replacingOccurrences(of: "+", with: "%2B"))"
        let pulled = try #require(XMLNode.parse(try await HTTP.get(window.url!).body))
        let request = try #require(pulled.all("request").first { $0["service_request_id"] == id })
        #expect(request["status"] == "open" && request["lat"] == "21.028511" && request["long"] == "105.804817")
        #expect(request["requested_datetime"].flatMap(W3CDateTime.parse) != nil)
        #expect(request["expected_datetime"].flatMap(W3CDateTime.parse) != nil)
        #expect(request["description"] == "Đèn tắt cả dãy phố Hàng Bài")

        // The centre works the ticket; Open311 reports it closed at the moment of resolution.
        #expect(try await cli(["ticket", "claim", id]).status == 0)
        let resolved = try await cli(["ticket", "resolve", id, "--outcome", "answered", "--note", "Đã thay bóng đèn"])
        #expect(resolved.status == 0, "\(resolved.error)")
        let single = try await HTTP.get(root.appendingPathComponent("requests/\(id).json"))
        let list = try #require(try JSONSerialization.jsonObject(with: single.body) as? [[String: Any]])
        #expect(list.count == 1 && list[0]["status"] as? String == "closed")
        let updated = try #require((list[0]["updated_datetime"] as? String).flatMap(W3CDateTime.parse))
        #expect(abs(updated.timeIntervalSince(Date())) < 60)
        #expect((list[0]["status_notes"] as? String)?.hasPrefix("resolved (answered)") == true)
        let closed = try #require(XMLNode.parse(try await HTTP.get(URL(string: root.absoluteString + "/requests.xml?status=closed")!).body))
        #expect(closed.all("request").contains { $0["service_request_id"] == id })

        // The error list FixMyStreet's _process_error reads.
        let refused = try await HTTP.send(
            "POST", root.appendingPathComponent("requests.xml"), body: Data("service_code=PA-HATANG&lat=1&long=1".utf8),
            headers: ["Content-Type": "application/x-www-form-urlencoded"])
        #expect(refused.status == 403)
        let errors = try #require(XMLNode.parse(refused.body))
        #expect(errors.name == "errors" && errors.child("error")?["code"] == "403")

        // An administrator gives a service attributes with deskcli; Open311 clients see them at once.
        let file = scratch.path("attributes.json")
        try Data(#"[{"code": "kenh", "datatype": "singlevaluelist", "required": true, "values": [{"key": "zalo", "name": "Zalo"}]}]"#.utf8)
            .write(to: URL(fileURLWithPath: file))
        let changed = try await cli(["service", "update", "HD-TTHC", "--keyword", "hỏi đáp", "--attributes", file])
        #expect(changed.status == 0 && changed.output.contains("kenh") && changed.output.contains("hỏi đáp"), "\(changed.error)")
        let inquiry = try #require(XMLNode.parse(try await HTTP.get(root.appendingPathComponent("services.xml")).body))
        let entry = try #require(inquiry.all("service").first { $0["service_code"] == "HD-TTHC" })
        #expect(entry["metadata"] == "true" && entry["keywords"] == "hỏi đáp")
        let bad = scratch.path("bad.json")
        try Data(#"[{"code": "x y", "datatype": "colour"}]"#.utf8).write(to: URL(fileURLWithPath: bad))
        let refusedUpdate = try await cli(["service", "update", "HD-TTHC", "--attributes", bad])
        #expect(refusedUpdate.status == 1 && refusedUpdate.error.contains("attributes[0].datatype"))
        #expect(await daemon.stop() == 0)
    }
}
