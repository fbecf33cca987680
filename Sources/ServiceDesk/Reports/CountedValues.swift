/// A multiset of whole numbers (minutes), kept as each value with how many times it occurs — what
/// the report rollups store per day and group (migration 0026, docs/reports.md). Exact: the
/// nearest-rank percentiles of merged multisets are those of the raw values, so a rollup answers
/// what the scan of the tickets answers, without reading a row per ticket.
///
/// Stored as a blob: the values ascending, the first zigzag-encoded and each next as the gap to
/// the one before, each followed by its count, all as LEB128 varints.
public struct CountedValues: Equatable, Sendable {
    struct Pair: Equatable, Sendable {
        var value: Int
        var count: Int
    }

    /// The values with their counts: ascending, each value once, every count positive when
    /// `canonical`; otherwise runs appended by merges, put in order when next needed (Swift's
    /// sort finds the ascending runs, so merging many stored multisets costs a merge of runs,
    /// not a hash per value).
    fileprivate var pairs: [Pair] = []
    fileprivate var canonical = true

    public init() {}

    public init(_ values: some Sequence<Int>) {
        pairs = values.map { Pair(value: $0, count: 1) }
        canonical = false
        normalize()
    }

    /// How many values it holds.
    public var total: Int { pairs.reduce(0) { $0 + $1.count } }

    /// Each value once, ascending, with how many times it occurs.
    public var valueCounts: [(value: Int, count: Int)] {
        var ordered = self
        ordered.normalize()
        return ordered.pairs.map { ($0.value, $0.count) }
    }

    public static func == (left: CountedValues, right: CountedValues) -> Bool {
        var left = left
        var right = right
        left.normalize()
        right.normalize()
        return left.pairs == right.pairs
    }

    /// Puts the pairs in order, each value once, without the values counted zero times.
    mutating func normalize() {
        guard !canonical else { return }
        defer { canonical = true }
        // Many pairs over a narrow range of values (a year of steps' minutes: millions of pairs,
        // values up to some 10^5) are counted into an array by value — a merge sort of thousands of
        // runs moved every pair a dozen times (`perf`: half the report). Sparse ones are sorted.
        if let low = pairs.min(by: { $0.value < $1.value })?.value, let high = pairs.max(by: { $0.value < $1.value })?.value {
            let (range, overflow) = high.subtractingReportingOverflow(low)
            if !overflow, range < 8 * pairs.count, range < 1 << 24 {
                var counts = [Int](repeating: 0, count: range + 1)
                for pair in pairs { counts[pair.value - low] += pair.count }
                var merged: [Pair] = []
                merged.reserveCapacity(min(pairs.count, range + 1))
                for (offset, count) in counts.enumerated() where count > 0 { merged.append(Pair(value: low + offset, count: count)) }
                pairs = merged
                return
            }
        }
        pairs.sort { $0.value < $1.value }
        var merged: [Pair] = []
        merged.reserveCapacity(pairs.count)
        for pair in pairs {
            if let last = merged.last, last.value == pair.value {
                merged[merged.count - 1].count += pair.count
            } else {
                merged.append(pair)
            }
        }
        pairs = merged.filter { $0.count > 0 }
    }

    /// Adds `times` occurrences of `value` (removes them when negative; a count that reaches zero
    /// or below drops the value).
    public mutating func add(_ value: Int, times: Int = 1) {
        normalize()
        var low = 0
        var high = pairs.count
        while low < high {
            let middle = (low + high) / 2
            if pairs[middle].value < value { low = middle + 1 } else { high = middle }
        }
        if low < pairs.count && pairs[low].value == value {
            pairs[low].count += times
            if pairs[low].count <= 0 { pairs.remove(at: low) }
        } else if times > 0 {
            pairs.insert(Pair(value: value, count: times), at: low)
        }
    }

    public mutating func merge(_ other: CountedValues) {
        guard !other.pairs.isEmpty else { return }
        if pairs.isEmpty {
            self = other
            return
        }
        pairs += other.pairs
        canonical = false
    }

    /// The nearest-rank percentiles `ps` (`Percentile.of` on the sorted values), nil when empty.
    public mutating func percentiles(_ ps: [Double]) -> [Int?] {
        normalize()
        let total = total
        guard total > 0 else { return ps.map { _ in nil } }
        return ps.map { p in
            let rank = Percentile.rank(p, total)
            var seen = 0
            for pair in pairs {
                seen += pair.count
                if seen >= rank { return pair.value }
            }
            return pairs.last?.value
        }
    }

    // MARK: The blob

    public var encoded: [UInt8] {
        var ordered = self
        ordered.normalize()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ordered.pairs.count * 3)
        var previous: Int?
        for pair in ordered.pairs {
            if let previous {
                Self.append(UInt64(pair.value - previous), to: &bytes)
            } else {
                Self.append(UInt64(bitPattern: Int64((pair.value << 1) ^ (pair.value >> 63))), to: &bytes)
            }
            Self.append(UInt64(pair.count), to: &bytes)
            previous = pair.value
        }
        return bytes
    }

    /// Decodes `encoded`; nil when the bytes are not such a blob.
    public init?(decoding bytes: [UInt8]) {
        guard add(encoded: bytes) else { return nil }
    }

    /// Adds the values of a blob (`encoded`) — a merge without the multiset in between; false,
    /// with nothing added, when the bytes are not such a blob.
    @discardableResult
    public mutating func add(encoded bytes: [UInt8]) -> Bool {
        var index = 0
        var previous: Int?
        var decoded: [Pair] = []
        decoded.reserveCapacity(bytes.count / 2)
        while index < bytes.count {
            guard let first = Self.varint(bytes, &index), let count = Self.varint(bytes, &index), count > 0, count <= UInt64(Int.max)
            else { return false }
            let value: Int
            if let previous {
                guard first > 0, first <= UInt64(Int.max) else { return false }
                let (sum, overflow) = previous.addingReportingOverflow(Int(first))
                guard !overflow else { return false }
                value = sum
            } else {
                value = Int(Int64(bitPattern: first >> 1) ^ -Int64(bitPattern: first & 1))
            }
            decoded.append(Pair(value: value, count: Int(count)))
            previous = value
        }
        // A blob is in order with each value once: decoded into an empty multiset it stays canonical.
        merge(CountedValues(canonical: decoded))
        return true
    }

    private init(canonical pairs: [Pair]) {
        self.pairs = pairs
    }

    private static func append(_ number: UInt64, to bytes: inout [UInt8]) {
        var number = number
        while number >= 0x80 {
            bytes.append(UInt8(number & 0x7F) | 0x80)
            number >>= 7
        }
        bytes.append(UInt8(number))
    }

    /// The varint at `index`, moving past it; nil when the bytes end inside it or it is too long.
    private static func varint(_ bytes: [UInt8], _ index: inout Int) -> UInt64? {
        var number: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.count, shift < 64 {
            let byte = bytes[index]
            index += 1
            number |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return number }
            shift += 7
        }
        return nil
    }
}

/// Durations a report collects per group and picks percentiles from: the values as read, or
/// counted (`CountedValues`) — the same answers either way.
protocol DurationValues: Sendable {
    init()
    /// How many values.
    var total: Int { get }
    mutating func insert(_ value: Int)
    mutating func merge(_ other: Self)
    /// The nearest-rank percentiles `ps`, ascending (`Percentile`); nil when empty.
    mutating func percentiles(_ ps: [Double]) -> [Int?]
}

extension Array: DurationValues where Element == Int {
    var total: Int { count }
    mutating func insert(_ value: Int) { append(value) }
    mutating func merge(_ other: [Int]) { append(contentsOf: other) }
    mutating func percentiles(_ ps: [Double]) -> [Int?] { Percentile.select(&self, ps) }
}

extension CountedValues: DurationValues {
    /// One more `value`, appended: put in order with the others when next needed.
    mutating func insert(_ value: Int) {
        pairs.append(Pair(value: value, count: 1))
        canonical = false
    }
}
