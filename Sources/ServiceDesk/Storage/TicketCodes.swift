import Foundation
import GRDB
import GRDBSQLite

/// Values keyed by ticket code, looked up by the code's bytes as SQLite holds them in a row — for
/// the reports that read the facts kept beside the tickets once and then find each ticket's among
/// them (the online and feedback reports' fast paths, issue 17) — or by another short text read
/// from a row (staffing counts the tickets of each holder by the bytes of the name). A code of up to 48 bytes (every
/// code this system makes: `{centre}-{YYMMDD}-{NNNN}` with a centre code of at most 32
/// characters, `Centre.isValidCode`) is kept inline, hashed without a string being made or
/// allocated; a longer one (imported from elsewhere) falls back to a string key. Exact either way.
struct TicketCodes<Value: Sendable>: Sendable {
    private var short: [CodeKey: Value] = [:]
    private var long: [String: Value] = [:]

    var isEmpty: Bool { short.isEmpty && long.isEmpty }

    subscript(code: RawColumn) -> Value? {
        if let key = CodeKey(code) { return short[key] }
        return code.text.flatMap { long[$0] }
    }

    /// Every code kept, as text, with its value.
    var entries: [(String, Value)] { short.map { ($0.key.text, $0.value) } + long.map { ($0.key, $0.value) } }

    /// Changes the value of `code` (`initial` when it has none yet) by `change`.
    mutating func update(_ code: RawColumn, initial: @autoclosure () -> Value, _ change: (inout Value) -> Void) {
        if let key = CodeKey(code) {
            change(&short[key, default: initial()])
        } else if let text = code.text {
            change(&long[text, default: initial()])
        }
    }
}

extension TicketCodes where Value == Bool {
    /// Whether `code` is kept (with the value true).
    func contains(_ code: RawColumn) -> Bool { self[code] ?? false }

    mutating func insert(_ code: RawColumn) { update(code, initial: true) { $0 = true } }

    /// Keeps the codes of the first column of `sql`'s rows.
    mutating func insert(_ db: any SQLSession, sql: String, arguments: SQLArguments = []) throws {
        try forEachRow(db, sql: sql, arguments: arguments) { insert(RawColumn($0, 0)) }
    }
}

/// Up to 48 bytes of text, inline.
struct CodeKey: Hashable, Sendable {
    private var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
    private let count: Int

    /// The text of `column`, if it is text of at most 48 bytes.
    init?(_ column: RawColumn) {
        guard sqlite3_value_type(column.value) == SQLITE_TEXT, let bytes = sqlite3_value_text(column.value) else { return nil }
        count = Int(sqlite3_value_bytes(column.value))
        guard count <= 48 else { return nil }
        withUnsafeMutableBytes(of: &words) { _ = memcpy($0.baseAddress!, bytes, count) }
    }

    /// The text kept.
    var text: String {
        withUnsafeBytes(of: words) { String(decoding: $0.prefix(count), as: UTF8.self) }
    }

    static func == (a: CodeKey, b: CodeKey) -> Bool {
        a.count == b.count && a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2 && a.words.3 == b.words.3
            && a.words.4 == b.words.4 && a.words.5 == b.words.5
    }

    func hash(into hasher: inout Hasher) { hasher.combine(_rawHashValue(seed: 0)) }

    /// The hash the sets use: the six words mixed by multiplication and shifts (MurmurHash3's
    /// finaliser), seeded per set as the standard library asks — a million keys hashed by SipHash
    /// cost more than the rest of the online report's fact reads (docs/benchmarks.md).
    func _rawHashValue(seed: Int) -> Int {
        var hash = UInt64(bitPattern: Int64(seed)) ^ (UInt64(count) &* 0x9E37_79B9_7F4A_7C15)
        @inline(__always) func mix(_ word: UInt64) {
            hash = (hash ^ word) &* 0xFF51_AFD7_ED55_8CCD
            hash ^= hash >> 33
        }
        mix(words.0)
        mix(words.1)
        mix(words.2)
        mix(words.3)
        mix(words.4)
        mix(words.5)
        hash = (hash ^ (hash >> 33)) &* 0xC4CE_B9FE_1A85_EC53
        return Int(bitPattern: UInt(hash ^ (hash >> 33)))
    }
}
