import Foundation
import ServiceDesk
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Tickets through the real binaries: the journey of the issue, concurrency, and kill -9.
@Suite("End to end: tickets", .serialized)
struct TicketEndToEndTests {
    /// A demo daemon with tokens for the people of the journey.
    struct Hall {
        let scratch: Scratch
        let daemon: RunningDaemon
        let admin: String

        /// With `local`, the daemon's wall clock starts then (`ShiftedClock`), e.g. "2026-12-07 06:30".
        init(at local: String? = nil, environment extra: [String: String] = [:]) async throws {
            scratch = try Scratch()
            let zone = LocalClock(identifier: "Asia/Ho_Chi_Minh")!
            var environment = try local.map { try ShiftedClock.environment(startingAt: zone.instant(parsing: $0)!) } ?? [:]
            environment.merge(extra) { _, new in new }
            daemon = try RunningDaemon(
                database: scratch.path("desk.sqlite"), scratch: scratch, arguments: ["--demo"], environment: environment)
            try await daemon.waitUntilReady()
            admin = try #require(daemon.printedAdminToken)
        }

        /// The daemon started again over the database of a hall that was stopped.
        init(restartingIn scratch: Scratch, admin: String) async throws {
            self.scratch = scratch
            self.admin = admin
            daemon = try RunningDaemon(database: scratch.path("desk.sqlite"), scratch: scratch)
            try await daemon.waitUntilReady()
        }

        func cli(_ arguments: [String], as token: String) async throws -> CLIResult {
            try await deskcli(arguments + ["--server", daemon.baseURL.absoluteString, "--token", token], scratch: scratch)
        }

        func token(for username: String) async throws -> String {
            let result = try await cli(["staff", "token", "create", username, "--json"], as: admin)
            return try APIJSON.decoder.decode(IssuedToken.self, from: Data(result.output.utf8)).token
        }

        func handler(_ username: String, department: String, employment: String = "civil-servant") async throws -> String {
            let created = try await cli(
                [
                    "staff", "create", username, "--name", username, "--role", "handler", "--department", department, "--employment",
                    employment,
                ], as: admin)
            #expect(created.status == 0, "\(created.error)")
            return try await token(for: username)
        }

        func post(_ path: String, token: String, json: String, headers: [String: String] = [:]) async throws -> HTTP.Answer {
            try await Self.post(daemon.baseURL, path, token: token, json: json, headers: headers)
        }

        /// For concurrent tasks, which capture only the (Sendable) base URL.
        static func post(_ base: URL, _ path: String, token: String, json: String, headers: [String: String] = [:]) async throws
            -> HTTP.Answer
        {
            try await HTTP.send("POST", base.appendingPathComponent(path), token: token, body: Data(json.utf8), headers: headers)
        }
    }

    static let intakeJSON = #"{"service":"HD-TTHC","applicant":{"name":"Nguyễn Văn An","phone":"0912345678"},"description":"Hỏi thủ tục"}"#

    @Test(
        "the journey: counter intake → queue next → three-step route → supplement (restart) → resolve → return → rate; graded, chained, explained"
    )
    func journey() async throws {
        // Pinned to a Monday before the opening: received then, counting starts at 07:30 and the
        // first step is due on Tuesday, so its immediate transfer is early (it was graded
        // on-time when the day of reception counted as day 1).
        let hall = try await Hall(at: "2026-12-07 06:30")
        let officer = try await hall.token(for: "lan.mc")
        let desk = try await hall.handler("thu.mc", department: "mot-cua")
        let land = try await hall.token(for: "mai.dd")
        let environment = try await hall.handler("binh.nnmt", department: "so-nnmt", employment: "contract")

        let created = try await hall.cli(
            [
                "ticket", "create", "--service", "1.004227", "--name", "Đặng Thị Hoa", "--phone", "0912345678", "--id-number",
                "048190001234",
                "--document", "Đơn đăng ký:1:original", "--json",
            ], as: officer)
        #expect(created.status == 0, "\(created.error)")
        let intake = try APIJSON.decoder.decode(IntakeResult.self, from: Data(created.output.utf8))
        let code = intake.receipt.code
        #expect(code.hasPrefix("000.00.00.H00-") && code.hasSuffix("-0001"))

        let next = try await hall.cli(["ticket", "next", "mot-cua"], as: desk)
        #expect(next.status == 0 && next.output.contains(code), "\(next.output)\(next.error)")
        #expect(try await hall.cli(["ticket", "transfer", code], as: desk).status == 0)
        #expect(try await hall.cli(["ticket", "next", "dat-dai"], as: land).output.contains(code))
        let supplement = try await hall.cli(["ticket", "request-supplement", code, "--missing", "Bản vẽ thửa đất"], as: land)
        #expect(supplement.output.contains("awaiting-citizen"), "\(supplement.output)\(supplement.error)")
        let second = try await hall.cli(["ticket", "request-supplement", code, "--missing", "Ảnh"], as: land)
        #expect(second.status == 1, "a second request at the same stage is refused")
        #expect(try await hall.cli(["ticket", "supplement-received", code], as: officer).output.contains("in-progress"))
        #expect(try await hall.cli(["ticket", "transfer", code], as: land).output.contains("queued at so-nnmt"))
        #expect(try await hall.cli(["ticket", "claim", code], as: environment).status == 0)
        let resolved = try await hall.cli(["ticket", "resolve", code, "--outcome", "granted"], as: environment)
        #expect(resolved.output.contains("resolved"), "\(resolved.error)")
        #expect(try await hall.cli(["ticket", "return", code], as: officer).output.contains("returned"))
        #expect(try await hall.cli(["ticket", "rate", code, "--rating", "very-satisfied"], as: officer).status == 0)

        let trail = try await hall.cli(["ticket", "events", code, "--json"], as: officer)
        let events = try APIJSON.decoder.decode([TicketEvent].self, from: Data(trail.output.utf8))
        #expect(
            events.map(\.action) == [
                "ticket.intake", "ticket.claim", "ticket.transfer", "ticket.claim", "ticket.request-supplement",
                "ticket.supplement-received",
                "ticket.transfer", "ticket.claim", "ticket.resolve", "ticket.return", "ticket.rate",
            ])
        let transfers = events.filter { $0.action == "ticket.transfer" }
        #expect(transfers.map { $0.detail["grade"] } == ["early", "early"])
        #expect(transfers.map { $0.detail["toDepartment"] } == ["dat-dai", "so-nnmt"])
        #expect(events.first { $0.action == "ticket.supplement-received" }?.detail["clock"] == "restart")

        // The land dossier is entry 01 of the year's Đất đai book; the receipt prints it; the book as CSV.
        let books = try await hall.cli(["book", "--year", "2026"], as: officer)
        #expect(books.status == 0 && books.output.contains("Đất đai") && books.output.contains("1"), "\(books.output)\(books.error)")
        let book = try await hall.cli(["book", "--year", "2026", "--field", "Đất đai", "--csv"], as: officer)
        #expect(book.output.contains(code) && book.output.contains("Đặng Thị Hoa"), "\(book.error)")
        let receipt = try await hall.cli(["ticket", "form", code, "01"], as: officer)
        #expect(receipt.output.contains("lĩnh vực Đất đai: Quyển số 01, Số thứ tự 01") && receipt.output.contains("data-seal=\"SDV1|"))
        #expect(try await hall.cli(["book", "--csv"], as: officer).status == 2, "--csv needs a field")
        let rotated = try await hall.cli(["centre", "rotate-key"], as: hall.admin)
        #expect(rotated.status == 0 && rotated.output.contains("signing"), "\(rotated.output)\(rotated.error)")

        let due = try await hall.cli(["ticket", "explain-due", code, "--json"], as: officer)
        let explanation = try APIJSON.decoder.decode(DueExplanation.self, from: Data(due.output.utf8))
        #expect(explanation.storedDueAt != nil && explanation.recomputedDueAt == explanation.storedDueAt)
        let verify = try await deskcli(["audit", "verify", "--database", hall.scratch.path("desk.sqlite")], scratch: hall.scratch)
        #expect(verify.status == 0, "\(verify.error)")
        // The head of the chain kept outside the database, then proven still in it.
        let anchor = try await deskcli(["audit", "anchor", "--database", hall.scratch.path("desk.sqlite")], scratch: hall.scratch)
        #expect(anchor.status == 0 && anchor.output.hasPrefix("anchor "), "\(anchor.error)")
        try anchor.output.write(toFile: hall.scratch.path("anchors.txt"), atomically: true, encoding: .utf8)
        let anchored = try await deskcli(
            ["audit", "verify", "--database", hall.scratch.path("desk.sqlite"), "--anchor", hall.scratch.path("anchors.txt")],
            scratch: hall.scratch)
        #expect(anchored.status == 0 && anchored.output.contains("1 anchor(s) found"), "\(anchored.output)\(anchored.error)")
        #expect(await hall.daemon.stop() == 0)
    }

    @Test("many clients doing intake at once get gap-free unique codes; a retried key creates one ticket")
    func concurrentIntake() async throws {
        let hall = try await Hall()
        let officer = try await hall.token(for: "lan.mc")
        let base = hall.daemon.baseURL
        let codes = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    let answer = try await Hall.post(base, "api/v1/tickets", token: officer, json: Self.intakeJSON)
                    #expect(answer.status == 201, "\(answer.text)")
                    return try APIJSON.decoder.decode(IntakeResult.self, from: answer.body).receipt.code
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        let numbers = codes.compactMap { Int($0.suffix(4)) }.sorted()
        #expect(numbers == Array(1...40))
        let retried = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let answer = try await Hall.post(
                        base, "api/v1/tickets", token: officer, json: Self.intakeJSON, headers: ["Idempotency-Key": "same-visit"])
                    return try APIJSON.decoder.decode(IntakeResult.self, from: answer.body).receipt.code
                }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(retried.count == 1 && retried.first?.hasSuffix("-0041") == true)
        #expect(await hall.daemon.stop() == 0)
    }

    @Test("many handlers calling next at once never share a ticket")
    func concurrentNext() async throws {
        let hall = try await Hall()
        let officer = try await hall.token(for: "lan.mc")
        for _ in 0..<30 { _ = try await hall.post("api/v1/tickets", token: officer, json: Self.intakeJSON) }
        var tokens: [String] = []
        for index in 0..<6 { tokens.append(try await hall.handler("pa\(index)", department: "tiep-dan", employment: "contract")) }
        let base = hall.daemon.baseURL
        let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
            for token in tokens {
                group.addTask {
                    var mine: [String] = []
                    while true {
                        let answer = try await Hall.post(base, "api/v1/departments/tiep-dan/queue/next", token: token, json: "")
                        if answer.status == 204 { return mine }
                        #expect(answer.status == 200, "\(answer.text)")
                        mine.append(try APIJSON.decoder.decode(TicketView.self, from: answer.body).ticket.code)
                    }
                }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(claimed.count == 30 && Set(claimed).count == 30)
        #expect(await hall.daemon.stop() == 0)
    }

    @Test("kill -9 during an intake load loses no ticket whose intake got a 2xx")
    func killNine() async throws {
        let hall = try await Hall()
        let officer = try await hall.token(for: "lan.mc")
        let acknowledged = AcknowledgedCodes()
        let base = hall.daemon.baseURL
        let load = Task {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        for _ in 0..<500 {
                            guard let answer = try? await Hall.post(base, "api/v1/tickets", token: officer, json: Self.intakeJSON) else {
                                return
                            }
                            if answer.status == 201, let result = try? APIJSON.decoder.decode(IntakeResult.self, from: answer.body) {
                                await acknowledged.add(result.receipt.code)
                            }
                        }
                    }
                }
            }
        }
        while await acknowledged.count < 60 { try await Task.sleep(for: .milliseconds(10)) }
        kill(hall.daemon.process.processIdentifier, SIGKILL)
        await load.value
        hall.daemon.process.waitUntilExit()
        let codes = await acknowledged.codes
        #expect(codes.count >= 60)

        let restarted = try RunningDaemon(database: hall.scratch.path("desk.sqlite"), scratch: hall.scratch)
        try await restarted.waitUntilReady()
        for code in codes {
            let answer = try await HTTP.get(restarted.baseURL.appendingPathComponent("api/v1/tickets/\(code)"), token: officer)
            #expect(answer.status == 200, "acknowledged \(code) was lost")
        }
        #expect(await restarted.stop() == 0)
        let check = try await deskcli(["db", "check", "--database", hall.scratch.path("desk.sqlite")], scratch: hall.scratch)
        #expect(check.status == 0, "\(check.output)\(check.error)")
    }
}

actor AcknowledgedCodes {
    private(set) var codes: [String] = []
    var count: Int { codes.count }
    func add(_ code: String) { codes.append(code) }
}
