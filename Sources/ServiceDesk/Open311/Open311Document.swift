import Foundation

/// An Open311 answer built once as a tree and rendered as JSON or XML by the "Spark"
/// convention of GeoReport v2: JSON drops the root element; XML wraps every list in a plural
/// container of singular children; an empty element is JSON `null`; booleans are `true`/`false`.
public struct Open311Document: Sendable {
    public indirect enum Value: Sendable {
        case text(String?)
        case number(Double?)
        case integer(Int)
        case bool(Bool)
        case object([(String, Value)])
        /// A list; in XML each element is wrapped in `<item>`.
        case list(item: String, [Value])
    }

    public enum Format: String, CaseIterable, Sendable {
        case json, xml

        public var contentType: String {
            switch self {
            case .json: "application/json; charset=utf-8"
            case .xml: "text/xml; charset=utf-8"
            }
        }
    }

    /// The XML root element (`services`, `service_definition`, `service_requests`, `errors`, `discovery`).
    public var root: String
    public var body: Value

    public init(root: String, body: Value) {
        self.root = root
        self.body = body
    }

    public func rendered(as format: Format) -> String {
        switch format {
        case .json:
            var out = ""
            Self.json(body, into: &out)
            return out
        case .xml:
            var out = #"<?xml version="1.0" encoding="utf-8"?>"# + "\n"
            Self.xml(body, name: root, into: &out)
            return out + "\n"
        }
    }

    // MARK: JSON

    private static func json(_ value: Value, into out: inout String) {
        switch value {
        case .text(let text?): jsonString(text, into: &out)
        case .text(nil), .number(nil): out += "null"
        case .number(let number?): out += number.isFinite ? "\(number)" : "null"
        case .integer(let integer): out += String(integer)
        case .bool(let bool): out += bool ? "true" : "false"
        case .object(let fields):
            out += "{"
            for (index, (key, field)) in fields.enumerated() {
                if index > 0 { out += "," }
                jsonString(key, into: &out)
                out += ":"
                json(field, into: &out)
            }
            out += "}"
        case .list(_, let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                json(item, into: &out)
            }
            out += "]"
        }
    }

    private static func jsonString(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    // MARK: XML

    private static func xml(_ value: Value, name: String, into out: inout String) {
        switch value {
        case .text(nil), .number(nil):
            out += "<\(name)/>"
        case .text(let text?):
            out += "<\(name)>"
            xmlEscape(text, into: &out)
            out += "</\(name)>"
        case .number(let number?): out += "<\(name)>\(number.isFinite ? "\(number)" : "")</\(name)>"
        case .integer(let integer): out += "<\(name)>\(integer)</\(name)>"
        case .bool(let bool): out += "<\(name)>\(bool ? "true" : "false")</\(name)>"
        case .object(let fields):
            out += "<\(name)>"
            for (key, field) in fields { xml(field, name: key, into: &out) }
            out += "</\(name)>"
        case .list(let item, let items):
            guard !items.isEmpty else {
                out += "<\(name)/>"
                return
            }
            out += "<\(name)>"
            for element in items { xml(element, name: item, into: &out) }
            out += "</\(name)>"
        }
    }

    private static func xmlEscape(_ text: String, into out: inout String) {
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            case "\r": out += "&#13;"
            // Characters XML 1.0 cannot carry at all.
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
    }
}

// MARK: The documents of GeoReport v2

extension Open311Document {
    /// An Open311 service of the catalogue, with the name of the department it belongs to.
    public struct ServiceEntry: Sendable {
        public var service: Service
        public var group: String?

        public init(service: Service, group: String?) {
            self.service = service
            self.group = group
        }

        /// A short description of what the centre does with it: the kind and the time limit.
        var description: String {
            "\(service.name) (\(service.kind.rawValue), handled within \(service.timeLimit.inWords))"
        }
    }

    public static func services(_ entries: [ServiceEntry]) -> Open311Document {
        Open311Document(
            root: "services",
            body: .list(
                item: "service",
                entries.map { entry in
                    .object([
                        ("service_code", .text(entry.service.code)),
                        ("service_name", .text(entry.service.name)),
                        ("description", .text(entry.description)),
                        ("metadata", .bool(!entry.service.attributes.isEmpty)),
                        ("type", .text("realtime")),
                        ("keywords", .text(entry.service.keywords.isEmpty ? nil : entry.service.keywords.joined(separator: ","))),
                        ("group", .text(entry.group)),
                    ])
                }))
    }

    public static func definition(_ service: Service) -> Open311Document {
        let attributes = service.attributes.sorted { $0.order < $1.order }.map { attribute -> Value in
            var fields: [(String, Value)] = [
                ("variable", .bool(attribute.variable)),
                ("code", .text(attribute.code)),
                ("datatype", .text(attribute.datatype.rawValue)),
                ("required", .bool(attribute.required)),
                ("datatype_description", .text(attribute.datatypeDescription)),
                ("order", .integer(attribute.order)),
                ("description", .text(attribute.description)),
            ]
            if attribute.datatype.isList {
                fields.append(
                    ("values", .list(item: "value", attribute.values.map { .object([("key", .text($0.key)), ("name", .text($0.name))]) })))
            }
            return .object(fields)
        }
        return Open311Document(
            root: "service_definition",
            body: .object([("service_code", .text(service.code)), ("attributes", .list(item: "attribute", attributes))]))
    }

    public static func requests(_ requests: [Open311Request], zone: TimeZone) -> Open311Document {
        func time(_ date: Date?) -> Value { .text(date.map { W3CDateTime.format($0, in: zone) }) }
        return Open311Document(
            root: "service_requests",
            body: .list(
                item: "request",
                requests.map { request in
                    .object([
                        ("service_request_id", .text(request.serviceRequestId)),
                        ("status", .text(request.status.rawValue)),
                        ("status_notes", .text(request.statusNotes)),
                        ("service_name", .text(request.serviceName)),
                        ("service_code", .text(request.serviceCode)),
                        ("description", .text(request.description)),
                        ("agency_responsible", .text(request.agencyResponsible)),
                        ("service_notice", .text(request.serviceNotice)),
                        ("requested_datetime", time(request.requested)),
                        ("updated_datetime", time(request.updated)),
                        ("expected_datetime", time(request.expected)),
                        ("address", .text(request.address)),
                        ("address_id", .text(request.addressId)),
                        ("zipcode", .text(nil)),
                        ("lat", .number(request.lat)),
                        ("long", .number(request.long)),
                        ("media_url", .text(request.mediaURL)),
                    ])
                }))
    }

    /// The answer to a POST: the new request's id and what happens next.
    public static func created(id: String, notice: String) -> Open311Document {
        Open311Document(
            root: "service_requests",
            body: .list(item: "request", [.object([("service_request_id", .text(id)), ("service_notice", .text(notice))])]))
    }

    /// `tokens/{token}`: the request the token stands for.
    public static func token(_ token: String, id: String) -> Open311Document {
        Open311Document(
            root: "service_requests",
            body: .list(item: "request", [.object([("service_request_id", .text(id)), ("token", .text(token))])]))
    }

    public static func errors(_ errors: [(code: Int, description: String)]) -> Open311Document {
        Open311Document(
            root: "errors",
            body: .list(item: "error", errors.map { .object([("code", .integer($0.code)), ("description", .text($0.description))]) }))
    }

    public static func discovery(changeset: String, contact: String, keyService: String, url: String) -> Open311Document {
        Open311Document(
            root: "discovery",
            body: .object([
                ("changeset", .text(changeset)),
                ("contact", .text(contact)),
                ("key_service", .text(keyService)),
                (
                    "endpoints",
                    .list(
                        item: "endpoint",
                        [
                            .object([
                                ("specification", .text("http://wiki.open311.org/GeoReport_v2")),
                                ("url", .text(url)),
                                ("changeset", .text(changeset)),
                                ("type", .text("production")),
                                (
                                    "formats",
                                    .list(
                                        item: "format", Format.allCases.map { .text($0.contentType.split(separator: ";")[0].description) })
                                ),
                            ])
                        ])
                ),
            ]))
    }
}
