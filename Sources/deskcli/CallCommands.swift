import ArgumentParser
import Foundation
import ServiceDesk

/// `deskcli call`: the hotline's call log (docs/hotline.md).
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call", abstract: "The hotline's call log: log a call, list calls and the call backs owed, record a call back.",
        subcommands: [Log.self, List.self, Callback.self])

    static func show(_ call: Call) {
        let format = ISO8601DateFormatter()
        Output.fields([
            ("call", String(call.id)), ("caller", call.caller), ("started", format.string(from: call.startedAt)),
            ("duration", call.durationSeconds.map { "\($0) s" } ?? "going on"), ("operator", call.operatorUsername ?? "-"),
            ("outcome", call.outcome?.rawValue ?? "-"), ("ticket", call.ticket ?? "-"),
            ("call back due", call.callbackDueAt.map(format.string(from:)) ?? "-"),
            ("called back", call.callbackDoneAt.map { "\(format.string(from: $0)) by \(call.callbackBy ?? "?")" } ?? "-"),
        ])
    }

    struct Log: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Log a call: answered, item-opened (with --ticket), transferred, missed or recorded (after hours, with --recording).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The caller's number, or 'unknown'.") var caller: String
        @Option(help: "answered, item-opened, transferred, missed or recorded") var outcome: String
        @Option(help: "How long it lasted, in seconds.") var duration: Int?
        @Option(help: "The ticket it opened.") var ticket: String?
        @Option(help: "The recording's reference (after hours).") var recording: String?
        @Option var note: String?

        func run() async throws {
            let client = try global.client()
            let data = try await client.call(
                "POST", "api/v1/calls",
                json: CallDraft(
                    caller: caller, durationSeconds: duration, outcome: outcome, ticket: ticket, recording: recording, note: note))
            if global.json { return Output.json(data) }
            CallCommand.show(try client.decode(Call.self, from: data))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List calls, newest first; --callbacks-owed: the call backs still owed.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "First day, YYYY-MM-DD.") var from: String?
        @Option(help: "Last day, YYYY-MM-DD.") var to: String?
        @Option(help: "Only this outcome.") var outcome: String?
        @Flag(help: "Only the missed and recorded calls not yet called back.") var callbacksOwed = false

        func run() async throws {
            let client = try global.client()
            let data = try await client.call(
                "GET", "api/v1/calls",
                query: ["from": from, "to": to, "outcome": outcome, "callbacksOwed": callbacksOwed ? "true" : nil])
            if global.json { return Output.json(data) }
            let calls = try client.decode([Call].self, from: data)
            if calls.isEmpty { return print("no call") }
            let format = ISO8601DateFormatter()
            Output.table(
                ["id", "started", "caller", "seconds", "operator", "outcome", "ticket", "call back due", "called back"],
                calls.map {
                    [
                        String($0.id), format.string(from: $0.startedAt), $0.caller, $0.durationSeconds.map(String.init) ?? "-",
                        $0.operatorUsername ?? "-", $0.outcome?.rawValue ?? "going on", $0.ticket ?? "-",
                        $0.callbackDueAt.map(format.string(from:)) ?? "-", $0.callbackDoneAt.map(format.string(from:)) ?? "-",
                    ]
                })
        }
    }

    struct Callback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record that a missed or recorded call was called back.")
        @OptionGroup var global: GlobalOptions
        @Argument var id: Int64
        @Option var note: String?

        func run() async throws {
            let client = try global.client()
            let data = try await client.call("POST", "api/v1/calls/\(id)/callback", json: ["note": note])
            if global.json { return Output.json(data) }
            CallCommand.show(try client.decode(Call.self, from: data))
        }
    }
}
