import Foundation
import Testing

@testable import ServiceDesk

@Suite("The hotline: the call log, call backs and the switchboard's hooks")
struct HotlineTests {
    @Test("a call back is due at the next opening after hours, an hour of working time later when missed in hours")
    func callbackRule() throws {
        let time = RulesTests.time
        func due(_ at: String, _ outcome: Call.Outcome) -> String? {
            Hotline.callbackDue(startedAt: TestClock.parse(at), outcome: outcome, time: time).map(time.clock.describe)
        }
        #expect(due("2026-11-30 09:00", .missed) == TestClock.local(TestClock.parse("2026-11-30 10:00")))
        // 11:00 + one working hour: 30 minutes before the break, 30 after it.
        #expect(due("2026-11-30 11:00", .missed) == TestClock.local(TestClock.parse("2026-11-30 13:30")))
        // Monday evening, Friday evening, Saturday: the next opening.
        #expect(due("2026-11-30 20:00", .recorded) == TestClock.local(TestClock.parse("2026-12-01 07:30")))
        #expect(due("2026-12-04 17:30", .missed) == TestClock.local(TestClock.parse("2026-12-07 07:30")))
        #expect(due("2026-12-05 10:00", .recorded) == TestClock.local(TestClock.parse("2026-12-07 07:30")))
        #expect(due("2026-11-30 09:00", .answered) == nil)
        #expect(Hotline.caller("091 234 5678") == "+84912345678" && Hotline.caller("1022") == "1022")
        #expect(Hotline.caller("unknown") == "unknown" && Hotline.caller("abc") == nil && Hotline.caller("") == nil)
    }

    @Test("calls logged by hand and by the switchboard; call backs; the figures computed by hand")
    func log() async throws {
        let centre = try await Centre2026(at: "2026-11-30 08:00")
        let officer = try await centre.staff("lan.mc")
        let switchboard = try await centre.staff("cong.tt")
        let admin = try await centre.staff("admin")
        // 08:00 answered (120 s), 08:05 an item opened (300 s), 08:10 missed.
        _ = try await centre.database.logCall(CallDraft(caller: "0912345678", durationSeconds: 120, outcome: "answered"), actor: officer)
        let ticket = try await centre.intake("HD-TTHC").ticket.ticket.code
        centre.clock.set("2026-11-30 08:05")
        let opened = try await centre.database.logCall(
            CallDraft(caller: "0987654321", durationSeconds: 300, outcome: "item-opened", ticket: ticket), actor: officer)
        #expect(opened.operatorUsername == "lan.mc" && opened.ticket == ticket && opened.callbackDueAt == nil)
        centre.clock.set("2026-11-30 08:10")
        let missed = try await centre.database.logCall(CallDraft(caller: "0911111111", outcome: "missed"), actor: officer)
        #expect(missed.operatorUsername == nil && missed.callbackDueAt == TestClock.parse("2026-11-30 09:10"))
        await #expect(throws: DeskError.inconsistent([FieldError("ticket", "an item-opened call names the ticket it opened")])) {
            _ = try await centre.database.logCall(CallDraft(caller: "1022", outcome: "item-opened"), actor: officer)
        }
        await #expect(throws: DeskError.self) {
            _ = try await centre.database.logCall(CallDraft(caller: "not a number", outcome: "answered"), actor: officer)
        }
        // The switchboard: a call at 08:20 picked up by lan.mc and transferred at 08:23; a
        // repeated end changes nothing; an end without an outcome is refused.
        centre.clock.set("2026-11-30 08:20")
        let started = try await centre.database.pbxEvent(
            PBXEvent(event: "start", callId: "pbx-1", caller: "0922222222", operator: "lan.mc"), actor: switchboard)
        #expect(started.endedAt == nil && started.outcome == nil)
        centre.clock.set("2026-11-30 08:23")
        let ended = try await centre.database.pbxEvent(
            PBXEvent(event: "end", callId: "pbx-1", caller: "0922222222", outcome: "transferred"), actor: switchboard)
        #expect(ended.id == started.id && ended.durationSeconds == 180 && ended.operatorUsername == "lan.mc")
        let again = try await centre.database.pbxEvent(
            PBXEvent(event: "end", callId: "pbx-1", caller: "0922222222", outcome: "missed"), actor: switchboard)
        #expect(again == ended)
        await #expect(throws: DeskError.inconsistent([FieldError("outcome", "an end event gives the outcome")])) {
            _ = try await centre.database.pbxEvent(PBXEvent(event: "end", callId: "pbx-2", caller: "0922222222"), actor: switchboard)
        }
        // Sunday night's recording, reported by the switchboard the next morning: due at Monday's
        // opening, called back at 08:30 — late (due 07:30).
        let recorded = try await centre.database.pbxEvent(
            PBXEvent(
                event: "end", callId: "pbx-0", caller: "0933333333", at: TestClock.parse("2026-11-29 22:00"), outcome: "recorded",
                recording: "rec/2026-11-29/2200.wav"), actor: switchboard)
        #expect(recorded.callbackDueAt == TestClock.parse("2026-11-30 07:30"))
        centre.clock.set("2026-11-30 08:30")
        _ = try await centre.database.completeCallback(recorded.id, note: "đã gọi lại, hướng dẫn", actor: officer)
        // The missed call is called back at 09:00, within its hour.
        centre.clock.set("2026-11-30 09:00")
        let called = try await centre.database.completeCallback(missed.id, note: nil, actor: admin)
        #expect(called.callbackDoneAt == TestClock.parse("2026-11-30 09:00") && called.callbackBy == "admin")
        await #expect(throws: DeskError.conflict("call \(missed.id) was already called back")) {
            _ = try await centre.database.completeCallback(missed.id, note: nil, actor: admin)
        }
        await #expect(throws: DeskError.self) {
            _ = try await centre.database.completeCallback(opened.id, note: nil, actor: admin)
        }
        #expect(try await centre.database.calls(from: nil, to: nil, outcome: nil, callbacksOwed: true, limit: 10).isEmpty)
        // Figures for November (the Sunday call counts on the day it rang): 5 calls, 3 answered
        // (answered, item-opened, transferred) = 0.6, mean (120 + 300 + 180) / 3 = 200 s;
        // 1 missed, 1 recorded; 2 call backs owed, 1 on time, 1 late.
        let table = try await centre.database.report(.calls, ReportRequest(period: ReportPeriod(period: "2026-11")))
        let row = try #require(table.rows.first)
        #expect(row["calls"] == .int(5) && row["answered"] == .int(3) && row["answeredRate"] == .number(0.6))
        #expect(row["itemsOpened"] == .int(1) && row["transferred"] == .int(1) && row["missed"] == .int(1) && row["recorded"] == .int(1))
        #expect(row["meanAnsweredSeconds"] == .int(200))
        #expect(row["callbacksOwed"] == .int(2) && row["callbacksOnTime"] == .int(1) && row["callbacksLate"] == .int(1))
        #expect(row["callbacksOverdue"] == .int(0))
        let byDay = try await centre.database.report(.calls, ReportRequest(period: ReportPeriod(period: "2026-11"), groupBy: .day))
        #expect(byDay.rows.map { $0["group"] } == [.text("2026-11-29"), .text("2026-11-30")])
        #expect(byDay.rows.map { $0["calls"] } == [.int(1), .int(4)])
    }
}

@Suite("The feedback figures")
struct FeedbackReportTests {
    @Test("feedback received by channel, resolved on time, with progress and photos — inquiries and complaints apart; by hand")
    func figures() async throws {
        let centre = try await Centre2026()
        _ = try await centre.database.createStaff(
            StaffDraft(username: "an.up", name: "An", role: "handler", department: "ubnd-phuong", employment: "civil-servant"),
            actor: "admin")
        // Through an app, with a photo.
        _ = try await centre.open311(
            "service_code=PA-HATANG&attribute[loai]=den&lat=21.028511&long=105.804817&media_url=https://example.org/1.jpg&description=%C4%90%C3%A8n+t%E1%BA%AFt"
        )
        // By phone: progress posted, forwarded to the ward, answered the same day.
        let call = IntakeRequest(
            service: "PA-HATANG", channel: "hotline", applicant: ApplicantDraft(name: "Lê Văn Bình", phone: "0912345678"),
            description: "Cống tràn trước chợ")
        guard
            case .created(let byPhone, _) = try await centre.database.intake(
                call, actor: try await centre.staff("lan.mc"), idempotency: nil)
        else { throw DeskError.conflict("replayed") }
        let code = byPhone.receipt.code
        try await centre.act(.claim, code, by: "hoa.pa")
        try await centre.act(.progress, code, by: "hoa.pa", ActionRequest(note: "Đã chuyển UBND phường"))
        try await centre.act(.transfer, code, by: "hoa.pa")
        try await centre.act(.claim, code, by: "an.up")
        try await centre.act(.resolve, code, by: "an.up", ActionRequest(note: "Đã nạo vét", outcome: "answered"))
        // At the counter; and an inquiry, which is not feedback.
        _ = try await centre.intake("PA-HATANG")
        _ = try await centre.intake("HD-TTHC")
        let table = try await centre.database.report(.feedback, ReportRequest(period: ReportPeriod(period: "2026-11")))
        let row = try #require(table.rows.first)
        #expect(row["received"] == .int(3) && row["receivedHotline"] == .int(1) && row["receivedOnline"] == .int(1))
        #expect(row["receivedInPerson"] == .int(1) && row["resolved"] == .int(1) && row["resolvedOnTime"] == .int(1))
        #expect(row["withProgress"] == .int(1) && row["withPhotos"] == .int(1) && row["onTimeRate"] == .number(1))
        #expect(row["photoShare"] == .number(1.0 / 3))
        let byChannel = try await centre.database.report(
            .feedback, ReportRequest(period: ReportPeriod(period: "2026-11"), groupBy: .channel))
        #expect(byChannel.rows.map { $0["group"] } == [.text("counter"), .text("hotline"), .text("open311")])
        // December: nothing received yet, one row of zeros.
        let empty = try await centre.database.report(.feedback, ReportRequest(period: ReportPeriod(period: "2026-12")))
        #expect(empty.rows.first?["received"] == .int(0) && empty.rows.first?["onTimeRate"] == .null)
    }
}
