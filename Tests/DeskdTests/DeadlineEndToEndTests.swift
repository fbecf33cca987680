import Foundation
import ServiceDesk
import Testing

/// The legal arithmetic checked from outside (SPEC §3): the due calculator over HTTP and
/// through `deskcli`, and real intakes with the daemon's wall clock moved (`ShiftedClock`).
@Suite("End to end: deadlines", .serialized)
struct DeadlineEndToEndTests {
    static let zone = LocalClock(identifier: "Asia/Ho_Chi_Minh")!

    /// A demo daemon (catalogue and the 2026 holidays), its wall clock started at `local` when given.
    struct Desk {
        let scratch: Scratch
        let daemon: RunningDaemon
        let admin: String

        init(at local: String? = nil, demo: Bool = true) async throws {
            scratch = try Scratch()
            let environment =
                try local.map { try ShiftedClock.environment(startingAt: DeadlineEndToEndTests.zone.instant(parsing: $0)!) } ?? [:]
            daemon = try RunningDaemon(
                database: scratch.path("desk.sqlite"), scratch: scratch, arguments: demo ? ["--demo"] : [], environment: environment)
            try await daemon.waitUntilReady()
            admin = try #require(daemon.printedAdminToken)
        }

        func get(_ path: String) async throws -> HTTP.Answer {
            try await HTTP.get(URL(string: daemon.baseURL.absoluteString + path)!, token: admin)
        }

        func due(_ from: String, _ limit: String?, service: String? = nil, channel: String? = nil) async throws -> DueAnswer {
            var items = [URLQueryItem(name: "from", value: from)]
            if let limit { items.append(URLQueryItem(name: "limit", value: limit)) }
            if let service { items.append(URLQueryItem(name: "service", value: service)) }
            if let channel { items.append(URLQueryItem(name: "channel", value: channel)) }
            var components = URLComponents(string: daemon.baseURL.absoluteString + "/api/v1/calendar/due")!
            components.queryItems = items
            let answer = try await HTTP.get(components.url!, token: admin)
            #expect(answer.status == 200, "\(answer.text)")
            return try APIJSON.decoder.decode(DueAnswer.self, from: answer.body)
        }

        func intake(service: String, channel: String) async throws -> IntakeResult {
            let body = #"{"service":"\#(service)","channel":"\#(channel)","applicant":{"name":"Nguyễn Văn An","phone":"0912345678"}}"#
            let answer = try await HTTP.send(
                "POST", daemon.baseURL.appendingPathComponent("api/v1/tickets"), token: admin, body: Data(body.utf8))
            #expect(answer.status == 201, "\(answer.text)")
            return try APIJSON.decoder.decode(IntakeResult.self, from: answer.body)
        }

        func cli(_ arguments: [String]) async throws -> CLIResult {
            try await deskcli(arguments + ["--server", daemon.baseURL.absoluteString, "--token", admin], scratch: scratch)
        }
    }

    @Test("the due calculator gives the legal examples: the day of reception never counts, the cut-off, weekends, Tết, a make-up Saturday")
    func calculator() async throws {
        let desk = try await Desk()
        for (from, limit, channel, expected) in [
            ("2026-11-30 09:00", "3 d", "counter", "2026-12-03 09:00"),  // Civil Code art. 147(1)
            ("2026-11-30 07:30", "3 d", "counter", "2026-12-03 07:30"),  // at the opening
            ("2026-11-29 22:00", "3 d", "web", "2026-12-03 07:30"),  // online on Sunday night
            ("2026-11-30 15:30", "3 d", "counter", "2026-12-04 07:30"),  // Decree 61/2018 art. 18: after the cut-off
            ("2026-11-30 15:30", "3 d", "web", "2026-12-03 15:30"),  // online: no cut-off
            ("2026-12-04 10:00", "1 d", "counter", "2026-12-07 10:00"),  // over the weekend
            ("2026-02-13 10:00", "2 d", "counter", "2026-02-24 10:00"),  // the week of Tết
            ("2026-08-21 10:00", "1 d", "counter", "2026-08-22 10:00"),  // the make-up Saturday
            ("2026-11-30 10:00", "8 h", "counter", "2026-12-01 10:00"),  // 8 h = 1 d
        ] {
            let answer = try await desk.due(from, limit, channel: channel)
            #expect(answer.dueLocal == expected, "\(from) + \(limit) (\(channel))")
            #expect(answer.appointmentDate.description == String(expected.prefix(10)))
        }
        // A service's own limit and setting: certification in 4 h (no cut-off: counted in hours) and feedback (5 d, no cut-off).
        #expect(try await desk.due("2026-11-30 15:30", nil, service: "2.000815").dueLocal == "2026-12-01 10:00")
        #expect(try await desk.due("2026-11-30 15:30", nil, service: "PA-HATANG").dueLocal == "2026-12-07 15:30")
        // A year nobody loaded: the fixed holidays still count (30/4 Sunday → Tuesday 2/5 off, 1/5 Monday), and it is said.
        let unloaded = try await desk.due("2028-04-28 10:00", "1 d")
        #expect(unloaded.dueLocal == "2028-05-03 10:00")
        #expect(unloaded.warnings.contains { $0.contains("2028") })
        // Bad input: a clear problem.
        let bad = try await desk.get("/api/v1/calendar/due?from=monday&limit=3%20weeks")
        #expect(bad.status == 422 && bad.text.contains("\"from\"") && bad.text.contains("\"limit\""), "\(bad.text)")
        // The same through deskcli.
        let cli = try await desk.cli(["calendar", "due", "--from", "2026-11-30 15:30", "--limit", "3 d"])
        #expect(
            cli.status == 0 && cli.output.contains("2026-12-04 07:30") && cli.output.contains("after the 15:00 cut-off"), "\(cli.error)")
        let usage = try await desk.cli(["calendar", "due", "--from", "tomorrow", "--limit", "3 d"])
        #expect(usage.status == 1 && usage.error.contains("from"))
        // The service's cut-off setting, through deskcli: off, then back to the default.
        #expect(try await desk.cli(["service", "update", "1.000894", "--cutoff", "off"]).status == 0)
        #expect(try await desk.due("2026-11-30 15:30", nil, service: "1.000894").dueLocal == "2026-12-07 15:30")
        let shown = try await desk.cli(["service", "show", "1.000894"])
        #expect(shown.output.contains("off") && !shown.output.contains("(default)"), "\(shown.output)")
        #expect(try await desk.cli(["service", "update", "1.000894", "--cutoff", "default"]).status == 0)
        #expect(try await desk.due("2026-11-30 15:30", nil, service: "1.000894").dueLocal == "2026-12-08 07:30")
        // The centre's apology lead and at-risk days.
        let centre = try await desk.cli(["centre", "update", "--apology-lead-days", "2", "--at-risk-days", "2"])
        #expect(centre.status == 0 && centre.output.contains("2 working day(s) before the due date"), "\(centre.error)")
        #expect(try await desk.cli(["centre", "update", "--at-risk-days", "99"]).status == 1)
        #expect(await desk.daemon.stop() == 0)
    }

    @Test("real intakes with the daemon's clock moved: Sunday night online, Monday after the cut-off, Monday before the opening")
    func intakes() async throws {
        let sunday = try await Desk(at: "2026-11-29 22:00")
        let online = try await sunday.intake(service: "1.000894", channel: "web")  // 5 d
        #expect(online.receipt.receivedLocal.hasPrefix("2026-11-29 22:0"))
        #expect(Self.zone.describe(try #require(online.receipt.countingStartAt)) == "2026-11-30 07:30")
        #expect(online.receipt.dueLocal == "2026-12-07 07:30")
        #expect(await sunday.daemon.stop() == 0)

        let afternoon = try await Desk(at: "2026-11-30 15:30")
        let counter = try await afternoon.intake(service: "1.000894", channel: "counter")
        #expect(counter.receipt.dueLocal == "2026-12-08 07:30")  // received Tuesday; 5 working days after it
        let web = try await afternoon.intake(service: "1.000894", channel: "web")
        #expect(web.receipt.dueLocal?.hasPrefix("2026-12-07 15:3") == true)  // no cut-off online
        #expect(await afternoon.daemon.stop() == 0)
    }

    @Test("a year whose calendar was never loaded: the receipt and /readyz say so, and calendar show warns from 1 November")
    func unloadedYear() async throws {
        let desk = try await Desk(at: "2026-12-30 10:00")  // the demo loads 2026 only
        let receipt = try await desk.intake(service: "1.000894", channel: "counter").receipt
        #expect(receipt.dueLocal == "2027-01-07 10:00")  // 31/12, then 1/1 (Labour Code art. 112), a weekend, 4–7/1
        #expect(receipt.warnings.contains { $0.contains("2027") })
        let ready = try await desk.get("/readyz")
        #expect(ready.status == 200 && ready.text.contains("2027"), "\(ready.text)")
        let shown = try await desk.cli(["calendar", "show"])
        #expect(shown.output.contains("warning: the calendar of 2027 was never loaded"))
        #expect(await desk.daemon.stop() == 0)
    }
}
