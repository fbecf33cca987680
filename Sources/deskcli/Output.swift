import Foundation

/// Human-readable tables for the terminal; `--json` prints the server's JSON instead.
enum Output {
    static func table(_ header: [String], _ rows: [[String]]) {
        let widths = header.indices.map { column in
            ([header[column]] + rows.map { column < $0.count ? $0[column] : "" }).map(\.count).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: "  ")
        }
        print(line(header.map { $0.uppercased() }))
        for row in rows { print(line(row)) }
        if rows.isEmpty { print("(none)") }
    }

    /// `key: value` lines for one item.
    static func fields(_ pairs: [(String, String)]) {
        let width = pairs.map(\.0.count).max() ?? 0
        for (key, value) in pairs {
            print(key + ":" + String(repeating: " ", count: width - key.count + 1) + value)
        }
    }

    /// Pretty-prints JSON from the server.
    static func json(_ data: Data) {
        if let object = try? JSONSerialization.jsonObject(with: data),
            let pretty = try? JSONSerialization.data(
                withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        {
            print(String(decoding: pretty, as: UTF8.self))
        } else {
            print(String(decoding: data, as: UTF8.self))
        }
    }

    static func yesNo(_ value: Bool) -> String { value ? "yes" : "no" }
}
