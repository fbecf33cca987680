import ArgumentParser
import Foundation
import ServiceDesk

/// `deskcli outbox`: the messages told to citizens, their delivery, and the centre's gateways
/// (docs/notifications.md).
struct OutboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "Messages to citizens (SMS, e-mail, Zalo): list them, replay dead letters, keep the gateways.",
        subcommands: [List.self, Retry.self, Gateways.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The outbox, newest first.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "pending, delivered or dead") var state: String?
        @Option(help: "One ticket's messages.") var ticket: String?
        @Option(help: "At most this many (1–500, default 50).") var limit: Int?

        func run() async throws {
            let client = try global.client()
            let data = try await client.call(
                "GET", "api/v1/outbox", query: ["state": state, "ticket": ticket, "limit": limit.map(String.init)])
            if global.json { return Output.json(data) }
            let messages = try client.decode([OutboxMessage].self, from: data)
            if messages.isEmpty { return print("no message") }
            let format = ISO8601DateFormatter()
            Output.table(
                ["id", "state", "attempts", "gateway", "kind", "ticket", "to", "created", "last error"],
                messages.map {
                    [
                        String($0.id), $0.state.rawValue, String($0.attempts), $0.gateway, $0.kind.rawValue, $0.ticket ?? "-",
                        $0.recipient, format.string(from: $0.createdAt), $0.lastError ?? "",
                    ]
                })
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Replay dead letters: one by id, or every one (of a gateway) with --all-dead. Same message ids: receivers deduplicate.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The message id (see 'outbox list --state dead').") var id: Int64?
        @Flag(help: "Every dead letter.") var allDead = false
        @Option(help: "With --all-dead: only this gateway's.") var gateway: String?

        func validate() throws {
            if (id == nil) == !allDead { throw ValidationError("give a message id or --all-dead") }
            if gateway != nil && !allDead { throw ValidationError("--gateway goes with --all-dead") }
        }

        func run() async throws {
            let client = try global.client()
            let data =
                if let id {
                    try await client.call("POST", "api/v1/outbox/\(id)/retry")
                } else {
                    try await client.call("POST", "api/v1/outbox/retry", json: ["gateway": gateway])
                }
            if global.json { return Output.json(data) }
            struct Answer: Decodable { var retried: Int }
            print("\(try client.decode(Answer.self, from: data).retried) message(s) put back in the queue")
        }
    }

    struct Gateways: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The centre's gateways (list by default; add, update).", subcommands: [List.self, Add.self, Update.self],
            defaultSubcommand: List.self)

        static func show(_ answer: GatewaySecret) {
            Output.fields([
                ("name", answer.gateway.name), ("channel", answer.gateway.channel.rawValue), ("url", answer.gateway.url),
                ("active", Output.yesNo(answer.gateway.active)),
            ])
            if let secret = answer.secret {
                print("secret: \(secret)")
                print("(shown once: give it to the gateway, which verifies X-Desk-Signature with it)")
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the gateways (never their secrets).")
            @OptionGroup var global: GlobalOptions

            func run() async throws {
                let client = try global.client()
                let data = try await client.call("GET", "api/v1/outbox/gateways")
                if global.json { return Output.json(data) }
                let gateways = try client.decode([Gateway].self, from: data)
                if gateways.isEmpty { return print("no gateway: nothing is sent to citizens") }
                Output.table(
                    ["name", "channel", "active", "url"], gateways.map { [$0.name, $0.channel.rawValue, Output.yesNo($0.active), $0.url] })
            }
        }

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Add a gateway; its signing secret is printed once.")
            @OptionGroup var global: GlobalOptions
            @Argument var name: String
            @Option(help: "sms, email or zalo") var channel: String
            @Option(help: "The URL deskd posts each message to.") var url: String
            @Option(help: "The HMAC secret, if the gateway has one already; default: a new one.") var secret: String?

            func run() async throws {
                let client = try global.client()
                let data = try await client.call(
                    "POST", "api/v1/outbox/gateways", json: GatewayDraft(name: name, channel: channel, url: url, secret: secret))
                if global.json { return Output.json(data) }
                Gateways.show(try client.decode(GatewaySecret.self, from: data))
            }
        }

        struct Update: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Change a gateway: --url, --active false (its messages wait), --rotate-secret (printed once).")
            @OptionGroup var global: GlobalOptions
            @Argument var name: String
            @Option var url: String?
            @Option(help: "true or false") var active: Bool?
            @Flag(help: "Make a new signing secret.") var rotateSecret = false

            func run() async throws {
                guard url != nil || active != nil || rotateSecret else { throw ValidationError("nothing to change") }
                let client = try global.client()
                let data = try await client.call(
                    "PATCH", "api/v1/outbox/gateways/\(Path.escape(name))",
                    json: GatewayPatch(url: url, active: active, rotateSecret: rotateSecret ? true : nil))
                if global.json { return Output.json(data) }
                Gateways.show(try client.decode(GatewaySecret.self, from: data))
            }
        }
    }
}
