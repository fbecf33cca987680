import Foundation

/// Text as it is stored: trimmed and NFC-normalised (SPEC §4), so that "Đặng" typed on two
/// keyboards is the same string.
enum Text {
    /// Text made only of these is blank: Unicode's White_Space, the zero-width space and the
    /// byte-order mark, the ASCII separators U+001C–U+001F, and NUL (which SQLite's text cannot
    /// hold: it is dropped from stored text). openapi.yaml's "not blank"
    /// pattern is the same class, so the document and the server agree on every string.
    static let blankScalars: Set<UInt32> = Set(
        [0x00, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680, 0x180E]
            + Array(0x2000...0x200B) + [0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF])

    static func isBlank(_ text: some StringProtocol) -> Bool {
        text.unicodeScalars.allSatisfy { blankScalars.contains($0.value) }
    }

    static func clean(_ text: String) -> String {
        if isBlank(text) { return "" }
        var text = text
        if text.unicodeScalars.contains("\u{0}") { text.unicodeScalars.removeAll { $0 == "\u{0}" } }
        let trimmed = trimmed(text)
        return isNFC(trimmed) ? trimmed : trimmed.precomposedStringWithCanonicalMapping
    }

    /// Whether NFC leaves `text` as it is, known without normalising: every scalar is below
    /// U+0300 (where the combining marks begin) or in Latin Extended Additional (U+1E00–U+1EFF,
    /// Vietnamese's precomposed letters) — starters NFC neither decomposes nor composes with a
    /// neighbour (Unicode's NFC_Quick_Check=Yes, combining class 0; `HotPathTests.nfc` holds it
    /// for every pair). Typed Vietnamese is such text; anything else goes through Foundation.
    static func isNFC(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0.value < 0x300 || (0x1E00...0x1EFF).contains($0.value) }
    }

    /// `text` without leading and trailing White_Space and the zero-width space: what
    /// Foundation's `trimmingCharacters(in: .whitespacesAndNewlines)` gives (the same set of
    /// scalars — CoreFoundation counts U+200B in — held by `HotPathTests`) at a fraction of its
    /// cost; every field of every intake passes here.
    static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        func isSpace(_ scalar: Unicode.Scalar) -> Bool {
            scalar.value < 0x80
                ? (scalar.value == 0x20 || (0x09...0x0D).contains(scalar.value))
                : (scalar.properties.isWhitespace || scalar.value == 0x200B)
        }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return text }
        return String(scalars[first...last])
    }

    static func clean(_ text: String?) -> String? {
        guard let text else { return nil }
        let cleaned = clean(text)
        return cleaned.isEmpty ? nil : cleaned
    }

    static func matches(_ text: String, _ pattern: String) -> Bool {
        text.range(of: pattern, options: .regularExpression) != nil
    }

    /// Checks a required name-like field and returns its stored form.
    static func requiredName(
        _ value: String?, field: String, maxLength: Int = 200, into validator: inout Validator
    ) -> String {
        let cleaned = value.map(clean) ?? ""
        if cleaned.isEmpty {
            validator.add(field, "is required")
        } else if (value ?? "").unicodeScalars.count > maxLength {
            // Code points of the text as sent, as JSON Schema's maxLength counts them.
            validator.add(field, "must be at most \(maxLength) characters")
        }
        return cleaned
    }
}

/// A field of a PATCH body: absent (leave it), `null` (clear it) or a value.
public enum PatchField<Value: Decodable & Sendable>: Sendable {
    case unchanged
    case set(Value?)

    /// Whether the patch sets a text that is blank (spaces only), which a document's "not blank"
    /// pattern refuses: a 422 rather than a silent removal.
    /// Whether the patch sets a text longer than `limit` scalars as sent — before trimming, as
    /// the document's `maxLength` counts it.
    func setsLonger(than limit: Int) -> Bool {
        if case .set(let value?) = self, let text = value as? String { return text.unicodeScalars.count > limit }
        return false
    }

    var setsBlank: Bool {
        if case .set(let value?) = self, let text = value as? String { return Text.isBlank(text) }
        return false
    }

    /// The new value, or `current` when the field was absent.
    func applied(to current: Value?) -> Value? {
        switch self {
        case .unchanged: current
        case .set(let value): value
        }
    }
}

extension KeyedDecodingContainer {
    func decodePatch<Value: Decodable & Sendable>(
        _ type: Value.Type, forKey key: Key
    ) throws -> PatchField<Value> {
        guard contains(key) else { return .unchanged }
        if try decodeNil(forKey: key) { return .set(nil) }
        return .set(try decode(Value.self, forKey: key))
    }
}
