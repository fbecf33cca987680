import Foundation

/// Folds Vietnamese text for search: lower case, no diacritics, and `đ`/`Đ` to `d` — which
/// diacritic folding (Foundation's or SQLite FTS5's `remove_diacritics`) leaves alone, as `đ`
/// is a letter of its own, not `d` with a mark. "Đặng" and "dang" both fold to "dang".
public enum TextFolding {
    public static func fold(_ text: String) -> String {
        text.replacingOccurrences(of: "đ", with: "d").replacingOccurrences(of: "Đ", with: "d")
            .folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
            .lowercased()
    }

    /// An FTS5 query that finds every word of `query` as a prefix, folded; nil if it has no word.
    public static func matchQuery(_ query: String) -> String? {
        let words = fold(query).split { !$0.isLetter && !$0.isNumber }.prefix(12)
        guard !words.isEmpty else { return nil }
        return words.map { "\"\($0)\"*" }.joined(separator: " ")
    }
}
