import Foundation

/// The parameters of an Open311 call: the query string and the body merged, in order, with
/// repeated keys kept (clients put `api_key` in either; FixMyStreet repeats `attribute[C]` and
/// `media_url`). "Optional" means an empty value is the same as an absent one, so every reader
/// here skips empty values.
public struct Open311Parameters: Sendable {
    public private(set) var pairs: [(name: String, value: String)]

    public init(_ pairs: [(name: String, value: String)] = []) {
        self.pairs = pairs
    }

    public mutating func append(contentsOf other: Open311Parameters) {
        pairs += other.pairs
    }

    public mutating func append(name: String, value: String) {
        pairs.append((name, value))
    }

    /// Parses `application/x-www-form-urlencoded` text (a body or a query string): `+` is a space
    /// and `%XX` escapes are UTF-8. Nil when an escape is malformed.
    public static func formEncoded(_ text: String) -> Open311Parameters? {
        var result = Open311Parameters()
        for piece in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]), let value = decode(parts.count > 1 ? parts[1] : "") else { return nil }
            result.append(name: name, value: value)
        }
        return result
    }

    private static func decode(_ text: Substring) -> String? {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        guard spaced.contains("%") else { return spaced }
        return spaced.removingPercentEncoding
    }

    /// The first non-empty value of `name`, trimmed.
    public func value(_ name: String) -> String? {
        for pair in pairs where pair.name == name {
            let value = pair.value.trimmingCharacters(in: .whitespacesAndNewlines)
            if !value.isEmpty { return value }
        }
        return nil
    }

    /// Every non-empty value of `name`, trimmed, in order.
    public func values(_ name: String) -> [String] {
        pairs.filter { $0.name == name }.map { $0.value.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    /// `attribute[CODE]=v`, `attribute[CODE][]=v` and a repeated `attribute[CODE]`, gathered per
    /// code in order (empty values kept: the attribute check treats them as absent).
    public var attributes: [String: [String]] {
        var result: [String: [String]] = [:]
        for pair in pairs where pair.name.hasPrefix("attribute[") {
            var name = pair.name.dropFirst("attribute[".count)
            if name.hasSuffix("][]") { name = name.dropLast(3) } else if name.hasSuffix("]") { name = name.dropLast() } else { continue }
            result[String(name), default: []].append(pair.value)
        }
        return result
    }

    /// A comma list (`service_request_id=a,b`), with repeated keys joined too.
    public func list(_ name: String) -> [String]? {
        let items = values(name).flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            !$0.isEmpty
        }
        return items.isEmpty ? nil : items
    }
}
