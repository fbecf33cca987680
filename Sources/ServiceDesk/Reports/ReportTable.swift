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
        var lines = [columns.map(quote).joined(separator: ",")]
        for row in rows {
            lines.append(columns.map { quote((row[$0] ?? .null).description) }.joined(separator: ","))
        }
        return "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"
    }
}

/// What a report groups by (SPEC §6).
public enum ReportGrouping: String, Codable, CaseIterable, Sendable {
    case none, department, service, channel, staff, employment, counter, hour, day, week, month, quarter
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
    public static func of(_ sorted: [Int], _ p: Double) -> Int? {
        guard !sorted.isEmpty else { return nil }
        let rank = max(1, Int((p / 100 * Double(sorted.count)).rounded(.up)))
        return sorted[min(rank, sorted.count) - 1]
    }
}
