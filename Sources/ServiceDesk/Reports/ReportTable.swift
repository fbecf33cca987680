import Foundation
import GRDB

/// One value of a report cell.
public enum ReportValue: Codable, Equatable, Sendable, CustomStringConvertible {
    case int(Int)
    case number(Double)
    case text(String)
    case null

    public var description: String {
        switch self {
        case .int(let value): String(value)
        case .number(let value): String(format: "%.4f", value)
        case .text(let value): value
        case .null: ""
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else {
            self = .text(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let value): try container.encode(value)
        case .number(let value): try container.encode((value * 10_000).rounded() / 10_000)
        case .text(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }
}

/// A report as a table: the same shape for JSON, CSV and the CLI.
public struct ReportTable: Codable, Equatable, Sendable {
    public var report: String
    /// Nil for reports of the present moment (backlog).
    public var period: ReportPeriod?
    public var groupBy: String
    /// Column keys in order; the first is the group.
    public var columns: [String]
    public var rows: [[String: ReportValue]]

    /// RFC 4180 CSV with a UTF-8 byte-order mark, so spreadsheets open Vietnamese names intact.
    public func csv() -> String {
        func quote(_ text: String) -> String {
            text.contains(where: { ",\"\n\r".contains($0) }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        // A text cell that a spreadsheet would run as a formula (= + - @, or a tab or CR before one)
        // is written with a leading apostrophe (OWASP "CSV injection"); numbers stay numbers.
        func cell(_ value: ReportValue) -> String {
            if case .text(let text) = value, let first = text.first, "=+-@\t\r".contains(first) { return quote("'" + text) }
            return quote(value.description)
        }
        var lines = [columns.map(quote).joined(separator: ",")]
        for row in rows {
            lines.append(columns.map { cell(row[$0] ?? .null) }.joined(separator: ","))
        }
        return "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"
    }
}

/// What a report groups by (SPEC §6).
public enum ReportGrouping: String, Codable, CaseIterable, Sendable {
    case none, department, service, channel, staff, employment, counter, hour, day, week, month, quarter
    /// The severity class of feedback (the feedback report).
    case severity
}

/// Which tickets a report looks at (SPEC §6 filters); nil means all.
public struct ReportFilter: Sendable {
    public var department: String?
    public var service: String?
    public var channel: Ticket.Channel?

    public init(department: String? = nil, service: String? = nil, channel: Ticket.Channel? = nil) {
        self.department = department
        self.service = service
        self.channel = channel
    }

    /// ` AND …` conditions on the ticket alias `t`, with their named arguments.
    var sql: String {
        (department == nil ? "" : " AND t.department = :fDepartment") + (service == nil ? "" : " AND t.service = :fService")
            + (channel == nil ? "" : " AND t.channel = :fChannel")
    }

    var arguments: [String: (any DatabaseValueConvertible)?] {
        ["fDepartment": department, "fService": service, "fChannel": channel?.rawValue].filter { $0.value != nil }
    }
}

/// Nearest-rank percentiles of sorted values (docs/reports.md): the value at rank ⌈p/100 × n⌉.
public enum Percentile {
    /// The nearest-rank percentile of sorted values: the value at rank ⌈p/100 × n⌉ (at least 1).
    public static func of(_ sorted: [Int], _ p: Double) -> Int? {
        guard !sorted.isEmpty else { return nil }
        return sorted[rank(p, sorted.count) - 1]
    }

    static func rank(_ p: Double, _ count: Int) -> Int {
        min(count, max(1, Int((p / 100 * Double(count)).rounded(.up))))
    }

    /// The nearest-rank percentiles `ps` (ascending) of unsorted values, by selection in place
    /// (quickselect: linear on average) instead of a full sort — the same answers as `of` on the
    /// sorted values; `values` is reordered. At a million durations per report this is what
    /// keeps the percentiles cheap.
    public static func select(_ values: inout [Int], _ ps: [Double]) -> [Int?] {
        guard !values.isEmpty else { return ps.map { _ in nil } }
        var low = 0
        return values.withUnsafeMutableBufferPointer { buffer in
            ps.map { p in
                let k = rank(p, buffer.count) - 1
                nthElement(buffer, k, low: low, high: buffer.count - 1)
                low = k  // everything after k is ≥ buffer[k]; the next (higher) rank lies there
                return buffer[k]
            }
        }
    }

    /// Puts the k-th smallest of `buffer[low...high]` at index k, smaller ones before, larger after.
    private static func nthElement(_ buffer: UnsafeMutableBufferPointer<Int>, _ k: Int, low: Int, high: Int) {
        var low = low
        var high = high
        while low < high {
            // Median of three as the pivot guards against sorted input.
            let middle = low + (high - low) / 2
            if buffer[middle] < buffer[low] { buffer.swapAt(middle, low) }
            if buffer[high] < buffer[low] { buffer.swapAt(high, low) }
            if buffer[high] < buffer[middle] { buffer.swapAt(high, middle) }
            let pivot = buffer[middle]
            var i = low
            var j = high
            while i <= j {
                while buffer[i] < pivot { i += 1 }
                while buffer[j] > pivot { j -= 1 }
                if i <= j {
                    buffer.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j {
                high = j
            } else if k >= i {
                low = i
            } else {
                return
            }
        }
    }
}
