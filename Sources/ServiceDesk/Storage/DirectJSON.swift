import Foundation

/// JSON written as `APIJSON.encoder` writes it — keys sorted, dates in ISO 8601, slashes not
/// escaped — byte for byte, without Foundation's machinery (issue 17; docs/benchmarks.md). Under
/// load, Foundation's `JSONEncoder` on an intake's answer was an eighth of the daemon's CPU, more
/// than any statement of the write: it builds a tree of dictionaries of boxed values, then sorts and
/// writes it. Here the values go into plain arrays of key and value, sorted once at the end, and the
/// bytes are written in one pass. `HotPathTests.directJSON` compares the two on intakes and on
/// values built to reach every branch (escapes, numbers, dates, nested and repeated keys).
///
/// What this writer does not know (a `Decimal`, a number that is not finite) makes it throw
/// `Unsupported`; `APIJSON.encode` then falls back to Foundation's encoder, which writes it (or
/// refuses it) as before.
enum DirectJSON {
    struct Unsupported: Error {}

    static func encode(_ value: some Encodable) throws -> Data {
        let root = try Node.of(value, at: nil, key: nil)
        var out: [UInt8] = []
        out.reserveCapacity(4_096)
        write(root, into: &out)
        return Data(out)
    }

    // MARK: The tree

    /// An object or an array being filled by its containers (reference: nested containers and a
    /// second `container(keyedBy:)` on the same encoder write into the same one). Room for an
    /// answer's usual object is taken at once rather than grown four times.
    final class ObjectBox {
        var pairs: [(key: String, value: Node)] = []
        init() { pairs.reserveCapacity(16) }
    }

    final class ArrayBox {
        var items: [Node] = []
    }

    enum Node {
        case null
        case literal(String)  // true, false, a number: written as is
        case string(String)
        case array(ArrayBox)
        case object(ObjectBox)
        /// What a super encoder was given, read when written.
        case deferred(Writer)

        static func of<Value: Encodable>(_ value: Value, at parent: Place?, key: (any CodingKey)?) throws -> Node {
            // What Foundation's encoder writes itself rather than asking the value (by type, as in
            // `DirectJSON.node`).
            if Value.self == Date.self { return .string(iso8601(value as! Date)) }
            if Value.self == Data.self { return .string((value as! Data).base64EncodedString()) }
            if Value.self == URL.self { return .string((value as! URL).absoluteString) }
            if Value.self == Decimal.self { throw Unsupported() }
            let encoder = Writer(parent: parent, key: key)
            try value.encode(to: encoder)
            return encoder.node ?? .object(ObjectBox())
        }
    }

    // MARK: Writing

    static func write(_ node: Node, into out: inout [UInt8]) {
        switch node {
        case .null: out.append(contentsOf: "null".utf8)
        case .literal(let text): out.append(contentsOf: text.utf8)
        case .deferred(let writer): write(writer.node ?? .object(ObjectBox()), into: &out)
        case .string(let text): writeString(text, into: &out)
        case .array(let array):
            out.append(UInt8(ascii: "["))
            for (index, item) in array.items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                write(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            // Sorted by the keys' UTF-8 bytes, as Foundation sorts them; a key given twice keeps
            // its last value, as Foundation's dictionary does. What is sorted is each key's first
            // eight bytes as a number and its place — compared as integers, the full keys only
            // when those bytes are the same: a ticket's fifty keys sorted as strings (a quadratic
            // insertion sort, every comparison through both strings' storage) were a fifth of
            // the writing.
            let pairs = object.pairs
            var order = pairs.indices.map { (prefix: keyPrefix(pairs[$0].key), index: $0) }
            order.sort { left, right in
                guard left.prefix == right.prefix else { return left.prefix < right.prefix }
                let compared = compareBytes(pairs[left.index].key, pairs[right.index].key)
                return compared == 0 ? left.index < right.index : compared < 0
            }
            out.append(UInt8(ascii: "{"))
            var first = true
            for (position, entry) in order.enumerated() {
                let pair = pairs[entry.index]
                if position + 1 < order.count, order[position + 1].prefix == entry.prefix,
                    pairs[order[position + 1].index].key == pair.key
                {
                    continue
                }
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                writeString(pair.key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(pair.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// A key's first eight UTF-8 bytes as a big-endian number, zeros after a shorter key: two
    /// keys whose numbers differ are in the order of their bytes; equal numbers say nothing.
    static func keyPrefix(_ key: String) -> UInt64 {
        var value: UInt64 = 0
        var count = 0
        for byte in key.utf8 {
            value = value << 8 | UInt64(byte)
            count += 1
            if count == 8 { break }
        }
        return value << (8 * (8 - count))
    }

    /// Two keys by their UTF-8 bytes (−1, 0, 1), compared in place: a generic walk of both
    /// `utf8` views at each comparison of the sort was a tenth of the writing.
    static func compareBytes(_ left: String, _ right: String) -> Int {
        var left = left
        var right = right
        return left.withUTF8 { a in
            right.withUTF8 { b in
                let common = min(a.count, b.count)
                if common > 0, let x = a.baseAddress, let y = b.baseAddress {
                    let order = memcmp(x, y, common)
                    if order != 0 { return order < 0 ? -1 : 1 }
                }
                return a.count == b.count ? 0 : a.count < b.count ? -1 : 1
            }
        }
    }

    /// A date as the `.iso8601` strategy writes it (UTC, to the second: `2026-12-03T08:15:00Z`),
    /// computed (`LocalDate` for the day) for the whole seconds of years 1970–9999 (every date the API stores), by
    /// `formatted(.iso8601)` otherwise — the format style's machinery was most of a date's cost.
    static func iso8601(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        guard seconds >= 0, seconds < 253_402_300_800, seconds.rounded(.down) == seconds else { return date.formatted(.iso8601) }
        let total = Int(seconds)
        let time = total % 86_400
        let date = LocalDate(daysSinceEpoch: total / 86_400)
        var bytes = [UInt8](repeating: UInt8(ascii: "0"), count: 20)
        func put(_ value: Int, at end: Int, digits: Int) {
            var value = value
            for index in stride(from: end, to: end - digits, by: -1) {
                bytes[index] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            }
        }
        put(date.year, at: 3, digits: 4)
        bytes[4] = UInt8(ascii: "-")
        put(date.month, at: 6, digits: 2)
        bytes[7] = UInt8(ascii: "-")
        put(date.day, at: 9, digits: 2)
        bytes[10] = UInt8(ascii: "T")
        put(time / 3_600, at: 12, digits: 2)
        bytes[13] = UInt8(ascii: ":")
        put(time / 60 % 60, at: 15, digits: 2)
        bytes[16] = UInt8(ascii: ":")
        put(time % 60, at: 18, digits: 2)
        bytes[19] = UInt8(ascii: "Z")
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    /// A string in quotes, escaped as Foundation escapes it; the runs between escapes copied whole.
    static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                start = index + 1
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
                case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
                case 0x08: out.append(contentsOf: #"\b"#.utf8)
                case 0x0C: out.append(contentsOf: #"\f"#.utf8)
                case UInt8(ascii: "\n"): out.append(contentsOf: #"\n"#.utf8)
                case UInt8(ascii: "\r"): out.append(contentsOf: #"\r"#.utf8)
                case UInt8(ascii: "\t"): out.append(contentsOf: #"\t"#.utf8)
                default:
                    out.append(contentsOf: #"\u00"#.utf8)
                    out.append(hexDigit(byte >> 4))
                    out.append(hexDigit(byte & 0x0F))
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    static func number<Value: BinaryFloatingPoint & LosslessStringConvertible>(_ value: Value) throws -> Node {
        guard value.isFinite else { throw Unsupported() }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return .literal(text)
    }

    // MARK: The encoder

    /// A place in the value being written: its key and the place it is in. `codingPath` is built
    /// from the chain only when someone asks (an error's message); building it for every nested
    /// value, as an array copied from its parent's, was a tenth of the writing.
    class Place {
        let parent: Place?
        let key: (any CodingKey)?

        init(parent: Place?, key: (any CodingKey)?) {
            self.parent = parent
            self.key = key
        }

        var codingPath: [any CodingKey] {
            var keys: [any CodingKey] = []
            var place: Place? = self
            while let current = place {
                if let key = current.key { keys.append(key) }
                place = current.parent
            }
            return keys.reversed()
        }

        static func path(_ place: Place?) -> [any CodingKey] { place?.codingPath ?? [] }
    }

    final class Writer: Place, Encoder {
        var userInfo: [CodingUserInfoKey: Any] { [:] }
        var node: Node?

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            let object: ObjectBox
            if case .object(let existing) = node {
                object = existing
            } else {
                object = ObjectBox()
                node = .object(object)
            }
            return KeyedEncodingContainer(Keyed<Key>(object: object, place: self))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            let array: ArrayBox
            if case .array(let existing) = node {
                array = existing
            } else {
                array = ArrayBox()
                node = .array(array)
            }
            return Unkeyed(array: array, place: self)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { Single(writer: self) }
    }

    /// A value given to a container: what `Node.of` makes of it, with the primitives written here.
    /// Told apart by the value's type, compared as metadata: a dynamic cast of every value to each
    /// of these types (each trying Foundation's bridging) cost more than the rest of the writing.
    /// An optional goes through its own `encode(to:)`, which hands over what it wraps.
    static func node<Value: Encodable>(_ value: Value, at parent: Place?, key: (any CodingKey)?) throws -> Node {
        if Value.self == String.self { return .string(value as! String) }
        if Value.self == Bool.self { return .literal((value as! Bool) ? "true" : "false") }
        if Value.self == Int.self { return .literal(String(value as! Int)) }
        if Value.self == Int64.self { return .literal(String(value as! Int64)) }
        if Value.self == Double.self { return try DirectJSON.number(value as! Double) }
        return try Node.of(value, at: parent, key: key)
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let object: ObjectBox
        let place: Place?
        var codingPath: [any CodingKey] { Place.path(place) }

        private func put(_ node: Node, _ key: Key) { object.pairs.append((key.stringValue, node)) }

        mutating func encodeNil(forKey key: Key) throws { put(.null, key) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { put(.literal(value ? "true" : "false"), key) }
        mutating func encode(_ value: String, forKey key: Key) throws { put(.string(value), key) }
        mutating func encode(_ value: Double, forKey key: Key) throws { put(try number(value), key) }
        mutating func encode(_ value: Float, forKey key: Key) throws { put(try number(value), key) }
        mutating func encode(_ value: Int, forKey key: Key) throws { put(.literal(String(value)), key) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { put(.literal(String(value)), key) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { put(.literal(String(value)), key) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { put(.literal(String(value)), key) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { put(.literal(String(value)), key) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { put(.literal(String(value)), key) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { put(.literal(String(value)), key) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { put(.literal(String(value)), key) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { put(.literal(String(value)), key) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { put(.literal(String(value)), key) }
        mutating func encode(_ value: some Encodable, forKey key: Key) throws {
            put(try DirectJSON.node(value, at: place, key: key), key)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(
            keyedBy keyType: NestedKey.Type, forKey key: Key
        ) -> KeyedEncodingContainer<NestedKey> {
            let nested = ObjectBox()
            put(.object(nested), key)
            return KeyedEncodingContainer(Keyed<NestedKey>(object: nested, place: Place(parent: place, key: key)))
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let nested = ArrayBox()
            put(.array(nested), key)
            return Unkeyed(array: nested, place: Place(parent: place, key: key))
        }

        // A class's superclass writes in an object of its own, under "super" or the key given.
        mutating func superEncoder() -> any Encoder {
            let writer = Writer(parent: place, key: SuperKey())
            object.pairs.append(("super", .deferred(writer)))
            return writer
        }

        mutating func superEncoder(forKey key: Key) -> any Encoder {
            let writer = Writer(parent: place, key: key)
            put(.deferred(writer), key)
            return writer
        }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let array: ArrayBox
        let place: Place?
        var codingPath: [any CodingKey] { Place.path(place) }
        var count: Int { array.items.count }

        private func put(_ node: Node) { array.items.append(node) }

        mutating func encodeNil() throws { put(.null) }
        mutating func encode(_ value: Bool) throws { put(.literal(value ? "true" : "false")) }
        mutating func encode(_ value: String) throws { put(.string(value)) }
        mutating func encode(_ value: Double) throws { put(try number(value)) }
        mutating func encode(_ value: Float) throws { put(try number(value)) }
        mutating func encode(_ value: Int) throws { put(.literal(String(value))) }
        mutating func encode(_ value: Int8) throws { put(.literal(String(value))) }
        mutating func encode(_ value: Int16) throws { put(.literal(String(value))) }
        mutating func encode(_ value: Int32) throws { put(.literal(String(value))) }
        mutating func encode(_ value: Int64) throws { put(.literal(String(value))) }
        mutating func encode(_ value: UInt) throws { put(.literal(String(value))) }
        mutating func encode(_ value: UInt8) throws { put(.literal(String(value))) }
        mutating func encode(_ value: UInt16) throws { put(.literal(String(value))) }
        mutating func encode(_ value: UInt32) throws { put(.literal(String(value))) }
        mutating func encode(_ value: UInt64) throws { put(.literal(String(value))) }
        mutating func encode(_ value: some Encodable) throws { put(try DirectJSON.node(value, at: place, key: nil)) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            let nested = ObjectBox()
            put(.object(nested))
            return KeyedEncodingContainer(Keyed<NestedKey>(object: nested, place: place))
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let nested = ArrayBox()
            put(.array(nested))
            return Unkeyed(array: nested, place: place)
        }

        mutating func superEncoder() -> any Encoder {
            let writer = Writer(parent: place, key: nil)
            put(.deferred(writer))
            return writer
        }
    }

    struct Single: SingleValueEncodingContainer {
        let writer: Writer
        var codingPath: [any CodingKey] { writer.codingPath }

        private func put(_ node: Node) { writer.node = node }

        mutating func encodeNil() throws { put(.null) }
        mutating func encode(_ value: Bool) throws { put(.literal(value ? "true" : "false")) }
        mutating func encode(_ value: String) throws { put(.string(value)) }
        mutating func encode(_ value: Double) throws { put(try number(value)) }
        mutating func encode(_ value: Float) throws { put(try number(value)) }
        mutating func encode(_ value: Int) throws { put(.literal(String(value))) }
        mutating func encode(_ value: Int8) throws { put(.literal(String(value))) }
        mutating func encode(_ value: Int16) throws { put(.literal(String(value))) }
        mutating func encode(_ value: Int32) throws { put(.literal(String(value))) }
        mutating func encode(_ value: Int64) throws { put(.literal(String(value))) }
        mutating func encode(_ value: UInt) throws { put(.literal(String(value))) }
        mutating func encode(_ value: UInt8) throws { put(.literal(String(value))) }
        mutating func encode(_ value: UInt16) throws { put(.literal(String(value))) }
        mutating func encode(_ value: UInt32) throws { put(.literal(String(value))) }
        mutating func encode(_ value: UInt64) throws { put(.literal(String(value))) }
        mutating func encode(_ value: some Encodable) throws { put(try DirectJSON.node(value, at: writer, key: nil)) }
    }

    /// The key a superclass writes under (`superEncoder()`), as Foundation names it.
    struct SuperKey: CodingKey {
        var stringValue: String { "super" }
        var intValue: Int? { nil }
        init() {}
        init?(stringValue: String) { nil }
        init?(intValue: Int) { nil }
    }
}

extension APIJSON {
    /// `encoder.encode(value)`, written by `DirectJSON` — the same bytes, a fraction of the time;
    /// by Foundation's encoder for what `DirectJSON` does not know. `deskd` writes its answers so.
    public static func encode(_ value: some Encodable) throws -> Data {
        do {
            return try DirectJSON.encode(value)
        } catch is DirectJSON.Unsupported {
            return try encoder.encode(value)
        }
    }
}
