import ArgumentParser
import Foundation
import ServiceDesk

struct QueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue", abstract: "The walk-in hall: numbers, counters, calls.",
        subcommands: [
            Issue.self, Call.self, Start.self, Finish.self, NoShow.self, Recall.self, Transfer.self, Status.self, List.self,
            Counters.self, CounterAdd.self, Open.self, Close.self, CloseDay.self,
        ])

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a walk-in number (as a kiosk would) and print position and estimated wait.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Service code.") var service: String
        @Option(help: "A priority reason (elderly, disability, pregnancy, veteran, young-child).") var priority: String?

        func run() async throws {
            let client = try global.client()
            let request = IssueRequest(service: service, priority: priority == nil ? nil : "priority", priorityReason: priority)
            let data = try await client.call("POST", "api/v1/queue-numbers", json: request)
            if global.json { return Output.json(data) }
            let issued = try client.decode(IssuedNumber.self, from: data)
            print(
                "\(issued.number.label) (id \(issued.number.id)): position \(issued.position), about \(issued.estimatedWaitMinutes) min, \(issued.openCounters) counter(s) open"
            )
        }
    }

    struct Call: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Call the next number for a counter.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Counter number.") var counter: Int

        func run() async throws {
            let client = try global.client()
            let answer = try await client.send("POST", "api/v1/counters/\(counter)/call-next")
            guard (200..<300).contains(answer.status) else { throw CLIFailure(APIClient.problemText(answer)) }
            if answer.status == 204 {
                if global.json { print("null") } else { print("nobody waits for counter \(counter)") }
                return
            }
            if global.json { return Output.json(answer.data) }
            let number = try client.decode(QueueNumber.self, from: answer.data)
            print("\(number.label) → counter \(counter) (id \(number.id))")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Per service: numbers waiting, the oldest wait, open counters.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let client = try global.client()
            let data = try await client.call("GET", "api/v1/queue/status")
            if global.json { return Output.json(data) }
            Output.table(
                ["service", "waiting", "priority", "oldest wait", "open counters", "name"],
                try client.decode([ServiceQueueStatus].self, from: data).map {
                    [
                        $0.service, String($0.waiting), String($0.priorityWaiting), $0.oldestWaitMinutes.map { "\($0) min" } ?? "-",
                        $0.openCounters.isEmpty ? "none" : $0.openCounters.map(String.init).joined(separator: ","), $0.name,
                    ]
                })
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Today's numbers (or --day).")
        @OptionGroup var global: GlobalOptions
        @Option var state: String?
        @Option var service: String?
        @Option(help: "YYYY-MM-DD") var day: String?

        func run() async throws {
            let client = try global.client()
            let data = try await client.call("GET", "api/v1/queue-numbers", query: ["state": state, "service": service, "day": day])
            if global.json { return Output.json(data) }
            Output.table(
                ["id", "label", "service", "priority", "state", "counter", "recalls", "ticket"],
                try client.decode([QueueNumber].self, from: data).map {
                    [
                        String($0.id), $0.label, $0.service, $0.priority.rawValue, $0.state.rawValue, $0.counter.map(String.init) ?? "-",
                        String($0.recalls), $0.ticket ?? "-",
                    ]
                })
        }
    }

    struct Counters: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The counters: services, open or closed, the officer at each.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let client = try global.client()
            let data = try await client.call("GET", "api/v1/counters")
            if global.json { return Output.json(data) }
            Output.table(
                ["counter", "name", "open", "officer", "services"],
                try client.decode([Counter].self, from: data).map {
                    [String($0.number), $0.name, Output.yesNo($0.open), $0.officer ?? "-", $0.services.joined(separator: ", ")]
                })
        }
    }

    struct CounterAdd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "counter-add", abstract: "Create a counter (admin).")
        @OptionGroup var global: GlobalOptions
        @Argument var number: Int
        @Option var name: String
        @Option(name: .customLong("service"), help: "A service it serves; repeatable.") var services: [String] = []
        @Option var department: String?

        func run() async throws {
            let client = try global.client()
            let data = try await client.call(
                "POST", "api/v1/counters", json: CounterDraft(number: number, name: name, department: department, services: services))
            if global.json { return Output.json(data) }
            print("counter \(number) created (closed)")
        }
    }

    struct Open: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open a counter, with the officer at it (default: you).")
        @OptionGroup var global: GlobalOptions
        @Argument var counter: Int
        @Option var officer: String?

        func run() async throws {
            let client = try global.client()
            let me = try client.decode(Staff.self, from: try await client.call("GET", "api/v1/me"))
            let body: [String: AnyEncodable] = ["open": AnyEncodable(true), "officer": AnyEncodable(officer ?? me.username)]
            let data = try await client.call("PATCH", "api/v1/counters/\(counter)", json: body)
            if global.json { return Output.json(data) }
            print("counter \(counter) open, \(officer ?? me.username) at it")
        }
    }

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Close a counter.")
        @OptionGroup var global: GlobalOptions
        @Argument var counter: Int

        func run() async throws {
            let data = try await global.client().call(
                "PATCH", "api/v1/counters/\(counter)", json: ["open": AnyEncodable(false), "officer": AnyEncodable(String?.none)])
            if global.json { return Output.json(data) }
            print("counter \(counter) closed")
        }
    }

    struct CloseDay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "close-day", abstract: "Close every number still waiting or called as not served.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let data = try await global.client().call("POST", "api/v1/queue/close-day")
            if global.json { return Output.json(data) }
            let closed = (try? JSONDecoder().decode([String: Int].self, from: data))?["closed"] ?? 0
            print("closed \(closed) number(s) as not served")
        }
    }
}

/// The options of the number actions.
struct NumberOptions: ParsableArguments {
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The number's id (shown by issue, call and list).") var id: Int64
}

protocol QueueActionCommand: AsyncParsableCommand {
    static var action: QueueAction { get }
    var options: NumberOptions { get }
    func request() -> QueueActionRequest
}

extension QueueActionCommand {
    func run() async throws {
        let client = try options.global.client()
        let data = try await client.call("POST", "api/v1/queue-numbers/\(options.id)/actions/\(Self.action.rawValue)", json: request())
        if options.global.json { return Output.json(data) }
        let number = try client.decode(QueueNumber.self, from: data)
        print(
            "\(Self.action.rawValue): \(number.label) is \(number.state.rawValue)"
                + (number.state == .waiting ? " for \(number.service) (id \(number.id))" : ""))
    }
}

extension QueueCommand {
    struct Start: QueueActionCommand {
        static let configuration = CommandConfiguration(abstract: "Service begins.")
        static let action = QueueAction.start
        @OptionGroup var options: NumberOptions
        func request() -> QueueActionRequest { QueueActionRequest() }
    }

    struct Finish: QueueActionCommand {
        static let configuration = CommandConfiguration(abstract: "Service ends: served.")
        static let action = QueueAction.finish
        @OptionGroup var options: NumberOptions
        func request() -> QueueActionRequest { QueueActionRequest() }
    }

    struct NoShow: QueueActionCommand {
        static let configuration = CommandConfiguration(
            commandName: "no-show", abstract: "The citizen did not come (after the recall limit).")
        static let action = QueueAction.noShow
        @OptionGroup var options: NumberOptions
        func request() -> QueueActionRequest { QueueActionRequest() }
    }

    struct Recall: QueueActionCommand {
        static let configuration = CommandConfiguration(abstract: "Call the number again on the hall screen.")
        static let action = QueueAction.recall
        @OptionGroup var options: NumberOptions
        func request() -> QueueActionRequest { QueueActionRequest() }
    }

    struct Transfer: QueueActionCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send the citizen to another service's queue, keeping their place in time.")
        static let action = QueueAction.transfer
        @OptionGroup var options: NumberOptions
        @Option var service: String
        func request() -> QueueActionRequest { QueueActionRequest(service: service) }
    }
}
