import Foundation
import ServiceDesk
import Testing

/// The feedback flow from outside (docs/feedback.md): the real `deskd` over one database,
/// restarted with its wall clock moved (`ShiftedClock`) from Monday night to Friday, driven
/// through `deskcli`, the API and Open311 as the hotline, a portal and a city app would.
@Suite("End to end: feedback", .serialized)
struct FeedbackEndToEndTests {
    static let zone = LocalClock(identifier: "Asia/Ho_Chi_Minh")!

    final class Desk {
        let scratch: Scratch
        var daemon: RunningDaemon
        let admin: String

        init(at local: String) async throws {
            scratch = try Scratch()
            daemon = try RunningDaemon(
                database: scratch.path("desk.sqlite"), scratch: scratch, arguments: ["--demo"],
                environment: try ShiftedClock.environment(startingAt: FeedbackEndToEndTests.zone.instant(parsing: local)!))
            try await daemon.waitUntilReady()
            admin = try #require(daemon.printedAdminToken)
        }

        /// Stops the daemon and starts it again over the same database at `local`.
        func restart(at local: String) async throws {
            #expect(await daemon.stop() == 0)
            daemon = try RunningDaemon(
                database: scratch.path("desk.sqlite"), scratch: scratch,
                environment: try ShiftedClock.environment(startingAt: FeedbackEndToEndTests.zone.instant(parsing: local)!))
            try await daemon.waitUntilReady()
        }

        @discardableResult
        func cli(_ arguments: [String], expect status: Int32 = 0) async throws -> CLIResult {
            let result = try await deskcli(arguments + ["--server", daemon.baseURL.absoluteString, "--token", admin], scratch: scratch)
            #expect(result.status == status, "deskcli \(arguments.joined(separator: " ")): \(result.output)\(result.error)")
            return result
        }

        func events(_ code: String) async throws -> [TicketEvent] {
            try APIJSON.decoder.decode([TicketEvent].self, from: Data(try await cli(["ticket", "events", code, "--json"]).output.utf8))
        }

        func open311(_ key: String, _ description: String) async throws -> String {
            var body = URLComponents()
            body.queryItems = [
                .init(name: "api_key", value: key), .init(name: "service_code", value: "PA-HATANG"), .init(name: "lat", value: "16.067700"),
                .init(name: "long", value: "108.220800"), .init(name: "description", value: description),
                .init(name: "phone", value: "0987654321"), .init(name: "attribute[loai]", value: "cay-xanh"),
            ]
            let posted = try await HTTP.send(
                "POST", daemon.baseURL.appendingPathComponent("open311/v2/requests.json"),
                body: Data(body.percentEncodedQuery!.replacingOccurrences(of: "+", with: "%2B").utf8),
                headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"])
            #expect(posted.status == 200, "\(posted.text)")
            let answer = try #require(try JSONSerialization.jsonObject(with: posted.body) as? [[String: Any]])
            return try #require(answer.first?["service_request_id"] as? String)
        }
    }

    @Test("hotline, web and Open311 items classed, forwarded, accepted, progressed, resolved and reopened over four days")
    func journey() async throws {
        // Monday night: the urgent class counts round the clock.
        let desk = try await Desk(at: "2026-11-30 20:00")
        try await desk.cli(["severity", "set", "urgent", "--name", "Khẩn", "--limit", "4 h", "--round-the-clock"])
        #expect(try await desk.cli(["severity", "list"]).output.contains("round the clock"))
        try await desk.cli(["severity", "set", "x", "--name", "X", "--round-the-clock"], expect: 1)
        let called = try await desk.cli([
            "ticket", "create", "--service", "PA-HATANG", "--channel", "hotline", "--name", "Lê Văn Bình", "--phone", "0912345678",
            "--description", "Cột điện nghiêng sắp đổ", "--severity", "urgent", "--json",
        ])
        let urgent = try APIJSON.decoder.decode(IntakeResult.self, from: Data(called.output.utf8))
        // Four hours of clock time through the night (from 20:00 and a little: the daemon's clock
        // started at 20:00 and ran while it loaded the demo — minutes on PostgreSQL).
        let received = urgent.receipt.receivedAt
        let due = try #require(urgent.receipt.dueAt)
        #expect(urgent.receipt.receivedLocal.hasPrefix("2026-11-30 20:"), "\(urgent.receipt.receivedLocal)")
        #expect(abs(due.timeIntervalSince(received) - 4 * 3600) < 60, "\(urgent.receipt.receivedLocal) → \(urgent.receipt.dueLocal ?? "-")")
        #expect(urgent.receipt.dueLocal?.hasPrefix("2026-12-01 00:") == true)
        if !TestEngine.onPostgres { #expect(urgent.receipt.dueLocal == "2026-12-01 00:00") }
        #expect(urgent.ticket.ticket.severity?.roundTheClock == true)
        func web(_ text: String) async throws -> String {
            let answer = try await TicketEndToEndTests.Hall.post(
                desk.daemon.baseURL, "api/v1/tickets", token: desk.admin,
                json:
                    #"{"service":"PA-HATANG","channel":"web","applicant":{"name":"Trần Thị Mai","phone":"0903123456"},"description":"\#(text)"}"#
            )
            #expect(answer.status == 201, "\(answer.text)")
            return try APIJSON.decoder.decode(IntakeResult.self, from: answer.body).receipt.code
        }
        let complaint = try await web("Khiếu nại quyết định xử phạt hành chính")
        let rubbish = try await web("Rác tồn đọng ở kiệt 12 Lê Lợi")
        try await desk.cli(["staff", "create", "app", "--name", "Góp ý Đà Nẵng", "--role", "integration", "--employment", "contract"])
        let issued = try await desk.cli(["staff", "token", "create", "app", "--scope", "open311", "--json"])
        let key = try APIJSON.decoder.decode(IssuedToken.self, from: Data(issued.output.utf8)).token
        let tree = try await desk.open311(key, "Cây đổ chắn đường Lê Lợi")
        let again = try await desk.open311(key, "Cây đổ chắn đường Lê Lợi trước số 20")

        // Tuesday 01:00: the urgent item handled an hour late — judged by the moment.
        try await desk.restart(at: "2026-12-01 01:00")
        try await desk.cli(["ticket", "claim", urgent.receipt.code])
        try await desk.cli(["ticket", "resolve", urgent.receipt.code, "--outcome", "answered", "--note", "Đã chằng cột"])
        #expect(try await desk.events(urgent.receipt.code).last?.detail["timeliness"] == "late")
        // The complaint closed with guidance; the duplicate suggested and merged.
        let redirected = try await desk.cli([
            "ticket", "redirect", complaint, "--nature", "complaint", "--body", "Chủ tịch UBND quận Hải Châu",
            "--guidance", "Gửi đơn khiếu nại theo Luật Khiếu nại 2011",
        ])
        #expect(redirected.output.contains("resolved"))
        #expect(try await desk.cli(["ticket", "duplicates", tree]).output.contains(again))
        try await desk.cli(["ticket", "merge", again, "--into", tree])
        // Forwarded: the rubbish to the ward, leading, and the construction department.
        try await desk.cli(["ticket", "forward", rubbish, "--to", "ubnd-phuong", "--to", "so-xay-dung"], expect: 1)
        let forwarded = try await desk.cli([
            "ticket", "forward", rubbish, "--to", "ubnd-phuong", "--to", "so-xay-dung", "--lead", "ubnd-phuong",
        ])
        #expect(forwarded.output.contains("queued at ubnd-phuong"))
        try await desk.cli(["ticket", "forward", tree, "--to", "ubnd-phuong"])

        // Tuesday 09:00: the ward accepts (recorded on its behalf), the department sends its part back.
        try await desk.restart(at: "2026-12-01 09:00")
        try await desk.cli(["ticket", "accept", rubbish, "--body", "ubnd-phuong"])
        try await desk.cli(["ticket", "send-back", rubbish, "--body", "so-xay-dung", "--reason", "Không thuộc thẩm quyền"])
        let forwards = try await desk.cli(["ticket", "forwards", rubbish])
        #expect(forwards.output.contains("accepted") && forwards.output.contains("sent back"), "\(forwards.output)")
        try await desk.cli([
            "ticket", "progress", tree, "Đã cắt cây, đang dọn", "--committed-date", "2026-12-03", "--photo", "https://example.org/cay.jpg",
        ])
        let status = try await HTTP.get(desk.daemon.baseURL.appendingPathComponent("open311/v2/requests/\(tree).json"))
        #expect(status.text.contains("Đã cắt cây") && status.text.contains("2026-12-03"), "\(status.text)")
        try await desk.cli(["ticket", "claim", rubbish])
        try await desk.cli(["ticket", "resolve", rubbish, "--outcome", "answered", "--note", "Đã thu gom"])

        // Friday: the citizen is not satisfied and reopens it, once.
        try await desk.restart(at: "2026-12-04 10:00")
        let reopened = try await desk.cli(["ticket", "reopen", rubbish, "--reason", "Rác vẫn còn"])
        #expect(reopened.output.contains("queued at ubnd-phuong"))
        try await desk.cli(["ticket", "reopen", rubbish, "--reason", "Lại nữa"], expect: 1)

        // The figures by hand: four feedback items (the complaint apart), two forwarded on time,
        // three bodies asked, one accepted on time and one sent back, the urgent one resolved late,
        // the rubbish reopened (not resolved now), the duplicate merged, the tree with progress and
        // a photo.
        let report = try await HTTP.get(
            URL(string: desk.daemon.baseURL.absoluteString + "/api/v1/reports/feedback?from=2026-11-30&to=2026-12-04")!, token: desk.admin)
        #expect(report.status == 200, "\(report.text)")
        let table = try #require(try JSONSerialization.jsonObject(with: report.body) as? [String: Any])
        let row = try #require((table["rows"] as? [[String: Any]])?.first)
        let expected: [String: Int] = [
            "received": 4, "complaints": 1, "forwarded": 2, "forwardedOnTime": 2, "asked": 3, "acceptedOnTime": 1, "sentBack": 1,
            "resolved": 1, "resolvedOnTime": 0, "reopened": 1, "merged": 1, "withProgress": 1, "withPhotos": 1,
        ]
        for (column, value) in expected { #expect(row[column] as? Int == value, "\(column): \(row[column] ?? "nil")") }
        #expect(await desk.daemon.stop() == 0)
    }
}
