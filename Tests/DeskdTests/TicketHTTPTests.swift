import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ServiceDesk
import Testing

@testable import deskd

@Suite("Tickets over HTTP")
struct TicketHTTPTests {
    static let intake =
        #"{"service":"1.001193","channel":"counter","applicant":{"name":"Đặng Văn Nam","idNumber":"048200001234","phone":"0905123456"},"description":"Khai sinh cho con","documents":[{"name":"Giấy chứng sinh","copies":1,"original":true}]}"#

    @Test(
        "intake answers 201 with the receipt; the code is in the URL space; illegal actions are 409 naming the state and the allowed actions"
    )
    func intakeAndIllegal() async throws {
        let app = try await TestApp.make()
        let officer = try await app.token(for: .officer)
        try await app.test { client in
            let result = try await client.execute(uri: "/api/v1/tickets", method: .post, headers: bearer(officer), body: json(Self.intake))
            { response in
                #expect(response.status == .created, "\(response.text)")
                return try response.decode(IntakeResult.self)
            }
            #expect(result.receipt.dueLocal != nil && result.ticket.ticket.portalStatus == 2)
            #expect(result.ticket.applicant?.phone == "+84905123456")
            let code = result.receipt.code
            try await client.execute(
                uri: "/api/v1/tickets/\(code)/actions/rate", method: .post, headers: bearer(officer), body: json(#"{"rating":"satisfied"}"#)
            ) { response in
                #expect(response.status == .conflict)
                let problem = try #require(response.problem)
                #expect(problem.type == "urn:servicedesk:problem:illegal-transition")
                #expect(response.text.contains(#""state":"queued""#))
                let allowed =
                    #""allowedActions":["claim","request-supplement","withdraw","apologise","note","progress","classify","forward","accept","send-back","redirect","merge","pay","exempt"]"#
                #expect(response.text.contains(allowed))
            }
            try await client.execute(uri: "/api/v1/tickets/\(code)/actions/fly", method: .post, headers: bearer(officer)) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(
                uri: "/api/v1/tickets/\(code)/actions/note", method: .post, headers: bearer(officer),
                body: json(#"{"version":7,"note":"x"}"#)
            ) { response in
                #expect(response.status == .conflict)
                #expect(response.text.contains(#""currentVersion":1"#))
            }
            // The receipt, print-ready: HTML, and as a named file with ?download.
            try await client.execute(uri: "/api/v1/tickets/\(code)/forms/01?download", method: .get, headers: bearer(officer)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.headers[.contentDisposition] == "attachment; filename=\"\(code)-01.html\"")
                #expect(response.text.contains("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ") && response.text.contains("Đặng Văn Nam"))
            }
            for (form, status) in [("04", HTTPResponse.Status.notFound), ("09", .notFound)] {
                try await client.execute(uri: "/api/v1/tickets/\(code)/forms/\(form)", method: .get, headers: bearer(officer)) { response in
                    #expect(response.status == status)
                    #expect(response.headers[.contentType] == "application/problem+json")
                }
            }
            try await client.execute(uri: "/api/v1/tickets/\(code)/due", method: .get, headers: bearer(officer)) { response in
                let explanation = try response.decode(DueExplanation.self)
                #expect(explanation.recomputedDueAt == result.receipt.dueAt)
            }
        }
    }

    @Test(
        "the seal of a printed form is checked without a token against the keys at /.well-known/jwks.json; the book is HTML, CSV or JSON"
    )
    func sealsAndBook() async throws {
        let app = try await TestApp.make()
        let officer = try await app.token(for: .officer)
        let handler = try await app.token(for: .handler)
        try await app.test { client in
            let result = try await client.execute(uri: "/api/v1/tickets", method: .post, headers: bearer(officer), body: json(Self.intake))
            { response in try response.decode(IntakeResult.self) }
            let code = result.receipt.code
            #expect(result.receipt.forms.map(\.href) == ["/api/v1/tickets/\(code)/forms/01", "/api/v1/tickets/\(code)/forms/06"])
            let html = try await client.execute(uri: result.receipt.forms[0].href, method: .get, headers: bearer(officer)) { $0.text }
            let start = try #require(html.range(of: "data-seal=\""))
            let seal = String(html[start.upperBound...].prefix { $0 != "\"" })
            let escaped = try #require(seal.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
            try await client.execute(uri: "/api/v1/public/verify?seal=\(escaped)", method: .get) { response in
                #expect(response.status == .ok)
                let verdict = try response.decode(SealVerdict.self)
                #expect(verdict.genuine && verdict.current && verdict.code == code && verdict.state == .queued)
            }
            try await client.execute(uri: "/api/v1/public/verify?seal=SDV1%7Cnothing", method: .get) { response in
                #expect(response.status == .unprocessableContent && response.text.contains(#""field":"seal""#))
            }
            try await client.execute(uri: "/.well-known/jwks.json", method: .get) { response in
                let keys = try response.decode(PublishedKeys.self).keys
                #expect(keys.count == 1 && keys[0].kty == "OKP" && keys[0].crv == "Ed25519" && seal.contains("|\(keys[0].kid)|"))
            }
            // Rotation is the admin's; the officer is refused.
            try await client.execute(uri: "/api/v1/centre/signing-key/rotate", method: .post, headers: bearer(officer)) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/centre/signing-key/rotate", method: .post, headers: bearer(app.adminToken)) { response in
                let keys = try response.decode(PublishedKeys.self).keys
                #expect(keys.count == 2)
            }
            // The example's birth registration is in the Hộ tịch field's book.
            let field = "H%E1%BB%99%20t%E1%BB%8Bch"
            try await client.execute(uri: "/api/v1/tracking-books?year=2026", method: .get, headers: bearer(officer)) { response in
                let books = try response.decode([TrackingBook].self)
                #expect(books.map(\.field) == ["Hộ tịch"] && books.first?.entries == 1)
            }
            try await client.execute(uri: "/api/v1/tracking-book?year=2026&field=\(field)", method: .get, headers: bearer(officer)) {
                response in
                #expect(response.headers[.contentType] == "text/html; charset=utf-8" && response.text.contains("SỔ THEO DÕI HỒ SƠ"))
                #expect(response.text.contains(code) && response.text.contains("Đặng Văn Nam"))
            }
            var csv = bearer(officer)
            csv[.accept] = "text/csv"
            try await client.execute(uri: "/api/v1/tracking-book?year=2026&field=\(field)", method: .get, headers: csv) {
                response in
                #expect(response.headers[.contentType] == "text/csv; charset=utf-8" && response.text.contains("entry,code,service"))
            }
            for (uri, status) in [
                ("/api/v1/tracking-book?year=2025&field=\(field)", HTTPResponse.Status.notFound),
                ("/api/v1/tracking-book?year=26", .unprocessableContent), ("/api/v1/tracking-books?year=", .unprocessableContent),
            ] {
                try await client.execute(uri: uri, method: .get, headers: bearer(officer)) { response in
                    #expect(response.status == status, "\(uri)")
                }
            }
            try await client.execute(uri: "/api/v1/tracking-books", method: .get, headers: bearer(handler)) { response in
                #expect(response.status == .forbidden)
            }
        }
    }

    @Test("invalid applicants are 422 naming each field; nothing is stored")
    func badApplicant() async throws {
        let app = try await TestApp.make()
        let body = #"{"service":"1.001193","applicant":{"name":"A","idNumber":"123","phone":"0123"},"priority":"priority"}"#
        try await app.test { client in
            try await client.execute(uri: "/api/v1/tickets", method: .post, headers: bearer(app.adminToken), body: json(body)) { response in
                #expect(response.status == .unprocessableContent)
                #expect(Set(response.problem?.errors?.map(\.field) ?? []) == ["applicant.idNumber", "applicant.phone", "priorityReason"])
            }
            try await client.execute(
                uri: "/api/v1/tickets", method: .post, headers: bearer(app.adminToken),
                body: json(#"{"service":"none","applicant":{"name":"A"}}"#)
            ) { response in
                #expect(response.status == .notFound)
            }
        }
        let admin = try await app.database.staff("admin")
        #expect(try await app.database.tickets(TicketQuery(), page: try PageRequest(), viewer: admin).items.isEmpty)
    }

    @Test("a retried intake with the same Idempotency-Key creates one ticket")
    func idempotentIntake() async throws {
        let app = try await TestApp.make()
        let officer = try await app.token(for: .officer)
        try await app.test { client in
            var codes: [String] = []
            for _ in 0..<3 {
                try await client.execute(
                    uri: "/api/v1/tickets", method: .post, headers: bearer(officer, idempotencyKey: "intake-42"), body: json(Self.intake)
                ) { response in
                    #expect(response.status == .created)
                    codes.append(try response.decode(IntakeResult.self).receipt.code)
                }
            }
            #expect(Set(codes).count == 1)
        }
        let admin = try await app.database.staff("admin")
        #expect(try await app.database.tickets(TicketQuery(), page: try PageRequest(), viewer: admin).items.count == 1)
    }

    @Test("who may act: kiosks and displays 403, a handler of another department 404, the queue's next goes to its handler")
    func roles() async throws {
        let app = try await TestApp.make()
        let officer = try await app.token(for: .officer)
        let kiosk = try await app.token(for: .kiosk)
        let display = try await app.token(for: .display)
        let otherHandler = try await app.database.createToken(for: "mai.dd", label: nil, actor: "admin").token
        let handler = try await app.database.createToken(for: "hung.tp", label: nil, actor: "admin").token
        let code = try await app.test2 { client in
            try await client.execute(
                uri: "/api/v1/tickets", method: .post, headers: bearer(officer),
                body: json(#"{"service":"2.000815","applicant":{"name":"B"}}"#)
            ) { try $0.decode(IntakeResult.self).receipt.code }
        }
        try await app.test { client in
            for token in [kiosk, display] {
                try await client.execute(uri: "/api/v1/tickets", method: .post, headers: bearer(token), body: json(Self.intake)) {
                    #expect($0.status == .forbidden)
                }
                try await client.execute(uri: "/api/v1/tickets/\(code)", method: .get, headers: bearer(token)) {
                    #expect($0.status == .forbidden)
                }
            }
            try await client.execute(uri: "/api/v1/tickets/\(code)", method: .get, headers: bearer(otherHandler)) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: "/api/v1/departments/tu-phap/queue/next", method: .post, headers: bearer(otherHandler)) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/departments/tu-phap/queue", method: .get, headers: bearer(handler)) { response in
                let decoded = try response.decode([TicketView].self)
                #expect(decoded.map(\.ticket.code) == [code])
            }
            try await client.execute(uri: "/api/v1/departments/tu-phap/queue/next", method: .post, headers: bearer(handler)) { response in
                #expect(response.status == .ok)
                let decoded = try response.decode(TicketView.self)
                #expect(decoded.ticket.holder == "hung.tp")
            }
            try await client.execute(uri: "/api/v1/departments/tu-phap/queue/next", method: .post, headers: bearer(handler)) {
                #expect($0.status == .noContent)
            }
            try await client.execute(uri: "/api/v1/tickets?q=b&status=in-progress", method: .get, headers: bearer(handler)) { response in
                let decoded = try response.decode(Page<TicketView>.self)
                #expect(decoded.items.count == 1)
            }
            try await client.execute(uri: "/api/v1/tickets?status=flying", method: .get, headers: bearer(handler)) {
                #expect($0.status == .unprocessableContent)
            }
        }
    }

    @Test("the public lookup: right phone gives the status without personal data, a wrong phone is 404, and it is rate-limited")
    func publicLookup() async throws {
        var app = try await TestApp.make()
        app.configuration.publicLookupLimit = 5
        let officer = try await app.token(for: .officer)
        let code = try await app.test2 { client in
            try await client.execute(uri: "/api/v1/tickets", method: .post, headers: bearer(officer), body: json(Self.intake)) {
                try $0.decode(IntakeResult.self).receipt.code
            }
        }
        try await app.test { client in
            try await client.execute(uri: "/api/v1/public/tickets/\(code)?phone=0905123456", method: .get) { response in
                #expect(response.status == .ok)
                #expect(!response.text.contains("Nam") && !response.text.contains("0905") && !response.text.contains("048200001234"))
            }
            let wrong = try await client.execute(uri: "/api/v1/public/tickets/\(code)?phone=0905000000", method: .get) { $0 }
            let unknown = try await client.execute(uri: "/api/v1/public/tickets/000.00.00.H00-000000-0001?phone=0905123456", method: .get) {
                $0
            }
            #expect(wrong.status == .notFound && unknown.status == .notFound)
            #expect(
                wrong.problem?.detail.replacingOccurrences(of: code, with: "X")
                    == unknown.problem?.detail.replacingOccurrences(of: "000.00.00.H00-000000-0001", with: "X"))
            for _ in 0..<3 { try await client.execute(uri: "/api/v1/public/tickets/\(code)?phone=0905123456", method: .get) { _ in } }
            try await client.execute(uri: "/api/v1/public/tickets/\(code)?phone=0905123456", method: .get) { response in
                #expect(response.status == .tooManyRequests)
            }
        }
    }
}

@Suite("Reports over HTTP")
struct ReportHTTPTests {
    @Test("JSON by default, CSV on request; supervisors only; a bad period is 422, an unknown report 404")
    func reports() async throws {
        let app = try await TestApp.make()
        let officer = try await app.token(for: .officer)
        let supervisor = try await app.token(for: .supervisor)
        try await app.test { client in
            try await client.execute(uri: "/api/v1/tickets", method: .post, headers: bearer(officer), body: json(TicketHTTPTests.intake)) {
                _ in
            }
            try await client.execute(uri: "/api/v1/reports/progress?period=2026&by=service", method: .get, headers: bearer(supervisor)) {
                response in
                #expect(response.status == .ok)
                let table = try response.decode(ReportTable.self)
                #expect(table.columns.first == "group" && table.rows.first?["received"] == .int(1))
            }
            var headers = bearer(supervisor)
            headers[.accept] = "text/csv"
            try await client.execute(uri: "/api/v1/reports/backlog", method: .get, headers: headers) { response in
                #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
                // The group's Vietnamese name beside its code.
                #expect(response.text.hasPrefix("\u{FEFF}group,name,open,"), "\(response.text)")
                #expect(response.text.contains("mot-cua,Bộ phận Một cửa (tiếp nhận và trả kết quả),1,"), "\(response.text)")
            }
            try await client.execute(uri: "/api/v1/reports/progress", method: .get, headers: bearer(officer)) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/reports/progress?period=2026-13", method: .get, headers: bearer(supervisor)) {
                response in
                #expect(response.status == .unprocessableContent && response.problem?.errors?.first?.field == "period")
            }
            try await client.execute(uri: "/api/v1/reports/nothing?period=2026", method: .get, headers: bearer(supervisor)) {
                #expect($0.status == .notFound)
            }
            // exact=true reads the rows instead of the day rollups: the same table; anything but a boolean is a 422.
            var tables: [ReportTable] = []
            for exact in ["", "&exact=true", "&exact=false"] {
                try await client.execute(
                    uri: "/api/v1/reports/handling-times?period=2026&by=department\(exact)", method: .get, headers: bearer(supervisor)
                ) { response in
                    #expect(response.status == .ok)
                    tables.append(try response.decode(ReportTable.self))
                }
            }
            #expect(tables.count == 3 && tables.allSatisfy { $0 == tables[0] })
            try await client.execute(uri: "/api/v1/reports/handling-times?period=2026&exact=yes", method: .get, headers: bearer(supervisor))
            {
                response in
                #expect(response.status == .unprocessableContent && response.problem?.errors?.first?.field == "exact")
            }
        }
    }
}

@Suite("Ticket metrics")
struct TicketMetricsTests {
    @Test("an operator may put /metrics behind a token; the gauges are read at most once per interval")
    func guarded() async throws {
        var setUp = try await TestApp.make()
        setUp.configuration.metricsToken = "scrape-secret"
        setUp.configuration.metricsRefresh = .seconds(3600)
        let app = setUp
        try await app.test { client in
            for headers in [HTTPFields(), bearer("wrong"), bearer(app.adminToken)] {
                try await client.execute(uri: "/metrics", method: .get, headers: headers) { #expect($0.status == .unauthorized) }
            }
            try await client.execute(uri: "/metrics", method: .get, headers: bearer("scrape-secret")) { response in
                #expect(response.status == .ok && !response.text.contains(#"desk_tickets{state="queued""#))
            }
            try await client.execute(
                uri: "/api/v1/tickets", method: .post, headers: bearer(app.adminToken), body: json(TicketHTTPTests.intake)
            ) { #expect($0.status == .created) }
            // Within the interval the gauges are those of the last read; the counters move at once.
            try await client.execute(uri: "/metrics", method: .get, headers: bearer("scrape-secret")) { response in
                #expect(!response.text.contains(#"desk_tickets{state="queued""#))
                #expect(response.text.contains(#"desk_ticket_actions_total{action="intake"} 1"#))
            }
        }
    }

    @Test("/metrics shows the single writer's transactions, writes and busy time, counting each write once")
    func writer() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            func scrape() async throws -> [String: Double] {
                try await client.execute(uri: "/metrics", method: .get) { response in
                    var values: [String: Double] = [:]
                    for line in response.text.split(separator: "\n") where line.hasPrefix("desk_write") {
                        let parts = line.split(separator: " ")
                        values[String(parts[0])] = Double(parts[1])
                    }
                    return values
                }
            }
            let before = try await scrape()
            for _ in 0..<3 {
                try await client.execute(
                    uri: "/api/v1/tickets", method: .post, headers: bearer(app.adminToken), body: json(TicketHTTPTests.intake)
                ) { #expect($0.status == .created) }
            }
            let after = try await scrape()
            #expect(after["desk_writes_total"]! - before["desk_writes_total"]! == 3, "\(after)")
            #expect(after["desk_write_transactions_total"]! - before["desk_write_transactions_total"]! >= 1)
            #expect(after["desk_write_transactions_total"]! - before["desk_write_transactions_total"]! <= 3)
            #expect(after[#"desk_writer_busy_seconds_total{phase="run"}"#]! > before[#"desk_writer_busy_seconds_total{phase="run"}"#] ?? 0)
            #expect(after[#"desk_writer_busy_seconds_total{phase="commit"}"#]! > 0)
            #expect(after["desk_writer_cpu_seconds_total"]! > 0)
            // Each transaction's COMMIT timed: as many as the transactions that committed between
            // the two scrapes, each in one bucket and all in +Inf, the buckets cumulative, the sum
            // within the commit phase.
            let commits = after["desk_writer_commit_seconds_count"] ?? 0
            func grew(_ name: String) -> Double { (after[name] ?? 0) - (before[name] ?? 0) }
            #expect(grew("desk_writer_commit_seconds_count") >= 1)
            #expect(after["desk_write_transactions_redone_total"] == 0, "no write failed after changing rows")
            #expect(
                grew("desk_writer_commit_seconds_count")
                    == grew("desk_write_transactions_total") - grew("desk_write_transactions_failed_total"))
            #expect(after[#"desk_writer_commit_seconds_bucket{le="+Inf"}"#] == commits)
            func seconds(_ bound: Duration) -> Double { Double(bound.components.seconds) + Double(bound.components.attoseconds) / 1e18 }
            let buckets = DeskMetrics.commitBuckets.map { after[#"desk_writer_commit_seconds_bucket{le="\#(seconds($0))"}"#] }
            #expect(buckets.allSatisfy { $0 != nil }, "\(after.keys.sorted())")
            #expect(zip(buckets, buckets.dropFirst()).allSatisfy { $0! <= $1! })
            #expect(after["desk_writer_commit_seconds_sum"]! > 0)
            #expect(after["desk_writer_commit_seconds_sum"]! <= after[#"desk_writer_busy_seconds_total{phase="commit"}"#]!)
        }
    }

    @Test("/metrics counts tickets by state and department and actions by kind; an emptied combination drops to 0")
    func metrics() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let code = try await client.execute(
                uri: "/api/v1/tickets", method: .post, headers: bearer(app.adminToken), body: json(TicketHTTPTests.intake)
            ) {
                try $0.decode(IntakeResult.self).receipt.code
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.text.contains(#"desk_tickets{state="queued",department="mot-cua"} 1"#), "\(response.text)")
                #expect(response.text.contains(#"desk_ticket_actions_total{action="intake"} 1"#))
            }
            try await client.execute(uri: "/api/v1/tickets/\(code)/actions/claim", method: .post, headers: bearer(app.adminToken)) { _ in }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.text.contains(#"desk_tickets{state="queued",department="mot-cua"} 0"#))
                #expect(response.text.contains(#"desk_tickets{state="in-progress",department="mot-cua"} 1"#))
                #expect(response.text.contains(#"desk_ticket_actions_total{action="claim"} 1"#))
            }
            // The hall: a waiting number, then a call.
            try await client.execute(
                uri: "/api/v1/counters", method: .post, headers: bearer(app.adminToken),
                body: json(#"{"number":1,"name":"Q1","services":["1.001193"]}"#)
            ) { _ in }
            try await client.execute(
                uri: "/api/v1/counters/1", method: .patch, headers: bearer(app.adminToken), body: json(#"{"open":true}"#)
            ) { _ in }
            try await client.execute(
                uri: "/api/v1/queue-numbers", method: .post, headers: bearer(app.adminToken), body: json(#"{"service":"1.001193"}"#)
            ) { _ in }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.text.contains(#"desk_queue_waiting{service="1.001193"} 1"#), "\(response.text)")
            }
            try await client.execute(uri: "/api/v1/counters/1/call-next", method: .post, headers: bearer(app.adminToken)) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.text.contains(#"desk_queue_waiting{service="1.001193"} 0"#))
                #expect(response.text.contains(#"desk_hall_calls_total{kind="call"} 1"#))
            }
        }
    }
}

extension TestApp {
    /// Runs one request batch and returns a value (a fresh router each time shares the database).
    func test2<Value: Sendable>(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        try await application.test(.router) { client in try await body(client) }
    }
}
