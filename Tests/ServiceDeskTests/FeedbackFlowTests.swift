import Foundation
import Testing

@testable import ServiceDesk

/// The feedback flow of a citizen connection centre (docs/feedback.md), through storage with the
/// clock moved by hand. Monday 30 November 2026; working hours 07:30–11:30 and 13:00–17:00.
@Suite("Feedback: severity classes, forwarding, complaints apart, reopening, merging")
struct FeedbackFlowTests {
    static func centre() async throws -> Centre2026 {
        let centre = try await Centre2026()
        for (username, department) in [("an.up", "ubnd-phuong"), ("xd.h", "so-xay-dung")] {
            _ = try await centre.database.createStaff(
                StaffDraft(username: username, name: username, role: "handler", department: department, employment: "civil-servant"),
                actor: "admin")
        }
        return centre
    }

    static func feedback(
        _ centre: Centre2026, channel: String = "hotline", severity: String? = nil, phone: String = "0912345678", text: String = "Đèn tắt"
    ) async throws -> String {
        let request = IntakeRequest(
            service: "PA-HATANG", channel: channel, applicant: ApplicantDraft(name: "Lê Văn Bình", phone: phone), description: text,
            severity: severity)
        guard case .created(let result, _) = try await centre.database.intake(request, actor: try await centre.staff("lan.mc")) else {
            throw DeskError.conflict("replayed")
        }
        return result.receipt.code
    }

    @Test("a class replaces the service's limit from reception; a change of class needs its reason; explain-due agrees")
    func classes() async throws {
        let centre = try await Self.centre()
        let classes = try await centre.database.severityClasses()
        #expect(classes.map(\.code) == ["urgent", "complex", "normal"] && classes[0].timeLimit == .hours(4))
        let code = try await Self.feedback(centre)
        let admin = try await centre.staff("admin")
        #expect(TestClock.local(try await centre.database.ticket(code, viewer: admin).ticket.dueAt) == "2026-12-07 09:00")  // 5 d
        centre.clock.set("2026-11-30 10:00")
        let urgent = try await centre.act(.classify, code, by: "lan.mc", ActionRequest(severity: "urgent"))
        // Four working hours from reception at 09:00: 09:00–11:30, then 13:00–14:30.
        #expect(urgent.severity == Severity(code: "urgent", timeLimit: .hours(4), roundTheClock: false))
        #expect(TestClock.local(urgent.dueAt) == "2026-11-30 14:30")
        await #expect(throws: DeskError.self) { try await centre.act(.classify, code, by: "lan.mc", ActionRequest(severity: "normal")) }
        await #expect(throws: DeskError.self) { try await centre.act(.classify, code, by: "lan.mc", ActionRequest(severity: "khan")) }
        let normal = try await centre.act(.classify, code, by: "lan.mc", ActionRequest(note: "không nguy hiểm", severity: "normal"))
        #expect(TestClock.local(normal.dueAt) == "2026-12-07 09:00", "normal keeps the service's 5 working days")
        let explained = try await centre.database.explainDue(code, viewer: admin)
        #expect(explained.recomputedDueAt == normal.dueAt, "the fold of the trail gives the stored due moment")
        // Only feedback is classed.
        let dossier = try await centre.intake("1.001193").receipt.code
        await #expect(throws: DeskError.self) { try await centre.act(.classify, dossier, by: "lan.mc", ActionRequest(severity: "urgent")) }
    }

    @Test("a round-the-clock class counts in clock time from reception at night, and is judged by the moment")
    func roundTheClock() async throws {
        let centre = try await Self.centre()
        _ = try await centre.database.putSeverityClass(
            "urgent", SeverityClassDraft(name: "Khẩn", timeLimit: "4 h", roundTheClock: true), actor: "admin")
        await #expect(throws: DeskError.self) {
            _ = try await centre.database.putSeverityClass("x", SeverityClassDraft(name: "X", roundTheClock: true), actor: "admin")
        }
        centre.clock.set("2026-11-30 20:00")
        let first = try await Self.feedback(centre, severity: "urgent")
        centre.clock.set("2026-11-30 20:10")
        let second = try await Self.feedback(centre, severity: "urgent")
        let admin = try await centre.staff("admin")
        #expect(TestClock.local(try await centre.database.ticket(first, viewer: admin).ticket.dueAt) == "2026-12-01 00:00")
        #expect(TestClock.local(try await centre.database.ticket(second, viewer: admin).ticket.dueAt) == "2026-12-01 00:10")
        centre.clock.set("2026-11-30 23:00")
        try await centre.act(.claim, first, by: "hoa.pa")
        let done = try await centre.act(.resolve, first, by: "hoa.pa", ActionRequest(note: "Đã cắt điện, dựng rào", outcome: "answered"))
        #expect(done.state == .resolved)
        centre.clock.set("2026-12-01 01:00")
        try await centre.act(.claim, second, by: "hoa.pa")
        try await centre.act(.resolve, second, by: "hoa.pa", ActionRequest(note: "Đã xử lý", outcome: "answered"))
        let graded = try await centre.database.ticketEvents(second, viewer: admin).last?.detail["timeliness"]
        #expect(graded == "late", "due 00:10, handled 01:00 the same date: late by the moment")
        #expect(try await centre.database.ticketEvents(first, viewer: admin).last?.detail["timeliness"] == "on-time")
        let explained = try await centre.database.explainDue(first, viewer: admin)
        #expect(TestClock.local(explained.recomputedDueAt) == "2026-12-01 00:00")
    }

    @Test("forwarded to several bodies, one leading: graded, accepted on time or late, sent back with a reason")
    func forwarding() async throws {
        let centre = try await Self.centre()
        let admin = try await centre.staff("admin")
        let code = try await Self.feedback(centre)
        centre.clock.set("2026-11-30 10:00")
        await #expect(throws: DeskError.self, "several bodies need a lead") {
            try await centre.act(.forward, code, by: "lan.mc", ActionRequest(bodies: ["ubnd-phuong", "so-xay-dung"]))
        }
        let forwarded = try await centre.act(
            .forward, code, by: "lan.mc", ActionRequest(bodies: ["ubnd-phuong", "so-xay-dung"], lead: "ubnd-phuong"))
        #expect(forwarded.state == .queued && forwarded.department == "ubnd-phuong" && forwarded.holder == nil)
        let rows = try await centre.database.forwards(of: code, viewer: admin)
        #expect(rows.map(\.body) == ["ubnd-phuong", "so-xay-dung"] && rows.map(\.lead) == [true, false])
        #expect(rows.allSatisfy { $0.grade == .early }, "forwarded on the day of reception, 5 working days allowed")
        // Eight working hours from 10:00 Monday: 5.5 h on Monday, 2.5 h on Tuesday from 07:30.
        #expect(rows.allSatisfy { TestClock.local($0.acceptDueAt) == "2026-12-01 10:00" })
        // The co-body's handler sees the item to answer it; another department's does not.
        _ = try await centre.database.ticket(code, viewer: try await centre.staff("xd.h"))
        await #expect(throws: DeskError.self) { _ = try await centre.database.ticket(code, viewer: try await centre.staff("tuan.tp")) }
        await #expect(throws: DeskError.self, "a handler answers for its own department") {
            try await centre.act(.accept, code, by: "an.up", ActionRequest(body: "so-xay-dung"))
        }
        await #expect(throws: DeskError.self, "a lead is already active") {
            try await centre.act(.forward, code, by: "lan.mc", ActionRequest(bodies: ["so-nnmt"]))
        }
        centre.clock.set("2026-12-01 09:00")
        try await centre.act(.accept, code, by: "an.up")
        await #expect(throws: DeskError.self) { try await centre.act(.accept, code, by: "an.up") }
        centre.clock.set("2026-12-01 11:00")
        await #expect(throws: DeskError.self, "sending back gives a reason") { try await centre.act(.sendBack, code, by: "xd.h") }
        let kept = try await centre.act(.sendBack, code, by: "xd.h", ActionRequest(note: "Không thuộc thẩm quyền của Sở"))
        #expect(kept.department == "ubnd-phuong", "a co-body's sending back leaves the item with the lead")
        await #expect(throws: DeskError.self, "no longer asked, no longer seen") {
            _ = try await centre.database.ticket(code, viewer: try await centre.staff("xd.h"))
        }
        let answered = try await centre.database.forwards(of: code, viewer: admin)
        #expect(answered[0].acceptanceGrade == .onTime && answered[0].acceptedBy == "an.up")
        #expect(answered[1].sentBackReason == "Không thuộc thẩm quyền của Sở" && answered[1].acceptedAt == nil)

        // The lead sends another back: it returns to the desk that forwarded it, to go elsewhere.
        centre.clock.set("2026-12-01 13:00")
        let other = try await Self.feedback(centre)
        try await centre.act(.forward, other, by: "lan.mc", ActionRequest(bodies: ["ubnd-phuong"]))
        let back = try await centre.act(.sendBack, other, by: "an.up", ActionRequest(note: "Thuộc Sở Xây dựng"))
        #expect(back.department == "tiep-dan" && back.state == .queued)
        try await centre.act(.forward, other, by: "lan.mc", ActionRequest(bodies: ["so-xay-dung"]))
        // Accepted the next afternoon, after its eight working hours (4 on Tuesday afternoon, 4 on
        // Wednesday morning: due Wednesday 11:30).
        centre.clock.set("2026-12-02 15:00")
        try await centre.act(.accept, other, by: "xd.h")
        let late = try await centre.database.forwards(of: other, viewer: admin)
        #expect(late.map(\.acceptanceGrade) == [nil, .late])
        #expect(TestClock.local(late[1].acceptDueAt) == "2026-12-02 11:30")
    }

    @Test(
        "a complaint is closed with guidance and counted apart; reopened once within the days; a duplicate merged keeps its reporter told")
    func complaintReopenMerge() async throws {
        let centre = try await Self.centre()
        _ = try await centre.database.createGateway(
            GatewayDraft(name: "sms", channel: "sms", url: "http://127.0.0.1:9/sms"), actor: "admin")
        // A complaint about a decision, not feedback.
        let complaint = try await Self.feedback(centre, channel: "web", text: "Khiếu nại quyết định xử phạt")
        await #expect(throws: DeskError.self, "guidance is required") {
            try await centre.act(.redirect, complaint, by: "lan.mc", ActionRequest(body: "Chủ tịch UBND quận", nature: "complaint"))
        }
        let closed = try await centre.act(
            .redirect, complaint, by: "lan.mc",
            ActionRequest(note: "Gửi đơn khiếu nại theo Luật Khiếu nại 2011", body: "Chủ tịch UBND quận", nature: "complaint"))
        #expect(closed.state == .resolved && closed.nature == .complaint && closed.outcome == .answered)
        await #expect(throws: DeskError.self, "a complaint closed here is not reopened") {
            try await centre.act(.reopen, complaint, by: "lan.mc", ActionRequest(note: "không đồng ý"))
        }

        // Resolved, then reopened by the citizen through the hotline officer, once.
        let reopened = try await Self.feedback(centre, text: "Rác tồn đọng")
        try await centre.act(.claim, reopened, by: "hoa.pa")
        try await centre.act(.resolve, reopened, by: "hoa.pa", ActionRequest(note: "Đã thu gom", outcome: "answered"))
        centre.clock.set("2026-12-03 10:00")
        await #expect(throws: DeskError.self, "a reason is required") { try await centre.act(.reopen, reopened, by: "lan.mc") }
        let again = try await centre.act(.reopen, reopened, by: "lan.mc", ActionRequest(note: "Rác vẫn còn"))
        #expect(again.state == .queued && again.department == "tiep-dan" && again.reopened == 1 && again.resolvedAt == nil)
        #expect(TestClock.local(again.dueAt) == "2026-12-10 10:00", "5 working days from the reopening")
        try await centre.act(.claim, reopened, by: "hoa.pa")
        try await centre.act(.resolve, reopened, by: "hoa.pa", ActionRequest(note: "Đã thu gom hết", outcome: "answered"))
        await #expect(throws: DeskError.self, "once") {
            try await centre.act(.reopen, reopened, by: "lan.mc", ActionRequest(note: "Vẫn chưa sạch"))
        }
        // Too late: eleven days after its resolution (the centre allows ten).
        let stale = try await Self.feedback(centre, text: "Ổ gà")
        try await centre.act(.claim, stale, by: "hoa.pa")
        try await centre.act(.resolve, stale, by: "hoa.pa", ActionRequest(note: "Đã vá", outcome: "answered"))
        centre.clock.set("2026-12-14 09:00")
        await #expect(throws: DeskError.self) { try await centre.act(.reopen, stale, by: "lan.mc", ActionRequest(note: "lại hỏng")) }

        // Two reports of one fallen tree: the second merged into the first; the progress posted on
        // the first reaches both reporters, each under their own code.
        let tree = try await Self.feedback(centre, phone: "0912345678", text: "Cây đổ trên đường Lê Lợi")
        let duplicate = try await Self.feedback(centre, phone: "0987654321", text: "Cây đổ Lê Lợi")
        let merged = try await centre.act(.merge, duplicate, by: "lan.mc", ActionRequest(into: tree))
        #expect(merged.state == .resolved && merged.mergedInto == tree)
        await #expect(throws: DeskError.self, "not into a closed item") {
            try await centre.act(.merge, stale, by: "lan.mc", ActionRequest(into: duplicate))
        }
        try await centre.act(
            .progress, tree, by: "hoa.pa", ActionRequest(note: "Đã cắt cây", photos: ["https://example.org/cay-1.jpg"]))
        await #expect(throws: DeskError.self, "photos are http(s) links") {
            try await centre.act(.progress, tree, by: "hoa.pa", ActionRequest(note: "Ảnh", photos: ["file:///tmp/a.jpg"]))
        }
        let messages = try await centre.database.outbox(state: nil, ticket: nil, before: nil, limit: 100)
        let progress = messages.filter { $0.kind == .progress }
        #expect(Set(progress.map(\.ticket)) == [tree, duplicate])
        #expect(Set(progress.map(\.recipient)) == ["+84912345678", "+84987654321"])
        #expect(messages.contains { $0.kind == .merged && $0.ticket == duplicate && $0.text.contains(tree) })
        #expect(messages.contains { $0.kind == .redirected && $0.ticket == complaint })
        #expect(messages.contains { $0.kind == .reopened && $0.ticket == reopened })

        // The figures by hand, for November and December together (received 30 Nov – 14 Dec):
        // received 4 feedback items (the complaint apart): reopened, stale, tree, duplicate; all
        // resolved but the tree; the duplicate merged (not counted as resolved); one reopened; one
        // with progress, with a photo; one complaint.
        let table = try await centre.database.report(
            .feedback, ReportRequest(period: ReportPeriod(from: LocalDate("2026-11-01")!, to: LocalDate("2026-12-31")!)))
        let row = try #require(table.rows.first)
        #expect(row["received"] == .int(4) && row["complaints"] == .int(1) && row["denunciations"] == .int(0))
        #expect(row["resolved"] == .int(2) && row["reopened"] == .int(1) && row["merged"] == .int(1))
        #expect(row["withProgress"] == .int(1) && row["withPhotos"] == .int(1) && row["forwarded"] == .int(0))
    }

    @Test("the feedback figures count forwarding and acceptance by hand, by class")
    func figures() async throws {
        let centre = try await Self.centre()
        let urgent = try await Self.feedback(centre, severity: "urgent")
        let normal = try await Self.feedback(centre, severity: "normal")
        _ = try await Self.feedback(centre)
        centre.clock.set("2026-11-30 10:00")
        try await centre.act(.forward, urgent, by: "lan.mc", ActionRequest(bodies: ["ubnd-phuong", "so-xay-dung"], lead: "ubnd-phuong"))
        try await centre.act(.accept, urgent, by: "an.up")
        // Forwarded on the eighth day: late (5 working days from Monday 30 November end Monday 7 December).
        centre.clock.set("2026-12-09 09:00")
        try await centre.act(.forward, normal, by: "lan.mc", ActionRequest(bodies: ["ubnd-phuong"]))
        centre.clock.set("2026-12-10 15:00")
        try await centre.act(.accept, normal, by: "an.up")
        try await centre.act(.sendBack, urgent, by: "xd.h", ActionRequest(note: "Không thuộc thẩm quyền"))
        let table = try await centre.database.report(
            .feedback, ReportRequest(period: ReportPeriod(from: LocalDate("2026-11-01")!, to: LocalDate("2026-12-31")!), groupBy: .severity)
        )
        #expect(table.rows.map { $0["group"] } == [.text("-"), .text("normal"), .text("urgent")])
        func row(_ group: String) -> [String: ReportValue]? { table.rows.first { $0["group"] == .text(group) } }
        let u = try #require(row("urgent"))
        #expect(u["forwarded"] == .int(1) && u["forwardedOnTime"] == .int(1) && u["asked"] == .int(2))
        #expect(u["acceptedOnTime"] == .int(1) && u["acceptedLate"] == .int(0) && u["sentBack"] == .int(1))
        #expect(u["acceptanceRate"] == .number(1))
        let n = try #require(row("normal"))
        #expect(n["forwarded"] == .int(1) && n["forwardedOnTime"] == .int(0) && n["asked"] == .int(1))
        #expect(n["acceptedOnTime"] == .int(0) && n["acceptedLate"] == .int(1) && n["acceptanceRate"] == .number(0))
        #expect(row("-")?["received"] == .int(1) && row("-")?["forwarded"] == .int(0))
    }
}
