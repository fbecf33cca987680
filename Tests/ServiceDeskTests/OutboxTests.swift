import Foundation
import Synchronization
import Testing

@testable import ServiceDesk

/// A gateway the test programs: it answers each post with the next status of `script` (then
/// 200), or fails to answer, and remembers every post.
final class ScriptedGateway: WebhookTransport {
    struct Post: Sendable {
        var url: String
        var headers: [String: String]
        var body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:] }
    }

    let state: Mutex<(script: [Int?], posts: [Post])>

    /// `nil` in the script: no answer at all (connection refused).
    init(_ script: [Int?] = []) { state = Mutex((script, [])) }

    var posts: [Post] { state.withLock { $0.posts } }

    func post(url: String, headers: [(String, String)], body: Data) async throws -> Int {
        let answer: Int?? = state.withLock { state in
            state.posts.append(Post(url: url, headers: Dictionary(headers, uniquingKeysWith: { $1 }), body: body))
            return state.script.isEmpty ? .some(200) : state.script.removeFirst()
        }
        guard let status = answer ?? nil else { throw URLError(.cannotConnectToHost) }
        return status
    }
}

@Suite("Telling citizens: the outbox, its templates, signed webhooks and retries")
struct OutboxTests {
    static func centre(gateways: [(String, String)] = [("sms-viettel", "sms"), ("mail", "email")]) async throws -> (
        Centre2026, [String: String]
    ) {
        let centre = try await Centre2026()
        var secrets: [String: String] = [:]
        for (name, channel) in gateways {
            let created = try await centre.database.createGateway(
                GatewayDraft(name: name, channel: channel, url: "http://127.0.0.1:9/\(name)"), actor: "admin")
            secrets[name] = created.secret
        }
        return (centre, secrets)
    }

    static func intake(_ centre: Centre2026, email: String? = "hoa@example.vn", outcome: String? = nil, missing: [String]? = nil)
        async throws -> IntakeResult
    {
        let request = IntakeRequest(
            service: "1.001193",
            applicant: ApplicantDraft(name: "Đặng Thị Hoa", idNumber: "079190001234", phone: "0912345678", email: email),
            description: "Khai sinh cho con", documents: [Document(name: "Tờ khai", copies: 1, original: true)], outcome: outcome,
            missing: missing)
        switch try await centre.database.intake(request, actor: try await centre.staff("lan.mc"), idempotency: nil) {
        case .created(let result, _): return result
        case .replayed(_, let body): return try APIJSON.decoder.decode(IntakeResult.self, from: body)
        }
    }

    @Test("the templates say it in Vietnamese per channel: an SMS short and unaccented, an e-mail a letter with a subject")
    func templates() {
        let facts = NoticeFacts(
            kind: .received, code: "000.00.00.H48-261130-0001", serviceName: "Đăng ký khai sinh", applicantName: "Đặng Thị Hoa",
            centreName: "Trung tâm Phục vụ hành chính công", due: "10:00 02/12/2026")
        let sms = MessageTemplates.render(facts, channel: .sms)
        #expect(
            sms.text
                == "Trung tam Phuc vu hanh chinh cong: Ho so 000.00.00.H48-261130-0001 da duoc tiep nhan; hen tra ket qua 10:00 02/12/2026."
        )
        #expect(sms.subject == nil && sms.text.count <= 160 && sms.text.unicodeScalars.allSatisfy(\.isASCII))
        let mail = MessageTemplates.render(facts, channel: .email)
        #expect(mail.subject == "[Trung tâm Phục vụ hành chính công] Đã tiếp nhận hồ sơ 000.00.00.H48-261130-0001")
        #expect(mail.text.hasPrefix("Kính gửi ông/bà Đặng Thị Hoa,") && mail.text.contains("Thủ tục, yêu cầu: Đăng ký khai sinh"))
        var missing = facts
        missing.kind = .supplementRequested
        missing.reason = String(repeating: "Bản sao giấy chứng sinh; ", count: 10)
        let short = MessageTemplates.render(missing, channel: .sms).text
        #expect(short.contains("can bo sung, hoan thien: Ban sao giay chung sinh") && short.count < 200 && short.contains("..."))
        #expect(MessageTemplates.render(missing, channel: .zalo).text.contains("cần bổ sung, hoàn thiện: Bản sao giấy chứng sinh"))
    }

    @Test("a webhook's signature is HMAC-SHA256 over the timestamp and the body; any change breaks it")
    func signature() {
        let body = Data(#"{"id":"x"}"#.utf8)
        let header = WebhookSignature.sign(secret: "a-long-enough-secret", timestamp: 1_764_470_000, body: body)
        #expect(header.hasPrefix("t=1764470000,v1=") && header.count == "t=1764470000,v1=".count + 64)
        #expect(WebhookSignature.verify(header: header, secret: "a-long-enough-secret", body: body))
        #expect(!WebhookSignature.verify(header: header, secret: "another-secret-entirely", body: body))
        #expect(!WebhookSignature.verify(header: header, secret: "a-long-enough-secret", body: Data(#"{"id":"y"}"#.utf8)))
        #expect(
            !WebhookSignature.verify(
                header: header.replacingOccurrences(of: "t=1764470000", with: "t=1764470001"), secret: "a-long-enough-secret", body: body))
        // Backoff: 30 s, 60 s, 120 s …, at most an hour; after the tenth failure, a dead letter.
        let policy = RetryPolicy()
        #expect((1...10).map { policy.delay(afterAttempts: $0) } == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, nil])
    }

    @Test("events write their notices in their own transaction, to every gateway the citizen can be reached on")
    func notices() async throws {
        let (centre, _) = try await Self.centre()
        let received = try await Self.intake(centre)
        let code = received.ticket.ticket.code
        var messages = try await centre.database.outbox(state: nil, ticket: code, before: nil, limit: 50)
        #expect(messages.map(\.kind) == [.received, .received] && Set(messages.map(\.channel)) == [.sms, .email])
        let sms = try #require(messages.first { $0.channel == .sms })
        #expect(sms.recipient == "+84912345678" && sms.text.contains(code) && sms.text.contains("hen tra ket qua"))
        #expect(messages.first { $0.channel == .email }?.recipient == "hoa@example.vn")
        // A note, a claim: nothing to tell. A supplement request: the missing items.
        try await centre.act(.note, code, by: "lan.mc", ActionRequest(note: "gọi điện xác nhận"))
        try await centre.act(.claim, code, by: "thu.mc")
        try await centre.act(.requestSupplement, code, by: "thu.mc", ActionRequest(missing: ["Giấy chứng sinh bản chính"]))
        messages = try await centre.database.outbox(state: nil, ticket: code, before: nil, limit: 50)
        #expect(messages.count == 4 && messages.first?.kind == .supplementRequested)
        #expect(messages.first { $0.channel == .sms }?.text.contains("Giay chung sinh ban chinh") == true)
        // Without an e-mail, only the SMS gateway; an incomplete intake asks for the supplement.
        let incomplete = try await Self.intake(centre, email: nil, outcome: "incomplete", missing: ["Tờ khai có chữ ký"])
        let asked = try await centre.database.outbox(state: nil, ticket: incomplete.ticket.ticket.code, before: nil, limit: 50)
        #expect(asked.map(\.kind) == [.supplementRequested] && asked.first?.channel == .sms)
        // Completing it: the dossier is now received, with its appointment.
        try await centre.act(.supplementReceived, incomplete.ticket.ticket.code, by: "lan.mc")
        let completed = try await centre.database.outbox(state: nil, ticket: incomplete.ticket.ticket.code, before: nil, limit: 50)
        #expect(completed.first?.kind == .received && completed.first?.text.contains("hen tra ket qua") == true)
        // A centre without gateways writes nothing.
        let (bare, _) = try await Self.centre(gateways: [])
        let quiet = try await Self.intake(bare)
        #expect(try await bare.database.outbox(state: nil, ticket: quiet.ticket.ticket.code, before: nil, limit: 50).isEmpty)
    }

    @Test("delivery: signed, retried with backoff, in order per ticket, dead after the last attempt, replayed once by an admin")
    func delivery() async throws {
        let (centre, secrets) = try await Self.centre(gateways: [("sms-viettel", "sms")])
        let code = try await Self.intake(centre).ticket.ticket.code
        try await centre.act(.claim, code, by: "thu.mc")
        try await centre.act(.requestSupplement, code, by: "thu.mc", ActionRequest(missing: ["Giấy chứng sinh"]))
        // The gateway refuses twice (a 503, then no answer), then takes everything.
        let gateway = ScriptedGateway([503, nil])
        let policy = RetryPolicy(base: .seconds(30), maxAttempts: 3)
        let delivery = OutboxDelivery(database: centre.database, transport: gateway, policy: policy)
        var outcome = try await delivery.deliverDue()
        // Only the ticket's first message is tried: the second waits behind it.
        #expect(outcome.failed == 1 && gateway.posts.count == 1 && gateway.posts[0].json["kind"] as? String == "received")
        #expect(try await delivery.deliverDue().attempted == 0)  // not due again for 30 s
        centre.clock.set("2026-11-30 09:01")
        outcome = try await delivery.deliverDue()
        #expect(outcome.failed == 1 && gateway.posts.count == 2)
        centre.clock.set("2026-11-30 09:02")  // 60 s after the second failure
        outcome = try await delivery.deliverDue()
        #expect(outcome.delivered == 1)
        outcome = try await delivery.deliverDue()
        #expect(outcome.delivered == 1 && gateway.posts.count == 4)
        // Every attempt carries the same id and body, signed with the gateway's secret.
        let posts = gateway.posts
        #expect(posts[0].body == posts[2].body && posts[0].headers["Idempotency-Key"] == posts[2].headers["Idempotency-Key"])
        #expect(posts.map { $0.json["kind"] as? String } == ["received", "received", "received", "supplement-requested"])
        for post in posts {
            #expect(
                WebhookSignature.verify(
                    header: post.headers["X-Desk-Signature"] ?? "", secret: secrets["sms-viettel"] ?? "", body: post.body))
        }
        #expect(posts[3].json["to"] as? String == "+84912345678" && posts[3].json["ticket"] as? String == code)
        let sequences = posts.compactMap { $0.json["sequence"] as? Int }
        #expect(sequences == sequences.sorted())

        // A gateway that never answers: a dead letter after three attempts; an admin replays it.
        try await centre.act(.withdraw, code, by: "lan.mc", ActionRequest(note: "công dân rút hồ sơ"))
        let down = ScriptedGateway([500, 500, 500])
        let failing = OutboxDelivery(database: centre.database, transport: down, policy: policy)
        for time in ["2026-11-30 09:03", "2026-11-30 09:04", "2026-11-30 09:05"] {
            centre.clock.set(time)
            _ = try await failing.deliverDue()
        }
        let dead = try await centre.database.outbox(state: .dead, ticket: code, before: nil, limit: 10)
        #expect(dead.count == 1 && dead.first?.kind == .stopped && dead.first?.attempts == 3 && dead.first?.lastError == "HTTP 500")
        #expect(dead.first?.text.contains("cong dan rut ho so") == true)
        await #expect(throws: DeskError.self) {
            _ = try await centre.database.retryOutbox(id: posts.isEmpty ? 0 : Int64(sequences[0]), gateway: nil, actor: "admin")
        }
        #expect(try await centre.database.retryOutbox(id: dead.first?.id, gateway: nil, actor: "admin") == 1)
        #expect(try await failing.deliverDue().delivered == 1)
        #expect(try await centre.database.outboxCounts() == [.delivered: 3])
    }

    @Test("progress: told to the citizen with the committed day, in the public status and Open311's status_notes; the due stays")
    func progress() async throws {
        let (centre, _) = try await Self.centre(gateways: [("sms-viettel", "sms")])
        // A question posted through Open311 by an app, with the citizen's phone.
        let code = try await centre.open311(
            "service_code=HD-TTHC&address_string=Ph%C6%B0%E1%BB%9Dng+H%E1%BA%A3i+Ch%C3%A2u&phone=0912345678&description=H%E1%BB%8Fi+th%E1%BB%A7+t%E1%BB%A5c"
        )
        try await centre.act(.claim, code, by: "hoa.pa")
        let before = try await centre.database.ticket(code, viewer: try await centre.staff("admin"))
        // A committed day in the past is refused; a malformed one too; text is required.
        await #expect(throws: DeskError.inconsistent([FieldError("committedDate", "is before today (2026-11-30)")])) {
            try await centre.act(.progress, code, by: "hoa.pa", ActionRequest(note: "đã kiểm tra", committedDate: "2026-11-29"))
        }
        await #expect(throws: DeskError.validation([FieldError("committedDate", "must be a date YYYY-MM-DD")])) {
            try await centre.act(.progress, code, by: "hoa.pa", ActionRequest(note: "đã kiểm tra", committedDate: "30/11/2026"))
        }
        let after = try await centre.act(
            .progress, code, by: "hoa.pa", ActionRequest(note: "Đã khảo sát hiện trường, chờ vật tư", committedDate: "2026-12-04"))
        #expect(after.dueAt == before.ticket.dueAt && after.state == .inProgress)
        let told = try await centre.database.outbox(state: nil, ticket: code, before: nil, limit: 10)
        #expect(told.first?.kind == .progress)
        #expect(told.first?.text.contains("Da khao sat hien truong, cho vat tu; du kien hoan thanh ngay 04/12/2026") == true)
        let status = try await centre.database.publicStatus(code: code, phone: "0912345678")
        #expect(status.progress?.text == "Đã khảo sát hiện trường, chờ vật tư" && status.progress?.committedDate == LocalDate("2026-12-04"))
        let request = try await centre.database.open311Request(code).request
        #expect(request.statusNotes.hasSuffix("; progress 2026-11-30: Đã khảo sát hiện trường, chờ vật tư (to finish by 2026-12-04)"))
        // Closed, the progress is history: the public status no longer shows it.
        try await centre.act(.resolve, code, by: "hoa.pa", ActionRequest(note: "Đã hướng dẫn", outcome: "answered"))
        #expect(try await centre.database.publicStatus(code: code, phone: "0912345678").progress == nil)
        #expect(try await centre.database.outbox(state: nil, ticket: code, before: nil, limit: 10).first?.kind == .resolved)
    }

    /// A gateway that never answers: each post waits until it is cancelled.
    struct SilentGateway: WebhookTransport {
        func post(url: String, headers: [(String, String)], body: Data) async throws -> Int {
            try await Task.sleep(for: .seconds(3600))
            return 200
        }
    }

    @Test("stopping deskd cancels the posts in flight: their messages stay pending, the attempt not counted")
    func cancelledDelivery() async throws {
        let (centre, _) = try await Self.centre(gateways: [("sms-viettel", "sms")])
        _ = try await Self.intake(centre)
        let delivery = OutboxDelivery(database: centre.database, transport: SilentGateway())
        let pass = Task { try await delivery.deliverDue() }
        try await Task.sleep(for: .milliseconds(200))
        pass.cancel()
        await #expect(throws: CancellationError.self) { _ = try await pass.value }
        let messages = try await centre.database.outbox(state: nil, ticket: nil, before: nil, limit: 10)
        #expect(messages.count == 1 && messages.allSatisfy { $0.state == .pending && $0.attempts == 0 && $0.lastError == nil })
    }
}

@Suite("Duplicates: the same thing reported twice")
struct DuplicateTests {
    @Test("distance by haversine, words folded, candidates by place, address and words within a week")
    func rules() throws {
        // Hoàn Kiếm lake's two ends, about 690 m apart north–south (0.0062° of latitude).
        let metres = Duplicates.distance(lat: 21.0333, long: 105.8520, toLat: 21.0271, toLong: 105.8520)
        #expect(abs(metres - 689.4) < 1)
        #expect(Duplicates.words("Đèn đường tắt, ĐÈN hỏng!") == ["den", "duong", "tat", "hong"])
        #expect(Duplicates.similarity(["den", "tat"], ["den", "hong"]) == 1.0 / 3)
        func ticket(_ code: String, _ text: String, _ at: String, lat: Double? = nil, long: Double? = nil, address: String? = nil)
            -> Ticket
        {
            Ticket(
                code: code, service: "PA-HATANG", serviceVersion: 1, channel: .open311, applicantId: 1, description: text,
                location: Location(address: address, lat: lat, long: long), documents: [], priority: .normal, priorityReason: nil,
                charges: [], state: .queued, awaitingReason: nil, resumeState: nil, step: 0, department: "tiep-dan", holder: nil,
                receivedAt: TestClock.parse(at), countingStartAt: nil, dueAt: nil, revisedDueAt: nil, pausedAt: nil, resolvedAt: nil,
                returnedAt: nil, closedAt: nil, outcome: nil, outcomeNote: nil, earlyReturn: nil, rating: nil, ratingComment: nil,
                apologisedAt: nil, decision: nil, supplementRequests: 0, queueNumber: nil, createdBy: "fms", version: 1)
        }
        let lamp = ticket("A", "Đèn đường tắt trước số 12", "2026-11-30 09:00", lat: 21.028511, long: 105.804817)
        let nearby = ticket("B", "Cột điện nghiêng", "2026-11-29 20:00", lat: 21.0290, long: 105.8050)  // 57.6 m
        let sameWords = ticket("C", "đèn đường tắt trước số 12 Lê Lợi", "2026-12-03 10:00")
        let sameAddress = ticket("D", "Hỏng nắp cống thoát nước", "2026-11-30 10:00", address: "12 Lê Lợi")
        let far = ticket("E", "Ổ gà", "2026-11-30 09:30", lat: 21.04, long: 105.80)
        let late = ticket("F", "Đèn đường tắt trước số 12", "2026-12-08 09:01", lat: 21.028511, long: 105.804817)
        var other = ticket("G", "Đèn đường tắt trước số 12", "2026-11-30 09:00")
        other.service = "HD-TTHC"
        let suggested = Duplicates.suggest(for: lamp, among: [nearby, sameWords, sameAddress, far, late, other])
        #expect(suggested.map(\.code) == ["B", "C"])
        #expect(suggested.first?.reasons == ["near"] && suggested.first?.distanceMetres == 58)
        #expect(suggested.last?.reasons == ["similar-text"] && suggested.last?.similarity == 0.75)
        let byAddress = ticket("H", "Đèn tắt", "2026-11-30 11:00", address: "12 LÊ LỢI")
        #expect(Duplicates.suggest(for: byAddress, among: [sameAddress]).first?.reasons == ["same-address"])
    }

    @Test("through storage: a handler is shown only the candidates it may see")
    func storage() async throws {
        let centre = try await Centre2026()
        let post = centre.open311
        let first = try await post(
            "service_code=PA-HATANG&attribute[loai]=den&attribute[nguy-hiem]=dien&lat=21.028511&long=105.804817&description=%C4%90%C3%A8n+t%E1%BA%AFt"
        )
        let second = try await post(
            "service_code=PA-HATANG&attribute[loai]=den&attribute[nguy-hiem]=dien&lat=21.0286&long=105.8049&description=%C4%90%C3%A8n+h%E1%BB%8Fng"
        )
        _ = try await post(
            "service_code=PA-HATANG&attribute[loai]=den&attribute[nguy-hiem]=dien&lat=21.05&long=105.85&description=%E1%BB%94+g%C3%A0")
        let found = try await centre.database.duplicates(of: first, viewer: try await centre.staff("lan.mc"))
        #expect(found.map(\.code) == [second] && found.first?.reasons == ["near"])
        // A handler of another department sees neither the ticket nor its candidates.
        await #expect(throws: DeskError.notFound(entity: "ticket", id: first)) {
            _ = try await centre.database.duplicates(of: first, viewer: try await centre.staff("binh.nnmt"))
        }
    }
}
