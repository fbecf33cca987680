import Foundation
import Testing

@testable import ServiceDesk

/// Two `deskd` on one PostgreSQL database, driven over HTTP as a load balancer would send a hall's
/// clients to either (issue 18: "correct with several instances at once").
@Suite("PostgreSQL: two deskd on one database", .serialized)
struct PostgresInstancesTests {
    static func intake(_ base: URL, token: String, _ n: Int) async throws -> (status: Int, code: String?) {
        let body = Data(
            #"""
            {"service":"1.004227","applicant":{"name":"Đặng Thị Hoa \#(n)","phone":"0912345678","idNumber":"079190001234"},
             "description":"Hồ sơ \#(n)","documents":[{"name":"Tờ khai","originals":1}]}
            """#.utf8)
        let answer = try await HTTP.send("POST", base.appendingPathComponent("api/v1/tickets"), token: token, body: body)
        guard answer.status == 201 else { return (answer.status, nil) }
        return (201, try APIJSON.decoder.decode(IntakeResult.self, from: answer.body).receipt.code)
    }

    /// A screen's heartbeat often; five public lookups a minute per client address.
    static let environment = [
        "DESK_DISPLAY_HEARTBEAT": "0.3", "DESK_PUBLIC_LIMIT": "5", "DESK_OUTBOX_INTERVAL": "0.1", "DESK_OUTBOX_TIMEOUT": "5",
    ]

    /// The day's number of a dossier code (its last part).
    static func number(_ code: String) -> Int? { code.split(separator: "-").last.flatMap { Int($0) } }

    @Test(
        "two deskd on one database: intakes through both get gap-free codes; counters on both call every number once; a screen on one sees the other's calls; one Idempotency-Key through both creates once; kill -9 of one under load loses nothing acknowledged and the other goes on",
        .enabled(if: PostgresServer.enabled))
    func twoInstances() async throws {
        let server = try await PostgresServer.start()
        defer { server.stop() }
        let scratch = try Scratch()
        let url = try await server.migratedDatabase()
        // The centre and the example catalogue (not --demo's months of history: seeding them
        // through a server beside the other tests' servers outlasts a start's patience).
        let setup = try await AppDatabase.connect(postgres: url, patience: .seconds(60))
        let token = try #require(try setup.bootstrap().adminToken)
        _ = try await Demo.load(into: setup, actor: "admin")
        _ = try setup.close()
        let first = try RunningDaemon(database: url, scratch: scratch, environment: Self.environment)
        let second = try RunningDaemon(database: url, scratch: scratch, environment: Self.environment)
        try await first.waitUntilReady()
        try await second.waitUntilReady()
        #expect(first.printedAdminToken == nil && second.printedAdminToken == nil)
        let daemons = [first, second]
        let bases = daemons.map(\.baseURL)

        // The citizens are told through one gateway, by whichever instance's outbox runs first.
        let gateway = try await LoopbackGateway(failures: 0)
        defer { gateway.task.cancel() }
        let added = try await HTTP.send(
            "POST", first.baseURL.appendingPathComponent("api/v1/outbox/gateways"), token: token,
            body: Data(#"{"name":"sms","channel":"sms","url":"\#(gateway.url)"}"#.utf8))
        #expect(added.status == 201, "\(added.text)")

        // 1. Intakes through both at once: one sequence of the day, no gap, no number twice.
        let codes = try await withThrowingTaskGroup(of: String?.self) { group in
            for n in 0..<40 { group.addTask { try await Self.intake(bases[n % 2], token: token, n).code } }
            return try await group.reduce(into: [String]()) { if let code = $1 { $0.append(code) } }
        }
        #expect(codes.count == 40)
        #expect(codes.compactMap(Self.number).sorted() == Array(1...40), "\(codes.sorted())")
        // Each dossier's receipt message delivered once, though both instances' outboxes run.
        _ = try await gateway.waitForAccepted(40)
        try await Task.sleep(for: .seconds(1))  // ten passes of both outboxes more: a second post would be in by now
        let told = gateway.posts
        #expect(Set(told.map(\.ticket)) == Set(codes), "\(told.count) messages")
        #expect(told.count == Set(told.map(\.id)).count, "a message delivered twice: \(told.count) posts, \(Set(told.map(\.id)).count) ids")

        // 2. The public lookup's limit is the centre's: a client sent to each instance in turn
        //    gets five lookups in the minute, not five from each.
        var statuses: [Int] = []
        for n in 0..<8 {
            let path = "api/v1/public/tickets/\(codes[0])"
            let url = URL(string: bases[n % 2].appendingPathComponent(path).absoluteString + "?phone=0912345678")!
            statuses.append(try await HTTP.get(url).status)
        }
        #expect(statuses == [200, 200, 200, 200, 200, 429, 429, 429], "\(statuses)")

        // 3. The hall: 4 counters, two called through each instance, a screen on the second.
        func send(_ daemon: RunningDaemon, _ method: String, _ path: String, _ json: String? = nil) async throws -> HTTP.Answer {
            try await HTTP.send(method, daemon.baseURL.appendingPathComponent(path), token: token, body: json.map { Data($0.utf8) })
        }
        for counter in 1...4 {
            let made = try await send(
                first, "POST", "api/v1/counters", #"{"number":\#(counter),"name":"Quầy \#(counter)","services":["1.001193"]}"#)
            #expect(made.status == 201, "\(made.text)")
            let opened = try await send(daemons[counter % 2], "PATCH", "api/v1/counters/\(counter)", #"{"open":true,"officer":"lan.mc"}"#)
            #expect(opened.status == 200, "\(opened.text)")
        }
        for n in 0..<40 {
            let issued = try await send(daemons[n % 2], "POST", "api/v1/queue-numbers", #"{"service":"1.001193"}"#)
            #expect(issued.status == 201, "\(issued.text)")
        }
        // The screen connects to the second instance and is known to be streaming (a heartbeat)
        // before anything is called.
        let (beats, beat) = AsyncStream<Void>.makeStream()
        let feed = second.baseURL.appendingPathComponent("api/v1/queue/display")
        let watcher = Task {
            try await HallEndToEndTests.readEvents(feed, token: token, count: 40, seconds: 120, onHeartbeat: { beat.yield() })
        }
        var heartbeats = beats.makeAsyncIterator()
        _ = await heartbeats.next()
        let called = try await withThrowingTaskGroup(of: [(Int64, Int)].self) { group in
            for counter in 1...4 {
                group.addTask {
                    var mine: [(Int64, Int)] = []
                    while true {
                        let answer = try await HTTP.send(
                            "POST", bases[counter % 2].appendingPathComponent("api/v1/counters/\(counter)/call-next"), token: token)
                        if answer.status == 204 { return mine }
                        guard answer.status == 200 else { throw CLIRunError("call-next: \(answer.status) \(answer.text)") }
                        mine.append((try APIJSON.decoder.decode(QueueNumber.self, from: answer.body).id, counter))
                    }
                }
            }
            return try await group.reduce(into: [(Int64, Int)]()) { $0 += $1 }
        }
        #expect(called.count == 40 && Set(called.map(\.0)).count == 40, "\(called.count) calls, \(Set(called.map(\.0)).count) numbers")
        #expect(Set(called.map(\.1)) == [1, 2, 3, 4], "every counter called some")
        let seen = try await watcher.value.events
        #expect(
            Set(seen.map(\.counter)) == [1, 2, 3, 4], "the screen on the second saw calls from counters of both: \(seen.map(\.counter))")
        #expect(seen.count == 40 && seen.map(\.id) == seen.map(\.id).sorted(), "\(seen.count) events, in order")

        // 4. One Idempotency-Key sent to both instances at once (a client retrying through the load
        //    balancer): one number issued, every answer the same. A retry told the first is still
        //    running (409 with Retry-After) comes again, as a client would.
        let sameKey = try await withThrowingTaskGroup(of: HTTP.Answer.self) { group in
            for n in 0..<8 {
                group.addTask {
                    while true {
                        let answer = try await HTTP.send(
                            "POST", bases[n % 2].appendingPathComponent("api/v1/queue-numbers"), token: token,
                            body: Data(#"{"service":"1.001193"}"#.utf8), headers: ["Idempotency-Key": "one-number"])
                        guard answer.status == 409, answer.text.contains("idempotency-key-in-progress") else { return answer }
                        try await Task.sleep(for: .milliseconds(200))
                    }
                }
            }
            return try await group.reduce(into: [HTTP.Answer]()) { $0.append($1) }
        }
        #expect(sameKey.allSatisfy { $0.status == 201 } && Set(sameKey.map(\.body)).count == 1, "\(sameKey.map(\.status))")
        let waiting = try server.psql(url, "SELECT count(*) FROM queue_number WHERE state = 'waiting'")
        #expect(Text.trimmed(waiting) == "1", "numbers waiting after one key sent eight times: \(waiting)")

        // 5. kill -9 of the first under load: what either acknowledged is there, the second goes on.
        let acknowledged = Acknowledged()
        let (firstURL, secondURL) = (first.baseURL, second.baseURL)
        let load = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<6 {
                    group.addTask {
                        var n = 1000 + worker * 1000
                        while !Task.isCancelled {
                            n += 1
                            // Only the first is killed; a refused connection or a reset ends its worker.
                            guard let answer = try? await Self.intake(worker < 4 ? firstURL : secondURL, token: token, n) else {
                                if worker < 4 { return } else { continue }
                            }
                            if let code = answer.code { await acknowledged.add(code) }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        // Killed once it has acknowledged some (however busy the machine), with writes in flight.
        let patience = ContinuousClock.now + .seconds(90)
        while await acknowledged.codes.count < 30 && ContinuousClock.now < patience { try await Task.sleep(for: .milliseconds(50)) }
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()
        try await Task.sleep(for: .seconds(1))
        load.cancel()
        try? await load.value
        let kept = await acknowledged.codes
        #expect(kept.count >= 30, "only \(kept.count) intakes acknowledged under load")
        for code in kept {
            let read = try await send(second, "GET", "api/v1/tickets/\(code)")
            #expect(read.status == 200, "\(code) acknowledged, then \(read.status) on the other instance")
        }
        let after = try await Self.intake(secondURL, token: token, 9999)
        #expect(after.status == 201)
        // The day's codes stay one sequence with no gap: what the killed instance had begun and not
        // committed took no number.
        let afterCode = try #require(after.code)
        let day = afterCode[..<(afterCode.lastIndex(of: "-") ?? afterCode.endIndex)]
        let numbers = try server.psql(
            url, "SELECT count(*), max(substr(code, \(day.count + 2))::int) FROM ticket WHERE code LIKE '\(day)-%'")
        let parts = Text.trimmed(numbers).split(separator: "|")
        #expect(parts.count == 2 && parts[0] == parts[1], "count|max = \(numbers)")
        #expect(Self.number(afterCode) == Int(parts[1]) && Int(parts[0]) ?? 0 >= 40 + kept.count + 1)
        let verified = try await deskcli(["audit", "verify", "--database", url], scratch: scratch)
        #expect(verified.status == 0 && verified.output.contains("intact"), "\(verified)")
        #expect(await second.stop() == 0)
    }
}

/// The codes acknowledged under load, from several tasks.
actor Acknowledged {
    private(set) var codes: [String] = []
    func add(_ code: String) { codes.append(code) }
}
