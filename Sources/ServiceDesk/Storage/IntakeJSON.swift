import Foundation

/// The intake's answer (`IntakeResult`: the ticket's view and the receipt) written field by field,
/// the keys in the order `JSONEncoder`'s `.sortedKeys` gives them — the same bytes as
/// `APIJSON.encoder` (and `DirectJSON`), without `Codable`'s containers. Intake is the hot path:
/// `DirectJSON` through `Codable` was ~10 % of a busy daemon's CPU, nearly all of it this answer
/// (docs/benchmarks.md). `HotPathTests.intakeJSON` compares the bytes with Foundation's on intakes
/// and on a value with every optional field set, and fails when a type gains a field this file
/// does not write. A value it cannot write as Foundation would (a number that is not finite) throws
/// `DirectJSON.Unsupported`, and `APIJSON.encodeIntake` falls back to the general writer.
enum IntakeJSON {
    static func encode(_ result: IntakeResult) throws -> Data {
        var json = Fields()
        json.out.reserveCapacity(4_096)
        try json.object { json in
            try json.object("receipt") { try $0.receipt(result.receipt) }
            try json.object("ticket") { try $0.ticketView(result.ticket) }
        }
        return Data(json.out)
    }

    /// Bytes being written, and whether the object being written has a field yet.
    struct Fields {
        var out: [UInt8] = []
        private var first = true

        mutating func object(_ body: (inout Fields) throws -> Void) rethrows {
            out.append(UInt8(ascii: "{"))
            let outer = first
            first = true
            try body(&self)
            first = outer
            out.append(UInt8(ascii: "}"))
        }

        /// The comma before every field of an object but its first.
        private mutating func separator() {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
        }

        /// A key of ASCII letters (every key here), which JSON writes as it is.
        private mutating func key(_ name: StaticString) {
            separator()
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            out.append(contentsOf: "\":".utf8)
        }

        mutating func object(_ name: StaticString, _ body: (inout Fields) throws -> Void) rethrows {
            key(name)
            try object(body)
        }

        mutating func array<Item>(_ name: StaticString, _ items: [Item], _ each: (inout Fields, Item) throws -> Void) rethrows {
            key(name)
            try list(items, each)
        }

        mutating func list<Item>(_ items: [Item], _ each: (inout Fields, Item) throws -> Void) rethrows {
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                try each(&self, item)
            }
            out.append(UInt8(ascii: "]"))
        }

        mutating func strings(_ name: StaticString, _ items: [String]) {
            array(name, items) { $0.string($1) }
        }

        mutating func string(_ value: String) { DirectJSON.writeString(value, into: &out) }

        mutating func field(_ name: StaticString, _ value: String?) {
            guard let value else { return }
            key(name)
            string(value)
        }

        mutating func field<Value: RawRepresentable<String>>(_ name: StaticString, _ value: Value?) {
            field(name, value?.rawValue)
        }

        mutating func field(_ name: StaticString, _ value: (some FixedWidthInteger)?) {
            guard let value else { return }
            key(name)
            out.append(contentsOf: String(value).utf8)
        }

        mutating func field(_ name: StaticString, _ value: Bool?) {
            guard let value else { return }
            key(name)
            out.append(contentsOf: (value ? "true" : "false").utf8)
        }

        mutating func field(_ name: StaticString, _ value: Date?) {
            field(name, value.map(DirectJSON.iso8601))
        }

        mutating func field(_ name: StaticString, _ value: Double?) throws {
            guard let value else { return }
            guard case .literal(let text) = try DirectJSON.number(value) else { throw DirectJSON.Unsupported() }
            key(name)
            out.append(contentsOf: text.utf8)
        }

        // MARK: The answer's types, each as its `Codable` conformance writes it (keys sorted)

        mutating func receipt(_ receipt: Receipt) throws {
            array("charges", receipt.charges) { json, item in json.object { $0.charge(item) } }
            field("code", receipt.code)
            field("countingStartAt", receipt.countingStartAt)
            array("documents", receipt.documents) { json, item in json.object { $0.document(item) } }
            field("dueAt", receipt.dueAt)
            field("dueLocal", receipt.dueLocal)
            array("forms", receipt.forms) { json, item in json.object { $0.formLink(item) } }
            strings("missing", receipt.missing)
            field("outcome", receipt.outcome)
            field("reasons", receipt.reasons)
            field("receivedAt", receipt.receivedAt)
            field("receivedLocal", receipt.receivedLocal)
            field("service", receipt.service)
            field("serviceName", receipt.serviceName)
            strings("warnings", receipt.warnings)
        }

        /// `TicketView.encode(to:)`: the ticket's own fields and the view's, in one object.
        mutating func ticketView(_ view: TicketView) throws {
            let ticket = view.ticket
            field("apologisedAt", ticket.apologisedAt)
            if let applicant = view.applicant { object("applicant") { $0.applicant(applicant) } }
            field("applicantId", ticket.applicantId)
            field("atRisk", view.atRisk)
            if let attributes = view.attributes {
                object("attributes") { json in
                    // A dictionary's keys are the data's: sorted by their bytes, as Foundation sorts them.
                    for (key, values) in attributes.sorted(by: { DirectJSON.compareBytes($0.key, $1.key) < 0 }) {
                        json.dynamicKey(key)
                        json.list(values) { $0.string($1) }
                    }
                }
            }
            field("awaitingReason", ticket.awaitingReason)
            field("channel", ticket.channel)
            array("charges", ticket.charges) { json, item in json.object { $0.charge(item) } }
            field("closedAt", ticket.closedAt)
            field("code", ticket.code)
            field("countingStartAt", ticket.countingStartAt)
            field("createdBy", ticket.createdBy)
            field("decision", ticket.decision)
            field("department", ticket.department)
            field("description", ticket.description)
            array("documents", ticket.documents) { json, item in json.object { $0.document(item) } }
            field("dueAt", ticket.dueAt)
            field("earlyReturn", ticket.earlyReturn)
            if let forms = view.forms { array("forms", forms) { json, item in json.object { $0.formLink(item) } } }
            field("holder", ticket.holder)
            if let location = ticket.location { try object("location") { try $0.location(location) } }
            field("mergedInto", ticket.mergedInto)
            field("nature", ticket.nature)
            field("outcome", ticket.outcome)
            field("outcomeNote", ticket.outcomeNote)
            field("overdue", view.overdue)
            field("pausedAt", ticket.pausedAt)
            field("portalCode", ticket.portalCode)
            field("portalReference", ticket.portalReference)
            field("portalStatus", ticket.portalStatus)
            field("priority", ticket.priority)
            field("priorityReason", ticket.priorityReason)
            field("queueNumber", ticket.queueNumber)
            field("rating", ticket.rating)
            field("ratingComment", ticket.ratingComment)
            field("receivedAt", ticket.receivedAt)
            field("reopened", ticket.reopened)
            field("resolvedAt", ticket.resolvedAt)
            field("resultSignature", ticket.resultSignature)
            field("resumeState", ticket.resumeState)
            field("returnedAt", ticket.returnedAt)
            field("revisedDueAt", ticket.revisedDueAt)
            field("service", ticket.service)
            field("serviceVersion", ticket.serviceVersion)
            if let severity = ticket.severity { object("severity") { $0.severity(severity) } }
            field("state", ticket.state)
            field("step", ticket.step)
            field("supplementRequests", ticket.supplementRequests)
            field("version", ticket.version)
        }

        /// A key that is data (an attribute's code): escaped as any string.
        private mutating func dynamicKey(_ name: String) {
            separator()
            string(name)
            out.append(UInt8(ascii: ":"))
        }

        mutating func applicant(_ applicant: Applicant) {
            field("address", applicant.address)
            field("email", applicant.email)
            field("idNumber", applicant.idNumber)
            field("kind", applicant.kind)
            field("name", applicant.name)
            field("phone", applicant.phone)
            if let representative = applicant.representative {
                object("representative") { json in
                    json.field("authorisation", representative.authorisation)
                    json.field("idNumber", representative.idNumber)
                    json.field("name", representative.name)
                    json.field("phone", representative.phone)
                }
            }
            field("taxCode", applicant.taxCode)
        }

        mutating func charge(_ charge: Charge) {
            field("amount", charge.amount)
            field("kind", charge.kind)
            field("label", charge.label)
            field("remittance", charge.remittance)
        }

        /// `Document.encode(to:)`: `original` and `digitised` are computed.
        mutating func document(_ document: Document) {
            field("component", document.component)
            field("copies", document.copies)
            field("digitised", document.isDigitised)
            field("exemption", document.exemption)
            if let file = document.file {
                object("file") { json in
                    json.field("contentType", file.contentType)
                    json.field("erasedAt", file.erasedAt)
                    json.field("id", file.id)
                    json.field("sha256", file.sha256)
                    json.field("size", file.size)
                    json.field("uploadedAt", file.uploadedAt)
                    json.field("uploadedBy", file.uploadedBy)
                }
            }
            field("name", document.name)
            field("original", document.original)
            field("originals", document.originals)
            field("pages", document.pages)
            field("reuse", document.reuse)
        }

        mutating func formLink(_ link: FormLink) {
            field("form", link.form)
            field("href", link.href)
            field("number", link.number)
            field("title", link.title)
        }

        mutating func location(_ location: Location) throws {
            field("address", location.address)
            try field("lat", location.lat)
            try field("long", location.long)
        }

        mutating func severity(_ severity: Severity) {
            field("code", severity.code)
            field("roundTheClock", severity.roundTheClock)
            field("timeLimit", severity.timeLimit?.description)
        }
    }
}

extension APIJSON {
    /// An intake's answer: `IntakeJSON`'s bytes, `encode`'s for what it does not write.
    static func encodeIntake(_ result: IntakeResult) throws -> Data {
        do {
            return try IntakeJSON.encode(result)
        } catch is DirectJSON.Unsupported {
            return try encode(result)
        }
    }
}
