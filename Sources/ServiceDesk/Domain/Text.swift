import Foundation

/// Text as it is stored: trimmed and NFC-normalised (SPEC §4), so that "Đặng" typed on two
/// keyboards is the same string.
enum Text {
    static func clean(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCanonicalMapping
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
