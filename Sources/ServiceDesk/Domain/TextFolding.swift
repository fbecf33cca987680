import Foundation

/// Folds Vietnamese text for search: lower case, no diacritics, and `đ`/`Đ` to `d` — which
/// diacritic folding (Foundation's or SQLite FTS5's `remove_diacritics`) leaves alone, as `đ`
/// is a letter of its own, not `d` with a mark. "Đặng" and "dang" both fold to "dang".
public enum TextFolding {
    ///
    /// Text in Latin script (ASCII, Latin-1, Latin Extended-A/B, the combining marks and Latin
    /// Extended Additional, where Vietnamese lives) is folded one scalar at a time from a table
    /// made once with Foundation's folding; anything else goes through Foundation whole.
    /// `HotPathTests` checks the two agree — but for a `đ` carrying a combining mark (never so in
    /// Vietnamese), which is `d` here too, where Foundation's replacement missed it.
    public static func fold(_ text: String) -> String {
        // A combining mark with no letter before it is kept by Foundation: leave that to it.
        if let first = text.unicodeScalars.first, (0x300...0x36F).contains(first.value) { return foundationFold(text) }
        var folded = [UInt8]()
        folded.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                folded.append(UInt8(value >= 0x41 && value <= 0x5A ? value + 0x20 : value))
            } else if let bytes = LatinTable.folded(value) {
                folded.append(contentsOf: bytes)
            } else {
                return foundationFold(text)
            }
        }
        return String(decoding: folded, as: UTF8.self)
    }

    /// The folding itself, through Foundation: the reference the table is made from.
    static func foundationFold(_ text: String) -> String {
        text.replacingOccurrences(of: "đ", with: "d").replacingOccurrences(of: "Đ", with: "d")
            .folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
            .lowercased()
    }

    /// Each scalar of U+0080–U+036F and U+1E00–U+1EFF folded on its own.
    enum LatinTable {
        static let ranges: [ClosedRange<UInt32>] = [0x80...0x36F, 0x1E00...0x1EFF]
        private static let low: [[UInt8]] = ranges[0].map(foldedAlone)
        private static let high: [[UInt8]] = ranges[1].map(foldedAlone)

        /// The UTF-8 of the scalar folded.
        static func folded(_ value: UInt32) -> [UInt8]? {
            if ranges[0].contains(value) { return low[Int(value - ranges[0].lowerBound)] }
            if ranges[1].contains(value) { return high[Int(value - ranges[1].lowerBound)] }
            return nil
        }

        /// Folded between two spaces: Foundation leaves some precomposed letters unfolded when
        /// they are a string's only character ("ậ" alone stays "ậ"; in any longer text it is "a").
        private static func foldedAlone(_ value: UInt32) -> [UInt8] {
            guard let scalar = Unicode.Scalar(value) else { return [] }
            return Array(foundationFold(" " + String(scalar) + " ").utf8.dropFirst().dropLast())
        }
    }

    /// The words of `text` as the search indexes keep them: folded, split at every character that
    /// is neither a letter nor a digit, joined by single spaces. Both engines' tokenizers (SQLite's
    /// FTS5 `unicode61`, PostgreSQL's parser in the `C` locale) then see the same words — a
    /// no-break space, a bullet or a dash between two words separates them on both.
    public static func searchBody(_ text: String) -> String {
        let folded = fold(text)
        return asciiWords(folded) ?? words(folded)
    }

    /// The words by `Character`'s letters and numbers: the rule, for any text.
    static func words(_ text: String) -> String {
        text.split { !$0.isLetter && !$0.isNumber }.joined(separator: " ")
    }

    /// `words` for a text all ASCII — what folded Vietnamese is — a byte at a time: there a
    /// letter is A–Z or a–z and a number 0–9, each a character of its own, so the answer is the
    /// same without the grapheme breaking and property lookups, which were most of an intake's
    /// folding. Nil for any other text.
    static func asciiWords(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { bytes -> String? in
            var words: [UInt8] = []
            words.reserveCapacity(bytes.count)
            var inWord = false
            for byte in bytes {
                guard byte < 0x80 else { return nil }
                let lower = byte | 0x20
                if (0x30...0x39).contains(byte) || (0x61...0x7A).contains(lower) {
                    if !inWord && !words.isEmpty { words.append(0x20) }
                    words.append(byte)
                    inWord = true
                } else {
                    inWord = false
                }
            }
            return String(decoding: words, as: UTF8.self)
        }
    }

    /// An FTS5 query that finds every word of `query` as a prefix, folded; nil if it has no word.
    public static func matchQuery(_ query: String) -> String? {
        let words = queryWords(query)
        guard !words.isEmpty else { return nil }
        return words.map { "\"\($0)\"*" }.joined(separator: " ")
    }

    /// `matchQuery` for PostgreSQL's `to_tsquery`: every word as a prefix (`'word':*`), all of them.
    public static func tsQuery(_ query: String) -> String? {
        let words = queryWords(query)
        guard !words.isEmpty else { return nil }
        return words.map { "'\($0)':*" }.joined(separator: " & ")
    }

    /// The first 12 words of a query, folded: runs of letters and digits (no quote can be among them).
    private static func queryWords(_ query: String) -> [Substring] {
        Array(fold(query).split { !$0.isLetter && !$0.isNumber }.prefix(12))
    }
}
