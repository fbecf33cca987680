import ArgumentParser
import Foundation
import ServiceDesk

struct TicketCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ticket", abstract: "Dossiers and requests: intake, lookup, the lifecycle actions, queues.",
        subcommands: [
            Create.self, Show.self, List.self, Events.self, Steps.self, Duplicates.self, ExplainDue.self, Form.self, Queue.self,
            Next.self,
            Claim.self, Transfer.self, RequestSupplement.self, SupplementReceived.self, Resolve.self, Return.self, Reject.self,
            Withdraw.self, Apologise.self, Rate.self, Note.self, Reassign.self, Progress.self,
            Classify.self, Forward.self, Forwards.self, Accept.self, SendBack.self, Redirect.self, Reopen.self, Merge.self,
            Pay.self, Exempt.self, Payments.self, Receive.self,
            Documents.self, AddDocument.self, Scan.self, File.self, Result.self, ResultFile.self,
        ])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Receive a dossier or request and print its receipt (code, received and due moments).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Service code, e.g. 1.004227.") var service: String
        @Option(help: "The applicant's name.") var name: String
        @Option(help: "12-digit personal identification number.") var idNumber: String?
        @Option(help: "Organisation's tax code (with --organisation).") var taxCode: String?
        @Flag(help: "The applicant is an organisation.") var organisation = false
        @Option var phone: String?
        @Option var email: String?
        @Option var address: String?
        @Option var description: String?
        @Option(help: "counter, hotline, web, mobile, open311, post or email.") var channel = "counter"
        @Option(name: .customLong("document"), help: "NAME[:COPIES][:original]; repeatable.") var documents: [String] = []
        @Option(help: "normal, priority or urgent.") var priority: String?
        @Option var priorityReason: String?
        @Option(name: .customLong("missing"), help: "A missing item: the dossier is incomplete (repeatable).") var missing: [String] = []
        @Option(help: "Refuse at intake with these reasons.") var refuse: String?
        @Option(help: "The walk-in queue number.") var queueNumber: String?
        @Option(help: "Idempotency-Key: a retry with the same key creates nothing.") var idempotencyKey: String?
        @Option(help: "Feedback: the severity class (deskcli severity list).") var severity: String?
        @Option(help: "The National Public Service Portal's code of a dossier filed through it.") var portalCode: String?
        @Option(help: "The portal's reference of it (with --portal-code).") var portalReference: String?

        func run() async throws {
            let documents = try self.documents.map { text -> Document in
                let parts = text.split(separator: ":").map(String.init)
                guard let name = parts.first, !name.isEmpty else { throw ValidationError("--document needs a name") }
                let copies = parts.count > 1 ? Int(parts[1]) : 1
                guard let copies else { throw ValidationError("--document copies must be a number: \(text)") }
                return Document(name: name, copies: copies, original: parts.count > 2 && parts[2] == "original")
            }
            var request = IntakeRequest(
                service: service, channel: channel,
                applicant: ApplicantDraft(
                    kind: organisation ? "organisation" : "person", name: name, idNumber: idNumber, taxCode: taxCode, phone: phone,
                    email: email,
                    address: address),
                description: description, documents: documents, priority: priority, priorityReason: priorityReason,
                outcome: refuse != nil ? "refused" : missing.isEmpty ? "accepted" : "incomplete", missing: missing, reasons: refuse,
                queueNumber: queueNumber, severity: severity)
            request.portalCode = portalCode
            request.portalReference = portalReference
            let client = try global.client()
            let data = try await client.call(
                "POST", "api/v1/tickets", body: try APIClient.encoder.encode(request),
                headers: idempotencyKey.map { ["Idempotency-Key": $0] } ?? [:])
            if global.json { return Output.json(data) }
            let result = try client.decode(IntakeResult.self, from: data)
            let receipt = result.receipt
            Output.fields([
                ("code", receipt.code), ("outcome", receipt.outcome.rawValue), ("service", "\(receipt.service) \(receipt.serviceName)"),
                ("received", receipt.receivedLocal), ("due", receipt.dueLocal ?? "-"),
                ("state", "\(result.ticket.ticket.state.rawValue) at \(result.ticket.ticket.department ?? "-")"),
            ])
            if !receipt.missing.isEmpty { print("missing: " + receipt.missing.joined(separator: "; ")) }
            if let reasons = receipt.reasons { print("reasons: \(reasons)") }
            for charge in receipt.charges { print("charge:  \(charge.kind.rawValue) \(charge.amount) VND (\(charge.remittance.rawValue))") }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a ticket.")
        @OptionGroup var global: GlobalOptions
        @Argument var code: String

        func run() async throws {
            let client = try global.client()
            let data = try await client.call("GET", "api/v1/tickets/\(Path.escape(code))")
            if global.json { return Output.json(data) }
            TicketCommand.show(try client.decode(TicketView.self, from: data))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Search tickets, newest first.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Comma list of states.") var status: String?
        @Option var department: String?
        @Option var service: String?
        @Option var assignee: String?
        @Option var channel: String?
        @Flag var overdue = false
        @Flag var atRisk = false
        @Option(help: "Received from (YYYY-MM-DD or RFC 3339).") var from: String?
        @Option(help: "Received to (YYYY-MM-DD inclusive, or RFC 3339).") var to: String?
        @Option(name: .customLong("q"), help: "Full text; 'dang' finds 'Đặng'.") var text: String?
        @Option var phone: String?
        @Option var idNumber: String?
        @Option(help: "At most this many (default 50).") var limit = 50

        func run() async throws {
            let client = try global.client()
            let query: [String: String?] = [
                "status": status, "department": department, "service": service, "assignee": assignee, "channel": channel,
                "overdue": overdue ? "true" : nil, "atRisk": atRisk ? "true" : nil, "receivedFrom": from, "receivedTo": to, "q": text,
                "phone": phone, "idNumber": idNumber, "limit": String(limit),
            ]
            let data = try await client.call("GET", "api/v1/tickets", query: query)
            if global.json { return Output.json(data) }
            let page = try client.decode(Page<TicketView>.self, from: data)
            Output.table(
                ["code", "state", "service", "department", "holder", "due", "flag"],
                page.items.map { view in
                    [
                        view.ticket.code, view.ticket.state.rawValue, view.ticket.service, view.ticket.department ?? "-",
                        view.ticket.holder ?? "-",
                        view.ticket.dueAt.map(TicketCommand.format) ?? "-", view.overdue ? "OVERDUE" : view.atRisk ? "at risk" : "",
                    ]
                })
            if page.nextCursor != nil { print("(more: narrow the search or raise --limit)") }
        }
    }

    struct Events: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The ticket's audit trail (the control sheet's hand-overs with their grades).")
        @OptionGroup var global: GlobalOptions
        @Argument var code: String

        func run() async throws { try await TicketCommand.trail(code, global) }
    }

    struct Form: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "A printed form of the ticket as HTML (01 receipt, 02 supplement request, 03 refusal, 04 apology, 05 stop notice, 06 control sheet).",
            discussion: "deskcli ticket form CODE 01 > receipt.html, then print it from a browser (A5; the control sheet A4).")
        @OptionGroup var global: GlobalOptions
        @Argument var code: String
        @Argument(help: "01, 02, 03, 04, 05 or 06.") var form: String

        func validate() throws {
            guard FormKind(rawValue: form) != nil else { throw ValidationError("form must be 01, 02, 03, 04, 05 or 06") }
        }

        func run() async throws {
            let client = try global.client()
            let data = try await client.call("GET", "api/v1/tickets/\(Path.escape(code))/forms/\(form)")
            FileHandle.standardOutput.write(data)
        }
    }

    struct Steps: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The control sheet: each step with its allowance, due moment and grade.")
        @OptionGroup var global: GlobalOptions
        @Argument var code: String

        func run() async throws {
            let client = try global.client()
            let data = try await client.call("GET", "api/v1/tickets/\(Path.escape(code))/steps")
            if global.json { return Output.json(data) }
            Output.table(
                ["visit", "department", "allowance", "entered", "due", "left", "grade"],
                try client.decode([StepVisit].self, from: data).map {
                    [
                        String($0.visit), $0.department, $0.allowance?.description ?? "-", TicketCommand.format($0.enteredAt),
                        $0.dueAt.map(TicketCommand.format) ?? "-", $0.leftAt.map(TicketCommand.format) ?? "-", $0.grade?.rawValue ?? "-",
                    ]
                })
        }
    }

    struct Duplicates: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Tickets that may report the same thing: same service, within a week, same place or much the same words.")
        @OptionGroup var global: GlobalOptions
        @Argument var code: String

        func run() async throws {
            let client = try global.client()
            let data = try await client.call("GET", "api/v1/tickets/\(Path.escape(code))/duplicates")
            if global.json { return Output.json(data) }
            let candidates = try client.decode([DuplicateCandidate].self, from: data)
            if candidates.isEmpty { return print("no likely duplicate") }
            Output.table(
                ["code", "state", "received", "metres", "similarity", "why"],
                candidates.map {
                    [
                        $0.code, $0.state.rawValue, TicketCommand.format($0.receivedAt), $0.distanceMetres.map(String.init) ?? "-",
                        String(format: "%.2f", $0.similarity), $0.reasons.joined(separator: ", "),
                    ]
                })
        }
    }

    struct ExplainDue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "explain-due",
            abstract: "How the due moment was computed: the start and why, each day counted or skipped, pauses, restarts.")
        @OptionGroup var global: GlobalOptions
        @Argument var code: String

        func run() async throws {
            let client = try global.client()
            let data = try await client.call("GET", "api/v1/tickets/\(Path.escape(code))/due")
            if global.json { return Output.json(data) }
            let explanation = try client.decode(DueExplanation.self, from: data)
            print("\(explanation.code): time limit \(explanation.timeLimit), supplement rule \(explanation.supplementRule.rawValue)")
            for line in explanation.lines { print("  \(line.text)") }
            print("stored due:     \(explanation.storedDueAt.map(TicketCommand.format) ?? "-")")
            if let recomputed = explanation.recomputedDueAt, recomputed != explanation.storedDueAt {
                print("recomputed due: \(TicketCommand.format(recomputed)) (the calendar changed since)")
            }
            if let revised = explanation.revisedDueAt { print("new appointment after an apology: \(TicketCommand.format(revised))") }
        }
    }

    struct Queue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A department's work queue in the order 'next' takes it.")
        @OptionGroup var global: GlobalOptions
        @Argument var department: String

        func run() async throws {
            let client = try global.client()
            let data = try await client.call("GET", "api/v1/departments/\(Path.escape(department))/queue")
            if global.json { return Output.json(data) }
            Output.table(
                ["code", "priority", "service", "due"],
                try client.decode([TicketView].self, from: data).map {
                    [$0.ticket.code, $0.ticket.priority.rawValue, $0.ticket.service, $0.ticket.dueAt.map(TicketCommand.format) ?? "-"]
                })
        }
    }

    struct Next: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Claim the next ticket of a department's queue.")
        @OptionGroup var global: GlobalOptions
        @Argument var department: String

        func run() async throws {
            let client = try global.client()
            let answer = try await client.send("POST", "api/v1/departments/\(Path.escape(department))/queue/next")
            guard (200..<300).contains(answer.status) else { throw CLIFailure(APIClient.problemText(answer)) }
            if answer.status == 204 {
                if global.json { print("null") } else { print("nothing is waiting in \(department)") }
                return
            }
            if global.json { return Output.json(answer.data) }
            TicketCommand.show(try client.decode(TicketView.self, from: answer.data))
        }
    }

    static func trail(_ code: String, _ global: GlobalOptions) async throws {
        let client = try global.client()
        let data = try await client.call("GET", "api/v1/tickets/\(Path.escape(code))/events")
        if global.json { return Output.json(data) }
        Output.table(
            ["at", "actor", "action", "detail"],
            try client.decode([TicketEvent].self, from: data).map { event in
                [
                    format(event.at), event.actor, event.action,
                    event.detail.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "),
                ]
            })
    }

    static func show(_ view: TicketView) {
        let ticket = view.ticket
        Output.fields([
            ("code", ticket.code), ("service", "\(ticket.service) (version \(ticket.serviceVersion))"),
            ("channel", ticket.channel.rawValue),
            (
                "state",
                ticket.state.rawValue + (ticket.awaitingReason.map { " (\($0.rawValue))" } ?? "")
                    + " — portal status \(ticket.portalStatus)"
            ),
            ("department", ticket.department ?? "-"), ("step", ticket.step.map(String.init) ?? "-"), ("holder", ticket.holder ?? "-"),
            ("applicant", view.applicant.map { $0.name + ($0.phone.map { ", \($0)" } ?? "") } ?? "-"),
            ("priority", ticket.priority.rawValue),
            ("received", format(ticket.receivedAt)), ("due", ticket.dueAt.map(format) ?? "-"),
            ("new appointment", ticket.revisedDueAt.map(format) ?? "-"), ("outcome", ticket.outcome?.rawValue ?? "-"),
            ("flags", [view.overdue ? "overdue" : nil, view.atRisk ? "at risk" : nil].compactMap { $0 }.joined(separator: ", ")),
            ("version", String(ticket.version)),
        ])
    }

    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: ProcessInfo.processInfo.environment["DESK_TIMEZONE"] ?? "Asia/Ho_Chi_Minh")
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime]
        return String(formatter.string(from: date).prefix(16))
    }
}

/// The options every action verb shares.
struct ActionOptions: ParsableArguments {
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The dossier code.") var code: String
    @Option(help: "The version you saw; refused (409) if the ticket changed since.") var version: Int?
}

/// One verb per action of SPEC §2: each builds its request, the rest is shared.
protocol TicketActionCommand: AsyncParsableCommand {
    static var action: TicketAction { get }
    var options: ActionOptions { get }
    func request() throws -> ActionRequest
}

extension TicketActionCommand {
    func run() async throws {
        var body = try request()
        body.version = options.version
        let client = try options.global.client()
        let data = try await client.call("POST", "api/v1/tickets/\(Path.escape(options.code))/actions/\(Self.action.rawValue)", json: body)
        if options.global.json { return Output.json(data) }
        let view = try client.decode(TicketView.self, from: data)
        print(
            "\(Self.action.rawValue): \(view.ticket.code) is \(view.ticket.state.rawValue)"
                + (view.ticket.department.map { " at \($0)" } ?? "")
                + (view.ticket.holder.map { ", held by \($0)" } ?? "") + " (version \(view.ticket.version))")
    }
}

extension TicketCommand {
    struct Receive: TicketActionCommand {
        static let configuration = CommandConfiguration(
            abstract: "Receive a dossier a portal submitted (state new): the clock starts now (Decree 61/2018 art. 17(2)).")
        static let action = TicketAction.receive
        @OptionGroup var options: ActionOptions
        func request() -> ActionRequest { ActionRequest() }
    }

    struct Claim: TicketActionCommand {
        static let configuration = CommandConfiguration(abstract: "Take a queued ticket of your department.")
        static let action = TicketAction.claim
        @OptionGroup var options: ActionOptions
        func request() -> ActionRequest { ActionRequest() }
    }

    struct Transfer: TicketActionCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send the ticket to the next route step, or to a named department (--to, with --reason).")
        static let action = TicketAction.transfer
        @OptionGroup var options: ActionOptions
        @Option(help: "A department instead of the next route step.") var to: String?
        @Option(help: "Why (required with --to).") var reason: String?
        func request() -> ActionRequest { ActionRequest(note: reason, department: to) }
    }

    struct RequestSupplement: TicketActionCommand {
        static let configuration = CommandConfiguration(
            commandName: "request-supplement", abstract: "Ask the citizen for every missing item (or for payment, --payment).")
        static let action = TicketAction.requestSupplement
        @OptionGroup var options: ActionOptions
        @Option(name: .customLong("missing"), help: "A missing item; repeatable.") var missing: [String] = []
        @Flag(help: "Ask for payment of the charges instead.") var payment = false
        @Option(help: "A supervisor's reason for a second request at the same stage.") var override: String?
        func request() -> ActionRequest { ActionRequest(kind: payment ? "payment" : "supplement", missing: missing, override: override) }
    }

    struct SupplementReceived: TicketActionCommand {
        static let configuration = CommandConfiguration(
            commandName: "supplement-received",
            abstract: "The citizen completed the dossier (or paid): back to work, the clock restarts or resumes.")
        static let action = TicketAction.supplementReceived
        @OptionGroup var options: ActionOptions
        func request() -> ActionRequest { ActionRequest() }
    }

    struct Resolve: TicketActionCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record the result: granted, answered, or refused (with --note giving the reasons).")
        static let action = TicketAction.resolve
        @OptionGroup var options: ActionOptions
        @Option(help: "granted, answered or refused") var outcome: String
        @Option var note: String?
        func request() -> ActionRequest { ActionRequest(note: note, outcome: outcome) }
    }

    struct Return: TicketActionCommand {
        static let configuration = CommandConfiguration(abstract: "Hand the result to the citizen (early return is recorded).")
        static let action = TicketAction.return
        @OptionGroup var options: ActionOptions
        func request() -> ActionRequest { ActionRequest() }
    }

    struct Reject: TicketActionCommand {
        static let configuration = CommandConfiguration(abstract: "Refuse the dossier, with reasons.")
        static let action = TicketAction.reject
        @OptionGroup var options: ActionOptions
        @Option var reason: String
        func request() -> ActionRequest { ActionRequest(note: reason) }
    }

    struct Withdraw: TicketActionCommand {
        static let configuration = CommandConfiguration(abstract: "Stop at the citizen's request, before any result.")
        static let action = TicketAction.withdraw
        @OptionGroup var options: ActionOptions
        @Option var note: String?
        func request() -> ActionRequest { ActionRequest(note: note) }
    }

    struct Apologise: TicketActionCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue the apology and new appointment (once, at least one working day before the due moment).")
        static let action = TicketAction.apologise
        @OptionGroup var options: ActionOptions
        @Option var reason: String
        @Option(help: "The new appointment, RFC 3339 (e.g. 2026-12-10T17:00:00+07:00).") var revisedDue: String
        func request() throws -> ActionRequest {
            guard let date = try? Date(revisedDue, strategy: .iso8601) else {
                throw ValidationError("--revised-due must be RFC 3339, e.g. 2026-12-10T17:00:00+07:00")
            }
            return ActionRequest(note: reason, revisedDueAt: date)
        }
    }

    struct Rate: TicketActionCommand {
        static let configuration = CommandConfiguration(abstract: "Record the citizen's rating of a returned ticket.")
        static let action = TicketAction.rate
        @OptionGroup var options: ActionOptions
        @Option(help: "very-satisfied, satisfied or dissatisfied") var rating: String
        @Option var comment: String?
        func request() -> ActionRequest { ActionRequest(note: comment, rating: rating) }
    }

    struct Note: TicketActionCommand {
        static let configuration = CommandConfiguration(abstract: "Add a note to the trail.")
        static let action = TicketAction.note
        @OptionGroup var options: ActionOptions
        @Argument var text: String
        func request() -> ActionRequest { ActionRequest(note: text) }
    }

    struct Progress: TicketActionCommand {
        static let configuration = CommandConfiguration(
            abstract: "Tell the citizen how far the work got; --committed-date when it cannot finish in time (the due stays).")
        static let action = TicketAction.progress
        @OptionGroup var options: ActionOptions
        @Argument(help: "What was done.") var text: String
        @Option(help: "The day the department commits to finish by, YYYY-MM-DD.") var committedDate: String?
        @Option(name: .customLong("photo"), help: "A link to a photo of the work, http(s); repeatable.") var photos: [String] = []
        func request() -> ActionRequest {
            ActionRequest(note: text, committedDate: committedDate, photos: photos.isEmpty ? nil : photos)
        }
    }

    struct Reassign: TicketActionCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give an in-progress ticket to another handler of its department (supervisor).")
        static let action = TicketAction.reassign
        @OptionGroup var options: ActionOptions
        @Option var handler: String
        func request() -> ActionRequest { ActionRequest(handler: handler) }
    }
}
