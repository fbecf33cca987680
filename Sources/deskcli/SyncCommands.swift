import ArgumentParser
import Foundation
import ServiceDesk

/// `deskcli sync`: synchronisation with the National Public Service Portal (docs/portal-sync.md).
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "The National Public Service Portal: the feed of status changes, acknowledgements, reconciliation.",
        subcommands: [Feed.self, Ack.self, Reconcile.self, Webhook.self])

    struct Webhook: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The subscriber that takes the feed as signed webhooks: show it, set it, or stop it.",
            discussion: """
                deskcli sync webhook                     show it (URL, cursor, deliveries, last failure)
                deskcli sync webhook --url URL [--secret S] [--after ID]
                                                         set it; posts start after entry ID (default: the newest now)
                deskcli sync webhook --stop              stop the posts (the cursor is kept)
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "Where to post the feed (http:// or https://).") var url: String?
        @Option(help: "The HMAC secret the subscriber verifies with (default: made by deskd, shown once).") var secret: String?
        @Option(help: "The feed entry to start after (0: the whole trail).") var after: Int?
        @Flag(help: "Stop the posts.") var stop = false

        func run() async throws {
            let client = try global.client()
            let data: Data
            if stop {
                data = try await client.call("DELETE", "api/v1/sync/portal/webhook")
            } else if let url {
                data = try await client.call(
                    "PUT", "api/v1/sync/portal/webhook", json: PortalWebhookDraft(url: url, secret: secret, after: after.map(Int64.init)))
            } else {
                guard secret == nil, after == nil else { throw ValidationError("--secret and --after go with --url") }
                data = try await client.call("GET", "api/v1/sync/portal/webhook")
            }
            if global.json { return Output.json(data) }
            let webhook = try client.decode(PortalWebhook.self, from: data)
            Output.fields([
                ("url", webhook.url), ("active", Output.yesNo(webhook.active)), ("cursor", String(webhook.cursor)),
                ("delivered", String(webhook.delivered)), ("failed in a row", String(webhook.attempts)),
                ("next attempt", webhook.nextAttemptAt.map(TicketCommand.format) ?? "-"), ("last error", webhook.lastError ?? "-"),
            ])
            if let secret = webhook.secret { print("secret: \(secret)  (shown once: give it to the subscriber)") }
        }
    }

    struct Feed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The changes of portal status after a cursor, oldest first.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The last id already read (0: from the beginning).") var after: Int = 0
        @Option(help: "At most this many entries (1 to 1000).") var limit: Int = 100

        func run() async throws {
            let client = try global.client()
            let data = try await client.call("GET", "api/v1/sync/portal", query: ["after": String(after), "limit": String(limit)])
            if global.json { return Output.json(data) }
            let feed = try client.decode(PortalFeed.self, from: data)
            Output.table(
                ["id", "code", "procedure", "status", "at", "result"],
                feed.items.map {
                    [
                        String($0.id), $0.code, "\($0.procedure) v\($0.procedureVersion)", "\($0.status) \($0.statusName)",
                        TicketCommand.format($0.at), $0.result?.rawValue ?? "-",
                    ]
                })
            print("next: \(feed.next)")
        }
    }

    struct Ack: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Acknowledge what the portal stored: ID:STATUS for each feed entry.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Feed entries as ID:STATUS, e.g. 1042:4.") var entries: [String]

        func run() async throws {
            let items = try entries.map { text -> PortalAck in
                let parts = text.split(separator: ":")
                guard parts.count == 2, let id = Int64(parts[0]), let status = Int(parts[1]) else {
                    throw ValidationError("an entry is ID:STATUS, e.g. 1042:4 — not '\(text)'")
                }
                return PortalAck(id: id, status: status)
            }
            let client = try global.client()
            let data = try await client.call("POST", "api/v1/sync/portal/acks", json: ["items": items])
            if global.json { return Output.json(data) }
            let answer = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            print("acknowledged; \(answer?["moved"] as? Int ?? 0) dossier(s) moved")
        }
    }

    struct Reconcile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Dossiers received from --from to --to whose status at the portal, as acknowledged, is not ours.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "First day, YYYY-MM-DD.") var from: String
        @Option(help: "Last day, YYYY-MM-DD (inclusive).") var to: String

        func run() async throws {
            let client = try global.client()
            let data = try await client.call("GET", "api/v1/sync/portal/reconcile", query: ["from": from, "to": to])
            if global.json { return Output.json(data) }
            let differences = try client.decode([PortalDifference].self, from: data)
            if differences.isEmpty { return print("in step: every dossier's acknowledged status is ours") }
            Output.table(
                ["code", "ours", "portal", "acknowledged entry", "our entry"],
                differences.map {
                    [
                        $0.code, "\($0.ours) \(PortalStatus.name($0.ours))",
                        $0.acknowledged.map { "\($0) \(PortalStatus.name($0))" } ?? "never",
                        $0.acknowledgedEvent.map(String.init) ?? "-", String($0.lastEvent),
                    ]
                })
        }
    }
}
