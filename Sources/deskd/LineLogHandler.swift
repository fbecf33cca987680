import Foundation
import Logging
import Synchronization

/// The log line of swift-log's `StreamLogHandler` on standard error, byte for byte
/// (`2026-12-03T10:28:13+0700 info deskd: http.status=201 staff.username=officer1 [deskd] request`),
/// written for less: the timestamp formatted once a second instead of at every line (the stream
/// handler calls `localtime`, which re-reads the time zone and takes glibc's lock each time — two
/// lines per intake, ~4 % of a busy daemon's CPU in `perf`), the metadata joined only when a line
/// is written (the stream handler joins the handler's own at every change: the authentication sets
/// the staff's name on every request, whose lines all carry metadata of their own and so join every
/// key again anyway), and the line handed to the kernel in one `write`.
struct LineLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadataProvider: Logger.MetadataProvider?
    var metadata: Logger.Metadata = [:]

    init(label: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        Self.writeToStandardError(line(event))
    }

    /// The line for an event, its newline included.
    func line(_ event: LogEvent) -> String {
        // The stream handler's rule: the handler's metadata, then the provider's, then the
        // call's, then the error's, later keys winning; all sorted by key. Gathered as pairs in
        // that order and sorted (stably) rather than merged into copies of dictionaries — a
        // request's line did that for six keys, which cost more than writing it.
        let provided = metadataProvider?.get() ?? [:]
        let pretty: String?
        if provided.isEmpty, event.metadata?.isEmpty ?? true, event.error == nil {
            pretty = Self.prettify(metadata)
        } else {
            var pairs: [(key: String, value: Logger.MetadataValue)] = []
            pairs.reserveCapacity(metadata.count + provided.count + (event.metadata?.count ?? 0) + 2)
            pairs.append(contentsOf: metadata.map { ($0.key, $0.value) })
            pairs.append(contentsOf: provided.map { ($0.key, $0.value) })
            if let explicit = event.metadata { pairs.append(contentsOf: explicit.map { ($0.key, $0.value) }) }
            if let error = event.error {
                pairs.append(("error.message", "\(error)"))
                pairs.append(("error.type", "\(String(reflecting: type(of: error)))"))
            }
            pretty = Self.prettify(pairs)
        }
        let message = event.message.description
        var line = Self.timestamp()
        line.reserveCapacity(128 + (pretty?.utf8.count ?? 0) + message.utf8.count)
        line += " "
        line += event.level.rawValue
        if !label.isEmpty {
            line += " "
            line += label
        }
        line += ":"
        if let pretty {
            line += " "
            line += pretty
        }
        line += " ["
        line += event.source
        line += "] "
        line += message
        line += "\n"
        return line
    }

    private static func prettify(_ metadata: Logger.Metadata) -> String? {
        prettify(metadata.map { ($0.key, $0.value) })
    }

    /// `key=value` pairs sorted by key, joined by spaces; of a key given more than once the
    /// last one given (the sort is stable); nil when there are none.
    private static func prettify(_ pairs: [(key: String, value: Logger.MetadataValue)]) -> String? {
        guard !pairs.isEmpty else { return nil }
        let sorted = pairs.sorted { $0.key < $1.key }
        var text = ""
        for (index, pair) in sorted.enumerated() {
            if index + 1 < sorted.count, sorted[index + 1].key == pair.key { continue }
            if !text.isEmpty { text += " " }
            text += pair.key
            text += "="
            text += pair.value.description
        }
        return text
    }

    /// The second last formatted and its text (local time, as `strftime`'s `%Y-%m-%dT%H:%M:%S%z`).
    private static let lastSecond = Mutex<(second: Int, text: String)>((-1, ""))

    static func timestamp() -> String {
        var now = time(nil)
        if let cached = lastSecond.withLock({ $0.second == now ? $0.text : nil }) { return cached }
        var local = tm()
        guard localtime_r(&now, &local) != nil else { return "<unknown>" }
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &local)
        let text = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        lastSecond.withLock { $0 = (now, text) }
        return text
    }

    /// One `write` for the whole line (lines from several threads never interleave), again for
    /// what a short write left.
    private static func writeToStandardError(_ line: String) {
        var line = line
        line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(STDERR_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}
