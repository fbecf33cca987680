/// A value written as text in JSON (`"15 d"`, `"07:30"`, `"2026-09-02"`): it decodes through its
/// failable text initialiser, so a malformed value is a decoding error of its own field.
public protocol TextCodable: Codable, CustomStringConvertible {
    init?(_ text: String)
    /// What the text must look like, for the error message.
    static var textFormat: String { get }
}

extension TextCodable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected \(Self.textFormat)"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
