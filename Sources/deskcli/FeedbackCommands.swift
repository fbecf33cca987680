import ArgumentParser
import Foundation
import ServiceDesk

/// The feedback flow (docs/feedback.md): classing, forwarding and the bodies' answers, the
/// guidance on a complaint, reopening and merging.
extension TicketCommand {
    struct Classify: TicketActionCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give or change a feedback item's severity class; its limit and counting replace the service's.")
        static let action = TicketAction.classify
        @OptionGroup var options: ActionOptions
        @Argument(help: "The class, e.g. urgent (deskcli severity list).") var severity: String
        @Option(help: "Why (required when changing a class).") var reason: String?
        func request() -> ActionRequest { ActionRequest(note: reason, severity: severity) }
    }

    struct Forward: TicketActionCommand {
        static let configuration = CommandConfiguration(
            abstract: "Forward a feedback item to the bodies that must act, one leading (within 5 working days of reception).")
        static let action = TicketAction.forward
        @OptionGroup var options: ActionOptions
        @Option(name: .customLong("to"), help: "A body (department code); repeatable.") var bodies: [String]
        @Option(help: "The body that leads (needed with several).") var lead: String?
        @Option var note: String?
        func request() -> ActionRequest { ActionRequest(note: note, bodies: bodies, lead: lead) }
    }

    struct Accept: TicketActionCommand {
        static let configuration = CommandConfiguration(
            abstract: "A body asked accepts the item (a handler for its department; staff on behalf of an outside agency).")
        static let action = TicketAction.accept
        @OptionGroup var options: ActionOptions
        @Option(help: "The body answering (a handler's own department by default).") var body: String?
        @Option var note: String?
        func request() -> ActionRequest { ActionRequest(note: note, body: body) }
    }

    struct SendBack: TicketActionCommand {
        static let configuration = CommandConfiguration(
            commandName: "send-back", abstract: "A body asked sends the item back with its reason, before accepting it.")
        static let action = TicketAction.sendBack
        @OptionGroup var options: ActionOptions
        @Option(help: "The body answering (a handler's own department by default).") var body: String?
        @Option var reason: String
        func request() -> ActionRequest { ActionRequest(note: reason, body: body) }
    }

    struct Redirect: TicketActionCommand {
        static let configuration = CommandConfiguration(
            abstract: "Close a complaint or denunciation with the guidance and the competent body (counted apart from feedback).")
        static let action = TicketAction.redirect
        @OptionGroup var options: ActionOptions
        @Option(help: "complaint or denunciation") var nature: String
        @Option(help: "The body competent to settle it.") var body: String
        @Option(help: "The guidance: where and how to file it.") var guidance: String
        func request() -> ActionRequest { ActionRequest(note: guidance, body: body, nature: nature) }
    }

    struct Reopen: TicketActionCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reopen a resolved feedback item at the citizen's request (once, within the centre's days).")
        static let action = TicketAction.reopen
        @OptionGroup var options: ActionOptions
        @Option(help: "Why the citizen is not satisfied.") var reason: String
        func request() -> ActionRequest { ActionRequest(note: reason) }
    }

    struct Merge: TicketActionCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge a duplicate into another open item of the same service; its reporter is kept informed.")
        static let action = TicketAction.merge
        @OptionGroup var options: ActionOptions
        @Option(help: "The item this one duplicates.") var into: String
        @Option var note: String?
        func request() -> ActionRequest { ActionRequest(note: note, into: into) }
    }

    struct Forwards: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The bodies a feedback item was forwarded to: lead, grades, acceptance, sent back.")
        @OptionGroup var global: GlobalOptions
        @Argument var code: String

        func run() async throws {
            let client = try global.client()
            let data = try await client.call("GET", "api/v1/tickets/\(Path.escape(code))/forwards")
            if global.json { return Output.json(data) }
            let forwards = try client.decode([ServiceDesk.Forward].self, from: data)
            if forwards.isEmpty { return print("not forwarded") }
            Output.table(
                ["body", "lead", "sent", "grade", "accept by", "answer"],
                forwards.map { f in
                    let answer =
                        if let at = f.acceptedAt {
                            "accepted \(TicketCommand.format(at)) (\(f.acceptanceGrade?.rawValue ?? "-"))"
                        } else if let at = f.sentBackAt {
                            "sent back \(TicketCommand.format(at)): \(f.sentBackReason ?? "")"
                        } else {
                            "pending"
                        }
                    return [
                        f.body, f.lead ? "yes" : "", TicketCommand.format(f.sentAt), f.grade?.rawValue ?? "-",
                        TicketCommand.format(f.acceptDueAt), answer,
                    ]
                })
        }
    }
}

/// `deskcli severity`: the severity classes of feedback.
struct SeverityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "severity", abstract: "The severity classes of feedback and their limits.", subcommands: [List.self, Set.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The classes, in order.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let client = try global.client()
            let data = try await client.call("GET", "api/v1/severity-classes")
            if global.json { return Output.json(data) }
            let classes = try client.decode([SeverityClass].self, from: data)
            Output.table(
                ["code", "name", "limit", "counted"],
                classes.map {
                    [$0.code, $0.name, $0.timeLimit?.description ?? "the service's", $0.roundTheClock ? "round the clock" : "working time"]
                })
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or replace a class; items already classed keep the terms they were given.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The class code, e.g. urgent.") var code: String
        @Option var name: String
        @Option(help: "'N h' or 'N d'; left out: the service's own limit.") var limit: String?
        @Flag(help: "Counted in clock time, day and night (needs --limit).") var roundTheClock = false
        @Option(help: "Where it is listed (0 first).") var position: Int?

        func run() async throws {
            let client = try global.client()
            let draft = SeverityClassDraft(name: name, timeLimit: limit, roundTheClock: roundTheClock, position: position)
            let data = try await client.call("PUT", "api/v1/severity-classes/\(Path.escape(code))", json: draft)
            if global.json { return Output.json(data) }
            let value = try client.decode(SeverityClass.self, from: data)
            Output.fields([
                ("code", value.code), ("name", value.name), ("limit", value.timeLimit?.description ?? "the service's"),
                ("counted", value.roundTheClock ? "round the clock" : "working time"),
            ])
        }
    }
}
