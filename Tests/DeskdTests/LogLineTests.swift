import Foundation
import Logging
import Synchronization
import Testing

@testable import deskd

/// What swift-log's `StreamLogHandler` writes, collected.
private final class Collected: TextOutputStream, Sendable {
    let text = Mutex("")
    func write(_ string: String) { text.withLock { $0 += string } }
}

private struct Failure: Error, CustomStringConvertible {
    var description: String { "the disk is full" }
}

@Suite("The daemon's log lines")
struct LogLineTests {
    @Test("deskd's log line is swift-log's stream handler's, byte for byte: metadata merged and sorted, errors, providers, labels")
    func sameLineAsStreamHandler() throws {
        let provider = Logger.MetadataProvider { ["trace.id": "0af7651916cd43dd", "http.path": "/from-provider"] }
        let events: [LogEvent] = [
            LogEvent(level: .info, message: "request", metadata: nil, source: "deskd", file: #fileID, function: #function, line: 1),
            LogEvent(
                level: .info, message: "request",
                metadata: [
                    "http.status": "201", "http.method": "POST", "http.path": "/api/v1/tickets", "http.duration_ms": "1.5",
                    "staff.username": "officer1",
                ],
                source: "deskd", file: #fileID, function: #function, line: 2),
            LogEvent(
                level: .warning, message: "ticket received: Nguyễn Văn Thử, \"quoted\" and spaced",
                error: Failure(), metadata: ["ticket.code": "000.00.00.H48-261203-0001", "list": ["a", "b"], "map": ["k": "v"]],
                source: "ServiceDesk", file: #fileID, function: #function, line: 3),
            LogEvent(
                level: .critical, message: "", error: Failure(), metadata: [:], source: "", file: #fileID, function: #function, line: 4),
        ]
        for label in ["deskd", "deskd.outbox", ""] {
            for withProvider in [false, true] {
                for handlerMetadata: Logger.Metadata in [[:], ["staff.username": "admin", "http.path": "/from-handler"]] {
                    let collected = Collected()
                    var stream = StreamLogHandler(label: label, stream: collected, metadataProvider: withProvider ? provider : nil)
                    var line = LineLogHandler(label: label, level: .trace, metadataProvider: withProvider ? provider : nil)
                    for (key, value) in handlerMetadata {
                        stream[metadataKey: key] = value
                        line[metadataKey: key] = value
                    }
                    for event in events {
                        // Both stamp the current second: write again if a second turned in between.
                        var ours = ""
                        var theirs = ""
                        for _ in 0..<3 {
                            collected.text.withLock { $0 = "" }
                            ours = line.line(event)
                            stream.log(event: event)
                            theirs = collected.text.withLock { $0 }
                            if ours.prefix(24) == theirs.prefix(24) { break }
                        }
                        #expect(ours == theirs, "label '\(label)', provider \(withProvider), handler metadata \(handlerMetadata)")
                    }
                }
            }
        }
    }
}
