import Foundation
import Testing

@testable import ServiceDesk

/// Online reception (Decree 61/2018 art. 17(2); docs/tickets.md): a dossier a portal submits
/// waits as `new`, with no clock, until an officer receives it, asks for a supplement or refuses it.
@Suite("Online reception: new until received; the clock from reception")
struct OnlineReceptionTests {
    static func submit(_ centre: Centre2026) async throws -> IntakeResult {
        let request = IntakeRequest(
            service: "1.000894", channel: "web", applicant: ApplicantDraft(name: "Trần Văn Nam", phone: "0912345678"),
            description: "Nộp trực tuyến")
        guard case .created(let result, _) = try await centre.database.intake(request, actor: try await centre.staff("cong.tt")) else {
            throw DeskError.conflict("replayed")
        }
        return result
    }

    @Test("submitted Sunday night, received Tuesday 10:00: due five working days from then, graded late against 8 working hours")
    func received() async throws {
        let centre = try await Centre2026(at: "2026-11-29 22:00")
        let submitted = try await Self.submit(centre)
        let code = submitted.receipt.code
        #expect(submitted.ticket.ticket.state == .new && submitted.ticket.ticket.portalStatus == 1)
        #expect(submitted.receipt.outcome == .submitted && submitted.receipt.dueAt == nil && submitted.ticket.ticket.countingStartAt == nil)
        await #expect(throws: DeskError.self, "not in a queue yet") { try await centre.act(.claim, code, by: "tuan.tp") }
        await #expect(throws: DeskError.self, "a handler does not receive") { try await centre.act(.receive, code, by: "tuan.tp") }
        centre.clock.set("2026-12-01 10:00")
        let received = try await centre.act(.receive, code, by: "lan.mc")
        #expect(received.state == .queued && received.department == "mot-cua" && received.step == 0)
        #expect(TestClock.local(received.countingStartAt) == "2026-12-01 10:00")
        #expect(TestClock.local(received.dueAt) == "2026-12-08 10:00", "5 working days from reception by the officer")
        let admin = try await centre.staff("admin")
        let events = try await centre.database.ticketEvents(code, viewer: admin)
        // Eight working hours from Sunday night: Monday 07:30 to 17:00 is 8 h, due Monday 17:00.
        #expect(events.last?.detail["receptionGrade"] == "late")
        #expect(try await centre.database.explainDue(code, viewer: admin).recomputedDueAt == received.dueAt)
        let feed = try await centre.database.portalFeed(after: 0, limit: 10)
        #expect(feed.items.map(\.status) == [1, 2], "the portal hears new, then accepted")
        // Submitted in November, received in December: counted by the end of a period that holds both.
        let online = try await centre.database.report(
            .online, ReportRequest(period: ReportPeriod(from: LocalDate("2026-11-01")!, to: LocalDate("2026-12-31")!)))
        let row = try #require(online.rows.first)
        #expect(row["receivedOnline"] == .int(1) && row["receptionLate"] == .int(1) && row["receptionOnTime"] == .int(0))
        #expect(row["awaitingReception"] == .int(0))
    }

    @Test("a supplement asked from the reception queue, then completed: received then; a refusal closes it")
    func supplementAndRefusal() async throws {
        let centre = try await Centre2026()
        let code = try await Self.submit(centre).receipt.code
        let waiting = try await centre.act(.requestSupplement, code, by: "lan.mc", ActionRequest(missing: ["Bản sao CCCD"]))
        #expect(waiting.state == .awaitingCitizen && waiting.dueAt == nil)
        centre.clock.set("2026-12-02 09:00")
        let completed = try await centre.act(.supplementReceived, code, by: "lan.mc")
        #expect(completed.state == .queued && TestClock.local(completed.dueAt) == "2026-12-09 09:00")
        let refused = try await Self.submit(centre).receipt.code
        await #expect(throws: DeskError.self, "a refusal gives reasons") { try await centre.act(.reject, refused, by: "lan.mc") }
        let closed = try await centre.act(.reject, refused, by: "lan.mc", ActionRequest(note: "Không thuộc thẩm quyền"))
        #expect(closed.state == .rejected && closed.portalStatus == 3)
        // Staff keying in a dossier at the counter, and feedback from a portal, are not held for reception.
        #expect(try await centre.intake("1.000894").ticket.ticket.state == .queued)
    }
}
