import Foundation
import GRDB
import Synchronization
import Testing

@testable import ServiceDesk

/// A clock the test moves by hand.
final class TestClock: Sendable {
    let current: Mutex<Date>

    init(_ text: String) { current = Mutex(TestClock.parse(text)) }

    var now: Date { current.withLock { $0 } }
    func set(_ text: String) { current.withLock { $0 = TestClock.parse(text) } }

    /// `2026-11-30 09:00` in Hà Nội time.
    static func parse(_ text: String) -> Date {
        let parts = text.split(separator: " ")
        return LocalClock(identifier: "Asia/Ho_Chi_Minh")!.instant(
            LocalDate(String(parts[0]))!, minute: TimeOfDay(String(parts[1]))!.minutes)
    }

    static func local(_ date: Date?) -> String? { date.map { LocalClock(identifier: "Asia/Ho_Chi_Minh")!.describe($0) } }
}

/// The example centre with a few extra people: a handler at the one-stop desk, one at the
/// Department of Agriculture and Environment, a contract handler in civil status.
struct Centre2026 {
    let database: AppDatabase
    let clock: TestClock

    init(at time: String = "2026-11-30 09:00") async throws {
        let clock = TestClock(time)
        self.clock = clock
        database = try await TestStore.make(clock: { clock.now })
        _ = try database.bootstrap()
        _ = try await Demo.load(into: database, actor: "admin")
        for (username, role, department, employment) in [
            ("thu.mc", "handler", "mot-cua", "civil-servant"), ("binh.nnmt", "handler", "so-nnmt", "civil-servant"),
            ("tuan.tp", "handler", "tu-phap", "contract"), ("hoa.pa", "handler", "tiep-dan", "contract"),
            ("cong.tt", "integration", nil, "contract"),
        ] {
            _ = try await database.createStaff(
                StaffDraft(username: username, name: username, role: role, department: department, employment: employment), actor: "admin")
        }
    }

    func staff(_ username: String) async throws -> Staff { try await database.staff(username) }

    func intake(
        _ service: String, name: String = "Đặng Thị Hoa", phone: String = "0912345678", outcome: String? = nil, missing: [String]? = nil,
        by username: String = "lan.mc", key: IdempotencyContext? = nil, priority: String? = nil
    ) async throws -> IntakeResult {
        let request = IntakeRequest(
            service: service, applicant: ApplicantDraft(name: name, idNumber: "079190001234", phone: phone, address: "12 Lê Lợi, Hải Châu"),
            description: "Hồ sơ của \(name)", documents: [Document(name: "Tờ khai", copies: 1, original: true)],
            priority: priority, priorityReason: priority == "priority" ? "người cao tuổi" : nil, outcome: outcome, missing: missing)
        switch try await database.intake(request, actor: try await staff(username), idempotency: key) {
        case .created(let result, _): return result
        case .replayed(_, let body): return try APIJSON.decoder.decode(IntakeResult.self, from: body)
        }
    }

    /// A GeoReport v2 post (form-encoded `query`) by the integration `cong.tt`: the ticket's code.
    func open311(_ query: String) async throws -> String {
        let submission = try Open311Submission.parse(Open311Parameters.formEncoded(query)!)
        guard
            case .created(let result, _) = try await database.intake(
                submission.intake, actor: try await staff("cong.tt"), open311: submission.extra)
        else { throw DeskError.conflict("replayed") }
        return result.receipt.code
    }

    @discardableResult
    func act(_ action: TicketAction, _ code: String, by username: String, _ request: ActionRequest = ActionRequest()) async throws -> Ticket
    {
        try await database.perform(action, on: code, request, actor: try await staff(username)).ticket
    }
}

@Suite("Tickets: intake, lifecycle, routing, deadlines, audit")
struct TicketTests {
    @Test("a land certificate travels its inter-agency route with a supplement (restart) to its return and rating")
    func journey() async throws {
        let centre = try await Centre2026()
        let result = try await centre.intake("1.004227")
        let code = result.receipt.code
        #expect(code == "000.00.00.H00-261130-0001")
        #expect(result.ticket.ticket.state == .queued && result.ticket.ticket.department == "mot-cua")
        #expect(TestClock.local(result.receipt.dueAt) == "2026-12-28 09:00")  // 20 working days
        #expect(result.receipt.charges.map(\.amount) == [100_000, 500_000])
        #expect(result.ticket.ticket.portalStatus == 2)
        let stored = try await centre.database.ticket(code, viewer: try await centre.staff("admin"))
        #expect(result.ticket == stored, "the intake answer is the stored ticket")

        let claimed = try #require(try await centre.database.claimNext(department: "mot-cua", actor: try await centre.staff("thu.mc")))
        #expect(claimed.ticket.code == code && claimed.ticket.holder == "thu.mc" && claimed.ticket.portalStatus == 4)
        centre.clock.set("2026-11-30 10:00")
        try await centre.act(.transfer, code, by: "thu.mc")
        centre.clock.set("2026-12-01 08:00")
        try await centre.act(.claim, code, by: "mai.dd")
        let waiting = try await centre.act(.requestSupplement, code, by: "mai.dd", ActionRequest(missing: ["Bản vẽ sơ đồ thửa đất"]))
        #expect(waiting.state == .awaitingCitizen && waiting.portalStatus == 5)
        centre.clock.set("2026-12-03 14:00")
        let restarted = try await centre.act(.supplementReceived, code, by: "lan.mc")
        #expect(restarted.state == .inProgress && restarted.holder == "mai.dd")
        #expect(TestClock.local(restarted.dueAt) == "2026-12-31 14:00")  // a new full 20 days from Thursday 14:00
        centre.clock.set("2026-12-10 09:00")
        try await centre.act(.transfer, code, by: "mai.dd")
        try await centre.act(.claim, code, by: "binh.nnmt")
        centre.clock.set("2026-12-15 15:30")
        let resolved = try await centre.act(.resolve, code, by: "binh.nnmt", ActionRequest(outcome: "granted"))
        #expect(resolved.state == .resolved && resolved.portalStatus == 9)
        centre.clock.set("2026-12-16 08:00")
        let returned = try await centre.act(.return, code, by: "lan.mc")
        #expect(returned.state == .returned && returned.earlyReturn == true && returned.portalStatus == 10)
        try await centre.act(.rate, code, by: "lan.mc", ActionRequest(rating: "satisfied"))

        let officer = try await centre.staff("lan.mc")
        let events = try await centre.database.ticketEvents(code, viewer: officer)
        #expect(
            events.map(\.action) == [
                "ticket.intake", "ticket.claim", "ticket.transfer", "ticket.claim", "ticket.request-supplement",
                "ticket.supplement-received",
                "ticket.transfer", "ticket.claim", "ticket.resolve", "ticket.return", "ticket.rate",
            ])
        #expect(events[2].detail["fromDepartment"] == "mot-cua" && events[2].detail["toDepartment"] == "dat-dai")
        #expect(events[2].detail["grade"] == "early")  // step 0 (1 d) left on its first day
        #expect(events[8].detail["timeliness"] == "early")
        let steps = try await centre.database.ticketSteps(code, viewer: officer)
        #expect(steps.map(\.department) == ["mot-cua", "dat-dai", "so-nnmt"])
        #expect(steps.map(\.grade) == [.early, .early, .early])
        #expect(try centre.database.verifyEventChain().intact)
        let explanation = try await centre.database.explainDue(code, viewer: officer)
        #expect(explanation.recomputedDueAt == restarted.dueAt && explanation.storedDueAt == restarted.dueAt)
        #expect(explanation.lines.contains { $0.text.contains("starts again from zero") })
    }

    @Test("a holiday added between two intakes moves the second one's due moment (the calendar is not stale)")
    func calendarChange() async throws {
        let centre = try await Centre2026()
        let first = try await centre.intake("1.000894").receipt.dueAt  // 5 d from Mon 09:00: Mon 2026-12-07 09:00
        _ = try await centre.database.addCalendarDay(
            CalendarDay(date: LocalDate("2026-12-02")!, kind: .holiday, name: "Ngày lễ mới"), actor: "admin")
        let second = try await centre.intake("1.000894").receipt.dueAt
        #expect(TestClock.local(first) == "2026-12-07 09:00" && TestClock.local(second) == "2026-12-08 09:00")
        try await centre.database.removeCalendarDay(LocalDate("2026-12-02")!, actor: "admin")
        #expect(TestClock.local(try await centre.intake("1.000894").receipt.dueAt) == "2026-12-07 09:00")
    }

    @Test("illegal transitions name the state and the allowed actions; nothing changes")
    func illegal() async throws {
        let centre = try await Centre2026()
        let code = try await centre.intake("1.001193").receipt.code
        do {
            try await centre.act(.resolve, code, by: "thu.mc", ActionRequest(outcome: "granted"))
            Issue.record("expected a refusal")
        } catch DeskError.illegalTransition(let action, let state, let allowed) {
            #expect(action == "resolve" && state == "queued")
            #expect(
                allowed == [
                    "claim", "request-supplement", "withdraw", "apologise", "note", "progress", "classify", "forward", "accept",
                    "send-back",
                    "redirect", "merge", "pay", "exempt",
                ])
        }
        await #expect(throws: DeskError.self) { try await centre.act(.rate, code, by: "lan.mc", ActionRequest(rating: "satisfied")) }
        let ticket = try await centre.database.ticket(code, viewer: try await centre.staff("admin")).ticket
        #expect(ticket.version == 1 && ticket.state == .queued)
    }

    @Test("the version guards against concurrent edits")
    func versions() async throws {
        let centre = try await Centre2026()
        let code = try await centre.intake("1.001193").receipt.code
        try await centre.act(.claim, code, by: "thu.mc", ActionRequest(version: 1))
        await #expect(throws: DeskError.staleVersion(current: 2)) {
            try await centre.act(.note, code, by: "thu.mc", ActionRequest(version: 1, note: "late"))
        }
    }

    @Test("roles, holders and departments: forbidden is 403, another department's ticket is not found")
    func who() async throws {
        let centre = try await Centre2026()
        let code = try await centre.intake("1.001193").receipt.code
        await #expect(throws: DeskError.notFound(entity: "ticket", id: code)) {
            try await centre.database.ticket(code, viewer: try await centre.staff("mai.dd"))
        }
        await #expect(throws: DeskError.self) { try await centre.act(.claim, code, by: "mai.dd") }
        await #expect(throws: DeskError.forbidden("role kiosk may not see tickets")) {
            try await centre.database.ticket(code, viewer: try await centre.staff("kiosk-1"))
        }
        try await centre.act(.claim, code, by: "thu.mc")
        _ = try await centre.database.createStaff(
            StaffDraft(username: "an.mc", name: "An", role: "handler", department: "mot-cua", employment: "contract"), actor: "admin")
        await #expect(throws: DeskError.forbidden("only the holder (thu.mc) or a supervisor may transfer this ticket")) {
            try await centre.act(.transfer, code, by: "an.mc")
        }
        let reassigned = try await centre.act(.reassign, code, by: "giamsat", ActionRequest(handler: "an.mc"))
        #expect(reassigned.holder == "an.mc")
        await #expect(throws: DeskError.forbidden("role officer may not claim tickets")) {
            try await centre.act(.claim, code, by: "lan.mc")
        }
    }

    @Test("one supplement request per stage; a supervisor's override is allowed and reported")
    func secondSupplement() async throws {
        let centre = try await Centre2026()
        let code = try await centre.intake("1.000894").receipt.code
        try await centre.act(.requestSupplement, code, by: "lan.mc", ActionRequest(missing: ["Giấy xác nhận tình trạng hôn nhân"]))
        try await centre.act(.supplementReceived, code, by: "lan.mc")
        await #expect(throws: DeskError.self) {
            try await centre.act(.requestSupplement, code, by: "lan.mc", ActionRequest(missing: ["Ảnh"]))
        }
        await #expect(throws: DeskError.self) {
            try await centre.act(.requestSupplement, code, by: "giamsat", ActionRequest(missing: ["Ảnh"]))
        }
        let second = try await centre.act(
            .requestSupplement, code, by: "giamsat", ActionRequest(missing: ["Ảnh"], override: "công dân nộp nhầm ảnh"))
        #expect(second.supplementRequests == 2)
        let events = try await centre.database.ticketEvents(code, viewer: try await centre.staff("admin"))
        #expect(events.last?.detail["secondRequest"] == "true")
        #expect(events.last?.detail["override"] == "công dân nộp nhầm ảnh")
    }

    @Test("feedback pauses the clock while waiting: the due moment moves by the working time waited")
    func pause() async throws {
        let centre = try await Centre2026()
        let result = try await centre.intake("PA-HATANG")
        #expect(TestClock.local(result.receipt.dueAt) == "2026-12-07 09:00")  // 5 working days
        let code = result.receipt.code
        try await centre.act(.claim, code, by: "hoa.pa")
        centre.clock.set("2026-11-30 10:00")
        try await centre.act(.requestSupplement, code, by: "hoa.pa", ActionRequest(missing: ["Ảnh chụp vị trí"]))
        centre.clock.set("2026-12-01 10:00")  // 480 working minutes later
        let resumed = try await centre.act(.supplementReceived, code, by: "hoa.pa")
        #expect(TestClock.local(resumed.dueAt) == "2026-12-08 09:00")
        let explanation = try await centre.database.explainDue(code, viewer: try await centre.staff("admin"))
        #expect(explanation.recomputedDueAt == resumed.dueAt)
        #expect(explanation.lines.contains { $0.text.contains("stopped for 480 working minutes") })
    }

    @Test("an incomplete dossier gets no clock until it is complete; a refused one is closed with reasons")
    func intakeOutcomes() async throws {
        let centre = try await Centre2026()
        let incomplete = try await centre.intake("1.001193", outcome: "incomplete", missing: ["Giấy chứng sinh"])
        #expect(incomplete.ticket.ticket.state == .awaitingCitizen && incomplete.receipt.dueAt == nil)
        centre.clock.set("2026-12-02 16:00")
        let complete = try await centre.act(.supplementReceived, incomplete.receipt.code, by: "lan.mc")
        // Completed after the cut-off: received on Thursday, the day that is not counted; 1 d → Friday at the opening.
        #expect(complete.state == .queued && TestClock.local(complete.countingStartAt) == "2026-12-03 07:30")
        #expect(TestClock.local(complete.dueAt) == "2026-12-04 07:30")
        await #expect(throws: DeskError.self) { try await centre.intake("1.001193", outcome: "refused") }
        let refused = try await centre.database.intake(
            IntakeRequest(
                service: "1.001193", applicant: ApplicantDraft(name: "Lê Văn Tám"), outcome: "refused", reasons: "không thuộc thẩm quyền"),
            actor: try await centre.staff("lan.mc"))
        guard case .created(let result, _) = refused else {
            Issue.record("expected a new ticket")
            return
        }
        #expect(result.ticket.ticket.state == .rejected && result.ticket.ticket.portalStatus == 3)
    }

    @Test("only a civil servant resolves the deciding step of an internal department in administrative-body mode")
    func decidingStep() async throws {
        let centre = try await Centre2026()
        let code = try await centre.intake("2.000815").receipt.code  // certified copy: decided at tu-phap (step 0)
        try await centre.act(.claim, code, by: "tuan.tp")
        await #expect(
            throws: DeskError.forbidden("only a civil servant resolves a deciding step in administrative-body mode; tuan.tp is contract")
        ) {
            try await centre.act(.resolve, code, by: "tuan.tp", ActionRequest(outcome: "granted"))
        }
        try await centre.act(.reassign, code, by: "giamsat", ActionRequest(handler: "hung.tp"))
        #expect(try await centre.act(.resolve, code, by: "hung.tp", ActionRequest(outcome: "granted")).state == .resolved)
        let early = try await centre.intake("1.004227").receipt.code
        try await centre.act(.claim, early, by: "thu.mc")
        await #expect(throws: DeskError.self) { try await centre.act(.resolve, early, by: "thu.mc", ActionRequest(outcome: "granted")) }
    }

    @Test("an apology comes once, at least a working day before the due moment; the original due date stays")
    func apology() async throws {
        let centre = try await Centre2026()
        let result = try await centre.intake("1.000894")  // 5 d: due 2026-12-07 09:00
        let code = result.receipt.code
        let revised = TestClock.parse("2026-12-10 17:00")
        centre.clock.set("2026-12-03 10:00")  // two working days before the due date
        let apologised = try await centre.act(.apologise, code, by: "giamsat", ActionRequest(note: "chờ xác minh", revisedDueAt: revised))
        #expect(apologised.revisedDueAt == revised && apologised.dueAt == result.receipt.dueAt)
        await #expect(throws: DeskError.self) {
            try await centre.act(.apologise, code, by: "giamsat", ActionRequest(note: "again", revisedDueAt: revised))
        }
        // Decree 61/2018 art. 19(9), by date: a 1 d dossier (due 2026-12-04 10:00) may be apologised for the working day before…
        let oneDay = try await centre.intake("1.001193").receipt.code
        #expect(
            try await centre.act(.apologise, oneDay, by: "giamsat", ActionRequest(note: "chờ", revisedDueAt: revised)).apologisedAt != nil)
        // …but not on the due date itself, even hours before the due moment.
        let late = try await centre.intake("1.001193").receipt.code
        centre.clock.set("2026-12-04 07:45")
        await #expect(throws: DeskError.self) {
            try await centre.act(.apologise, late, by: "giamsat", ActionRequest(note: "too late", revisedDueAt: revised))
        }
    }

    @Test("dossier codes count up per day without gaps and restart the next day; an idempotent retry creates nothing")
    func codes() async throws {
        let centre = try await Centre2026()
        var codes: [String] = []
        for _ in 0..<3 { codes.append(try await centre.intake("HD-TTHC").receipt.code) }
        #expect(codes == ["000.00.00.H00-261130-0001", "000.00.00.H00-261130-0002", "000.00.00.H00-261130-0003"])
        let key = IdempotencyContext(key: "k1", fingerprint: "f1")
        let first = try await centre.intake("HD-TTHC", key: key).receipt.code
        let again = try await centre.intake("HD-TTHC", key: key).receipt.code
        #expect(first == again && first.hasSuffix("-0004"))
        await #expect(throws: DeskError.idempotencyKeyReused) {
            try await centre.intake("HD-TTHC", key: IdempotencyContext(key: "k1", fingerprint: "other"))
        }
        centre.clock.set("2026-12-01 00:05")
        #expect(try await centre.intake("HD-TTHC").receipt.code == "000.00.00.H00-261201-0001")
        // Past 9999 the sequence widens rather than fail.
        #expect(DossierCode.padded(10_000, 4) == "10000" && DossierCode.padded(7, 4) == "0007")
    }

    @Test(
        "an Idempotency-Key claimed before a create: a second claim waits, another request is refused, only the claim's token stores the answer, which replays; a failed create frees the key; a claim its instance left lapses after ten minutes"
    )
    func idempotencyClaims() async throws {
        let centre = try await Centre2026()
        let database = centre.database
        func claim(_ key: String, _ fingerprint: String, by username: String = "admin") async throws -> AppDatabase.IdempotencyClaim {
            try await database.claimIdempotencyKey(username: username, key: key, fingerprint: fingerprint)
        }
        func mine(_ claimed: AppDatabase.IdempotencyClaim) -> Data? {
            if case .mine(let token) = claimed { token } else { nil }
        }
        let first = try #require(mine(try await claim("k", "f")))
        #expect(try await claim("k", "f") == .inProgress)
        #expect(try await database.idempotentAnswer(username: "admin", key: "k")?.isClaim == true)
        await #expect(throws: DeskError.idempotencyKeyReused) { try await claim("k", "other") }
        // An intake under a key another create holds is another request.
        await #expect(throws: DeskError.idempotencyKeyReused) {
            try await centre.intake("HD-TTHC", by: "admin", key: IdempotencyContext(key: "k", fingerprint: "f-intake"))
        }
        // Only the claim's own token stores its answer.
        let answer = IdempotentAnswer(fingerprint: "f", status: 201, body: Data(#"{"id":1}"#.utf8))
        #expect(try await database.storeIdempotentAnswer(username: "admin", key: "k", answer: answer, claim: Data([1, 2, 3])) == false)
        #expect(try await database.storeIdempotentAnswer(username: "admin", key: "k", answer: answer, claim: first))
        #expect(try await claim("k", "f") == .answered(answer))
        #expect(try await database.idempotentAnswer(username: "admin", key: "k") == answer)
        // Keys are per caller.
        #expect(mine(try await claim("k", "f", by: "lan.mc")) != nil)

        // A create that failed gives its key back; the retry runs again.
        let failed = try #require(mine(try await claim("failed", "f")))
        try await database.releaseIdempotencyKey(username: "admin", key: "failed", claim: failed)
        #expect(try await database.idempotentAnswer(username: "admin", key: "failed") == nil)
        #expect(mine(try await claim("failed", "f")) != nil)

        // The instance that claimed it stopped before answering: after the lease (ten minutes) the
        // key is another request's; the first's late answer and release then change nothing.
        let orphan = try #require(mine(try await claim("orphan", "f")))
        centre.clock.set("2026-11-30 09:10")
        #expect(try await claim("orphan", "f") == .inProgress)
        centre.clock.set("2026-11-30 09:11")
        let taken = try #require(mine(try await claim("orphan", "f")))
        #expect(try await database.storeIdempotentAnswer(username: "admin", key: "orphan", answer: answer, claim: orphan) == false)
        try await database.releaseIdempotencyKey(username: "admin", key: "orphan", claim: orphan)
        #expect(try await claim("orphan", "f") == .inProgress)
        #expect(try await database.storeIdempotentAnswer(username: "admin", key: "orphan", answer: answer, claim: taken))
        // An answered key is kept the whole window (a day), then forgotten.
        centre.clock.set("2026-12-01 08:59")
        #expect(try await claim("k", "f") == .answered(answer))
        centre.clock.set("2026-12-01 09:01")
        #expect(mine(try await claim("k", "other")) != nil)
    }

    @Test("search folds diacritics and đ: 'dang' finds Đặng, 'nguyen van an' finds Nguyễn Văn An; phone and id too")
    func search() async throws {
        let centre = try await Centre2026()
        _ = try await centre.intake("HD-TTHC", name: "Đặng Thị Hoa")
        _ = try await centre.intake("HD-TTHC", name: "Nguyễn Văn An", phone: "+84 98 765 4321")
        let admin = try await centre.staff("admin")
        func names(_ configure: (inout TicketQuery) -> Void) async throws -> Int {
            var query = TicketQuery()
            configure(&query)
            return try await centre.database.tickets(query, page: try PageRequest(), viewer: admin).items.count
        }
        #expect(try await names { $0.text = "dang" } == 1)
        #expect(try await names { $0.text = "nguyen van an" } == 1)
        #expect(try await names { $0.text = "NGUYỄN" } == 1)
        #expect(try await names { $0.text = "hai chau" } == 2)
        #expect(try await names { $0.phone = "0987654321" } == 1)
        #expect(try await names { $0.idNumber = "079190001234" } == 2)
        #expect(try await names { $0.states = [.queued] } == 2)
        #expect(try await names { $0.department = "tiep-dan" } == 2)
        #expect(try await names { $0.overdue = true } == 0)
        let handler = try await centre.staff("mai.dd")
        #expect(try await centre.database.tickets(TicketQuery(), page: try PageRequest(), viewer: handler).items.isEmpty)
        let page = try await centre.database.tickets(TicketQuery(), page: try PageRequest(limit: 1), viewer: admin)
        let next = try await centre.database.tickets(TicketQuery(), page: try PageRequest(limit: 1, cursor: page.nextCursor), viewer: admin)
        #expect(page.items.count == 1 && next.items.count == 1 && page.items[0].ticket.code != next.items[0].ticket.code)
    }

    @Test("the public lookup needs the right phone and reveals nothing personal")
    func publicLookup() async throws {
        let centre = try await Centre2026()
        let code = try await centre.intake("1.001193").receipt.code
        let status = try await centre.database.publicStatus(code: code, phone: "0912 345 678")
        #expect(status.state == .queued && status.department == "Bộ phận Một cửa (tiếp nhận và trả kết quả)")
        let text = String(decoding: try APIJSON.encoder.encode(status), as: UTF8.self)
        #expect(!text.contains("Đặng") && !text.contains("0912") && !text.contains("079190001234"))
        await #expect(throws: DeskError.notFound(entity: "ticket", id: code)) {
            try await centre.database.publicStatus(code: code, phone: "0987654321")
        }
        await #expect(throws: DeskError.notFound(entity: "ticket", id: "nope")) {
            try await centre.database.publicStatus(code: "nope", phone: "0912345678")
        }
    }

    @Test("queue next: urgent, then priority, then earliest due, then oldest; an empty queue gives nothing")
    func queueOrder() async throws {
        let centre = try await Centre2026()
        let normal = try await centre.intake("HD-TTHC").receipt.code
        centre.clock.set("2026-11-30 09:05")
        let priority = try await centre.intake("HD-TTHC", priority: "priority").receipt.code
        centre.clock.set("2026-11-30 09:10")
        let urgent = try await centre.intake("HD-TTHC", priority: "urgent").receipt.code
        let handler = try await centre.staff("hoa.pa")
        var order: [String] = []
        while let next = try await centre.database.claimNext(department: "tiep-dan", actor: handler) { order.append(next.ticket.code) }
        #expect(order == [urgent, priority, normal])
    }
}

@Suite("Mode changes and open tickets")
struct ModeAndTicketTests {
    @Test("switching back to administrative-body lists the open tickets that carry a service price; closed ones do not count")
    func openTicketsJoinTheCheck() async throws {
        let database = try AppDatabase.inMemory()
        _ = try database.bootstrap()
        _ = try await database.changeMode(ModeChangeRequest(mode: "public-service-unit", autonomyGroup: 2), actor: "admin")
        _ = try await database.createDepartment(DepartmentDraft(code: "so-hoa", name: "Số hoá", kind: "internal"), actor: "admin")
        _ = try await database.createService(
            ServiceDraft(
                code: "SH-01", name: "Số hoá hồ sơ", kind: "procedure", timeLimit: "1 d", route: [RouteStepDraft(department: "so-hoa")],
                charges: [ChargeDraft(kind: "service-price", amount: 20_000, remittance: "retained")]), actor: "admin")
        let admin = try await database.staff("admin")
        guard
            case .created(let open, _) = try await database.intake(
                IntakeRequest(service: "SH-01", applicant: ApplicantDraft(name: "A")), actor: admin),
            case .created(let closed, _) = try await database.intake(
                IntakeRequest(service: "SH-01", applicant: ApplicantDraft(name: "B")), actor: admin)
        else {
            Issue.record("expected tickets")
            return
        }
        _ = try await database.perform(.withdraw, on: closed.receipt.code, ActionRequest(), actor: admin)
        _ = try await database.updateService("SH-01", ServicePatch(active: false), actor: "admin")
        let result = try await database.changeMode(ModeChangeRequest(mode: "administrative-body", dryRun: true), actor: "admin")
        #expect(result.conflicts.map(\.id) == [open.receipt.code])
        #expect(Set(result.conflicts.map(\.rule)) == ["ticket.charges"])
    }
}

@Suite("Privacy")
struct PrivacyTests {
    @Test("a purge pseudonymises applicants of long-closed tickets only; tickets, counts and the audit chain stay")
    func purge() async throws {
        let centre = try await Centre2026(at: "2020-03-02 09:00")
        let old = try await centre.intake("HD-TTHC", name: "Đặng Thị Cũ").receipt.code
        try await centre.act(.withdraw, old, by: "lan.mc")
        let open = try await centre.intake("HD-TTHC", name: "Lê Văn Mở").receipt.code
        // A citizen's report through a civic app, withdrawn long ago: its extras go too.
        let photo = try Open311Upload.make(part: "photo1", filename: "a.gif", bytes: Data("GIF89a-pixels".utf8))
        let report = try Open311Submission.parse(
            Open311Parameters.formEncoded(
                "service_code=HD-TTHC&address_id=HK-12&account_id=u77&device_id=d9&media_url=https://x.vn/1.jpg")!,
            uploads: [photo])
        guard
            case .created(let app, _) = try await centre.database.intake(
                report.intake, actor: try await centre.staff("cong.tt"), open311: report.extra)
        else { throw DeskError.conflict("replayed") }
        try await centre.act(.withdraw, app.receipt.code, by: "lan.mc")
        #expect(try await centre.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM open311_media") } == 1)
        centre.clock.set("2026-11-30 09:00")
        let cutoff = TestClock.parse("2021-11-30 00:00")
        let dry = try await centre.database.purgePersonalData(closedBefore: cutoff, dryRun: true, actor: "admin")
        #expect(dry.applicants == 2)
        let done = try await centre.database.purgePersonalData(closedBefore: cutoff, dryRun: false, actor: "admin")
        #expect(done.applicants == 2)
        let extras = try await centre.database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM open311_request WHERE ticket = ?", arguments: [app.receipt.code]).map {
                [$0["address_id"], $0["account_id"], $0["device_id"], $0["media_urls"]] as [String?]
            }
        }
        #expect(extras == [nil, nil, nil, "[]"])
        #expect(try await centre.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM open311_media") } == 0)
        let admin = try await centre.staff("admin")
        let purged = try await centre.database.ticket(old, viewer: admin)
        #expect(
            purged.applicant?.name.hasPrefix("Người nộp #") == true && purged.applicant?.phone == nil && purged.applicant?.idNumber == nil)
        #expect(purged.ticket.state == .withdrawn)
        #expect(try await centre.database.ticket(open, viewer: admin).applicant?.name == "Lê Văn Mở")
        var query = TicketQuery()
        query.text = "dang"
        #expect(try await centre.database.tickets(query, page: try PageRequest(), viewer: admin).items.isEmpty)
        #expect(try centre.database.verifyEventChain().intact)
        #expect(try await centre.database.purgePersonalData(closedBefore: cutoff, dryRun: false, actor: "admin").applicants == 0)
    }
}

@Suite("Applicant identifiers")
struct IdentifierTests {
    @Test(arguments: [
        ("079190001234", nil as String?), ("001305012345", nil),
        ("099190001234", "starts with 099, which is not a province code of birth registration"),
        ("07919000123", "must be the 12-digit personal identification number"),
        ("0791900012a4", "must be the 12-digit personal identification number"),
        ("079399001234", "encodes the birth year 2099, which is in the future"),
    ])
    func idNumbers(number: String, problem: String?) {
        #expect(Identifiers.problem(idNumber: number, currentYear: 2026) == problem)
    }

    @Test(arguments: [
        ("0912345678", "+84912345678"), ("091 234 5678", "+84912345678"), ("+84912345678", "+84912345678"), ("0871234567", "+84871234567"),
        ("+33612345678", "+33612345678"),
    ])
    func validPhones(input: String, normalised: String) {
        #expect(try! Identifiers.normalise(phone: input).get() == normalised)
    }

    @Test(arguments: ["012345678", "0112345678", "091234567", "+8491234567", "12345", "+1234", "phone"])
    func invalidPhones(input: String) {
        #expect(throws: Identifiers.PhoneProblem.self) { try Identifiers.normalise(phone: input).get() }
    }
}
