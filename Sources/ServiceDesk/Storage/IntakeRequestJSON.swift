/// The intake's request body (`POST /api/v1/tickets`) read straight from its bytes into an
/// `IntakeRequest` — what Foundation's `JSONDecoder` gives for it, without `Codable`'s containers.
/// Decoding the body through `JSONDecoder` was ~4 % of a busy daemon's CPU (docs/benchmarks.md).
///
/// It reads only what it can read exactly as `JSONDecoder` does, and answers nil for anything else,
/// for the caller to decode with Foundation — which then gives its value, or the error the problem
/// details are made of, as before:
/// - strict JSON (RFC 8259) with an object at the top, at most 32 levels deep;
/// - the request's fields with their types (a string, an object, an array), or `null` for an
///   absent one; a field given twice, a key written with an escape, a value of another type (a
///   number for a text, `null` inside a list) are left to Foundation;
/// - numbers: integers of up to 18 digits; for the coordinates a decimal of up to 17 digits
///   without an exponent (what `Double`'s parsing and Foundation's give alike);
/// - a document's `file` (set by an upload, never by a body) left to Foundation too.
/// Keys it does not know are skipped, as `Decodable` skips them. `HotPathTests.intakeRequestJSON`
/// compares it with `JSONDecoder` on thousands of bodies, valid and broken.
public enum IntakeRequestJSON {
    /// The request, or nil when Foundation must read it.
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> IntakeRequest? {
        var reader = Reader(bytes: bytes)
        guard let request = try? reader.request(), reader.atEnd() else { return nil }
        return request
    }

    public static func decode(_ bytes: [UInt8]) -> IntakeRequest? {
        bytes.withUnsafeBytes { decode($0) }
    }

    /// Anything the reader leaves to Foundation.
    struct Unsure: Error {}

    struct Reader {
        let bytes: UnsafeRawBufferPointer
        var at = 0
        var depth = 0

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        // MARK: The request's objects

        mutating func request() throws -> IntakeRequest {
            var request = IntakeRequest(service: nil, channel: nil, applicant: nil)
            try object { reader, key in
                switch key {
                case "service": request.service = try reader.optionalString()
                case "channel": request.channel = try reader.optionalString()
                case "applicant": request.applicant = try reader.optional { try $0.applicant() }
                case "description": request.description = try reader.optionalString()
                case "location": request.location = try reader.optional { try $0.location() }
                case "documents": request.documents = try reader.optional { try $0.array { try $0.document() } }
                case "priority": request.priority = try reader.optionalString()
                case "priorityReason": request.priorityReason = try reader.optionalString()
                case "outcome": request.outcome = try reader.optionalString()
                case "missing": request.missing = try reader.optional { try $0.array { try $0.string() } }
                case "reasons": request.reasons = try reader.optionalString()
                case "queueNumber": request.queueNumber = try reader.optionalString()
                case "severity": request.severity = try reader.optionalString()
                case "portalCode": request.portalCode = try reader.optionalString()
                case "portalReference": request.portalReference = try reader.optionalString()
                default: return false
                }
                return true
            }
            return request
        }

        mutating func applicant() throws -> ApplicantDraft {
            var applicant = ApplicantDraft(name: nil)
            try object { reader, key in
                switch key {
                case "kind": applicant.kind = try reader.optionalString()
                case "name": applicant.name = try reader.optionalString()
                case "idNumber": applicant.idNumber = try reader.optionalString()
                case "taxCode": applicant.taxCode = try reader.optionalString()
                case "phone": applicant.phone = try reader.optionalString()
                case "email": applicant.email = try reader.optionalString()
                case "address": applicant.address = try reader.optionalString()
                case "representative": applicant.representative = try reader.optional { try $0.representative() }
                default: return false
                }
                return true
            }
            return applicant
        }

        mutating func representative() throws -> RepresentativeDraft {
            var representative = RepresentativeDraft(name: nil)
            try object { reader, key in
                switch key {
                case "name": representative.name = try reader.optionalString()
                case "idNumber": representative.idNumber = try reader.optionalString()
                case "phone": representative.phone = try reader.optionalString()
                case "authorisation": representative.authorisation = try reader.optionalString()
                default: return false
                }
                return true
            }
            return representative
        }

        mutating func location() throws -> Location {
            var location = Location()
            try object { reader, key in
                switch key {
                case "address": location.address = try reader.optionalString()
                case "lat": location.lat = try reader.optional { try $0.decimal() }
                case "long": location.long = try reader.optional { try $0.decimal() }
                default: return false
                }
                return true
            }
            return location
        }

        /// As `Document.init(from:)` reads one.
        mutating func document() throws -> Document {
            var name: String?
            var copies: Int?
            var original: Bool?
            var originals: Int?
            var component: String?
            var digitised: Bool?
            var pages: Int?
            var reuse: String?
            var exemption: DigitisationExemption?
            try object { reader, key in
                switch key {
                case "name": name = try reader.optionalString()
                case "copies": copies = try reader.optional { try $0.integer() }
                case "original": original = try reader.optional { try $0.boolean() }
                case "originals": originals = try reader.optional { try $0.integer() }
                case "component": component = try reader.optionalString()
                case "digitised": digitised = try reader.optional { try $0.boolean() }
                case "pages": pages = try reader.optional { try $0.integer() }
                case "reuse": reuse = try reader.optionalString()
                case "exemption":
                    exemption = try reader.optional { reader in
                        guard let value = DigitisationExemption(rawValue: try reader.string()) else { throw Unsure() }
                        return value
                    }
                case "file":
                    // Never in a client's body but as null: Foundation reads any other (a timestamp inside).
                    guard try reader.peek() == UInt8(ascii: "n") else { throw Unsure() }
                    try reader.literal("null")
                default: return false
                }
                return true
            }
            return Document(
                name: name ?? "", copies: copies, original: original ?? false, originals: originals, component: component,
                digitised: digitised ?? false, pages: pages, reuse: reuse, exemption: exemption)
        }

        // MARK: JSON

        /// An object; `field` reads the value of a key it knows and says so, or returns false for
        /// the value to be skipped. A known key given twice is left to Foundation.
        mutating func object(_ field: (inout Reader, String) throws -> Bool) throws {
            try enter()
            defer { depth -= 1 }
            try expect(UInt8(ascii: "{"))
            var seen: [String] = []
            if try peek() == UInt8(ascii: "}") {
                at += 1
                return
            }
            while true {
                let key = try plainKey()
                try expect(UInt8(ascii: ":"))
                if try field(&self, key) {
                    guard !seen.contains(key) else { throw Unsure() }
                    seen.append(key)
                } else {
                    try skipValue()
                }
                let next = try take()
                if next == UInt8(ascii: "}") { return }
                guard next == UInt8(ascii: ",") else { throw Unsure() }
            }
        }

        mutating func array<Item>(_ item: (inout Reader) throws -> Item) throws -> [Item] {
            try enter()
            defer { depth -= 1 }
            try expect(UInt8(ascii: "["))
            var items: [Item] = []
            if try peek() == UInt8(ascii: "]") {
                at += 1
                return items
            }
            while true {
                items.append(try item(&self))
                let next = try take()
                if next == UInt8(ascii: "]") { return items }
                guard next == UInt8(ascii: ",") else { throw Unsure() }
            }
        }

        /// `null` as nil, anything else by `read`.
        mutating func optional<Value>(_ read: (inout Reader) throws -> Value) throws -> Value? {
            if try peek() == UInt8(ascii: "n") {
                try literal("null")
                return nil
            }
            return try read(&self)
        }

        mutating func optionalString() throws -> String? { try optional { try $0.string() } }

        mutating func boolean() throws -> Bool {
            switch try peek() {
            case UInt8(ascii: "t"):
                try literal("true")
                return true
            case UInt8(ascii: "f"):
                try literal("false")
                return false
            default: throw Unsure()
            }
        }

        /// An integer of at most 18 digits, as JSON writes one (no leading zero, no fraction).
        mutating func integer() throws -> Int {
            let text = try number()
            guard !text.fraction, !text.exponent, text.digits <= 18, let value = Int(text.text) else { throw Unsure() }
            return value
        }

        /// A decimal of at most 17 digits, without an exponent.
        mutating func decimal() throws -> Double {
            let text = try number()
            guard !text.exponent, text.digits <= 17, let value = Double(text.text), value.isFinite else { throw Unsure() }
            return value
        }

        /// A number's text, checked against JSON's grammar.
        mutating func number() throws -> (text: String, digits: Int, fraction: Bool, exponent: Bool) {
            _ = try peek()
            let start = at
            var digits = 0
            var fraction = false
            var exponent = false
            func isDigit(_ byte: UInt8?) -> Bool { byte.map { (0x30...0x39).contains($0) } ?? false }
            if byte() == UInt8(ascii: "-") { at += 1 }
            guard isDigit(byte()) else { throw Unsure() }
            if byte() == UInt8(ascii: "0") {
                at += 1
                digits += 1
            } else {
                while isDigit(byte()) {
                    at += 1
                    digits += 1
                }
            }
            if byte() == UInt8(ascii: ".") {
                fraction = true
                at += 1
                guard isDigit(byte()) else { throw Unsure() }
                while isDigit(byte()) {
                    at += 1
                    digits += 1
                }
            }
            if byte() == UInt8(ascii: "e") || byte() == UInt8(ascii: "E") {
                exponent = true
                at += 1
                if byte() == UInt8(ascii: "+") || byte() == UInt8(ascii: "-") { at += 1 }
                guard isDigit(byte()) else { throw Unsure() }
                while isDigit(byte()) { at += 1 }
            }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
            return (text, digits, fraction, exponent)
        }

        /// A key without escapes (every key the request has).
        mutating func plainKey() throws -> String {
            try expect(UInt8(ascii: "\""))
            let start = at
            while let byte = byte(), byte != UInt8(ascii: "\"") {
                guard byte >= 0x20, byte != UInt8(ascii: "\\") else { throw Unsure() }
                at += 1
            }
            guard at < bytes.count else { throw Unsure() }
            let key = try text(start..<at)
            at += 1
            return key
        }

        /// A string, its escapes read as JSON defines them; invalid UTF-8, a control character or a
        /// lone surrogate is left to Foundation.
        mutating func string() throws -> String {
            try expect(UInt8(ascii: "\""))
            let start = at
            while let byte = byte(), byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
                guard byte >= 0x20 else { throw Unsure() }
                at += 1
            }
            guard let stop = byte() else { throw Unsure() }
            if stop == UInt8(ascii: "\"") {
                let value = try text(start..<at)
                at += 1
                return value
            }
            // Escapes: unescaped into bytes from here.
            var out = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[start..<at]))
            while true {
                guard let byte = byte() else { throw Unsure() }
                at += 1
                switch byte {
                case UInt8(ascii: "\""):
                    guard let value = String(validating: out, as: UTF8.self) else { throw Unsure() }
                    return value
                case UInt8(ascii: "\\"):
                    let escaped = try take(raw: true)
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = UInt32(try hex4())
                        if (0xD800...0xDBFF).contains(scalar) {
                            guard try take(raw: true) == UInt8(ascii: "\\"), try take(raw: true) == UInt8(ascii: "u") else {
                                throw Unsure()
                            }
                            let low = UInt32(try hex4())
                            guard (0xDC00...0xDFFF).contains(low) else { throw Unsure() }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let unicode = Unicode.Scalar(scalar) else { throw Unsure() }
                        out.append(contentsOf: UTF8.encode(unicode)!)
                    default: throw Unsure()
                    }
                default:
                    guard byte >= 0x20 else { throw Unsure() }
                    out.append(byte)
                }
            }
        }

        mutating func hex4() throws -> UInt16 {
            var value: UInt16 = 0
            for _ in 0..<4 {
                let byte = try take(raw: true)
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw Unsure()
                }
                value = value << 4 | UInt16(digit)
            }
            return value
        }

        /// Any value, checked and passed over.
        mutating func skipValue() throws {
            switch try peek() {
            case UInt8(ascii: "{"): try object { _, _ in false }
            case UInt8(ascii: "["): _ = try array { try $0.skipValue() }
            case UInt8(ascii: "\""): _ = try string()
            case UInt8(ascii: "t"), UInt8(ascii: "f"): _ = try boolean()
            case UInt8(ascii: "n"): try literal("null")
            default: _ = try number()
            }
        }

        // MARK: Bytes

        mutating func enter() throws {
            depth += 1
            guard depth <= 32 else { throw Unsure() }
        }

        func byte() -> UInt8? { at < bytes.count ? bytes[at] : nil }

        mutating func skipSpace() {
            while let byte = byte(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { at += 1 }
        }

        /// The next byte after any whitespace, not taken.
        mutating func peek() throws -> UInt8 {
            skipSpace()
            guard let byte = byte() else { throw Unsure() }
            return byte
        }

        /// The next byte, after any whitespace unless `raw`.
        mutating func take(raw: Bool = false) throws -> UInt8 {
            if !raw { skipSpace() }
            guard let byte = byte() else { throw Unsure() }
            at += 1
            return byte
        }

        mutating func expect(_ expected: UInt8) throws {
            guard try take() == expected else { throw Unsure() }
        }

        mutating func literal(_ word: StaticString) throws {
            let count = word.utf8CodeUnitCount
            guard at + count <= bytes.count else { throw Unsure() }
            for index in 0..<count where bytes[at + index] != word.utf8Start[index] { throw Unsure() }
            at += count
        }

        func text(_ range: Range<Int>) throws -> String {
            guard let value = String(validating: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self) else { throw Unsure() }
            return value
        }

        /// Only whitespace left.
        mutating func atEnd() -> Bool {
            skipSpace()
            return at == bytes.count
        }
    }
}
