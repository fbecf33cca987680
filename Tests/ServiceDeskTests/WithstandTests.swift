import Foundation
import GRDB
import Testing

@testable import ServiceDesk

/// Numbers from outside are bounded, sums are checked, nullable columns read as optionals, and
/// the Open311 channel is Open311's alone (SPEC §8).
@Suite("Withstand: huge numbers, old rows, borrowed channels")
struct WithstandTests {
    @Test("a charge amount over 10^12 VND, or below zero, is a 422 naming the line; nothing is stored")
    func chargeBounds() async throws {
        let centre = try await Centre2026()
        for amount in [1_000_000_000_001, Int.max, -1] {
            let draft = ServiceDraft(
                code: "X-\(abs(amount % 1000))", name: "Thử", kind: "procedure", timeLimit: "1 d",
                route: [RouteStepDraft(department: "mot-cua")],
                charges: [ChargeDraft(kind: "le-phi", amount: amount)])
            await #expect(throws: DeskError.self) { try await centre.database.createService(draft, actor: "admin") }
        }
        let ok = ServiceDraft(
            code: "X-MAX", name: "Thử", kind: "procedure", timeLimit: "1 d", route: [RouteStepDraft(department: "mot-cua")],
            charges: [ChargeDraft(kind: "le-phi", amount: Charge.maxAmount)])
        #expect(try await centre.database.createService(ok, actor: "admin").charges.first?.amount == Charge.maxAmount)
    }

    @Test("a catalogue amount stored before the bound makes an intake a clear conflict, not a crash; nothing is stored")
    func storedHugeAmount() async throws {
        let centre = try await Centre2026()
        try await centre.database.write { db in
            for position in [8, 9] {
                try db.execute(
                    sql:
                        "INSERT INTO service_charge (service, position, kind, amount, remittance) VALUES ('1.001193', ?, 'le-phi', ?, 'budget')",
                    arguments: [position, Int.max])
            }
        }
        let before = try await centre.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM ticket") }
        await #expect(throws: DeskError.self) { try await centre.intake("1.001193") }
        let after = try await centre.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM ticket") }
        #expect(before == after)
    }

    @Test(
        "revenue totals that would overflow are a clear conflict, not a crash, whether the day rollups were counted before or after; payments are still recorded"
    )
    func revenueOverflow() async throws {
        for builtFirst in [false, true] {
            let centre = try await Centre2026()
            if builtFirst { _ = try await centre.database.prepareReportRollups() }
            let first = try await centre.intake("1.001193").receipt.code
            let second = try await centre.intake("1.001193").receipt.code
            do {
                try await centre.database.write { db in
                    try db.execute(
                        sql: "UPDATE ticket SET charge_lines = 1, charge_le_phi = ? WHERE code IN (?, ?)",
                        arguments: [Int.max / 2 + 1, first, second])
                    // Payments stored before the bounds: recording them sums them for the rollups.
                    for code in [first, second] {
                        try db.execute(
                            sql:
                                "INSERT INTO payment (ticket, line, kind, amount, method, at, collected_by) VALUES (?, 0, 'paid', ?, 'cash', 0, 'x')",
                            arguments: [code, Int.max / 2 + 1])
                    }
                }
            } catch let error as DeskError where TestStore.onPostgres && builtFirst {
                // On PostgreSQL the rollups' sums are bigint columns their triggers keep: a payment
                // whose sum no longer fits is refused at the write, as a clear conflict, and nothing
                // changes (SQLite's triggers keep such a sum as a REAL, refused by the report).
                #expect(error.summary.contains("out of the range"), "\(error)")
                continue
            }
            for exact in [false, true] {
                var request = ReportRequest(period: ReportPeriod(period: "2026"))
                request.exact = exact
                await #expect(throws: DeskError.self, "rollups built first: \(builtFirst), exact: \(exact)") {
                    try await centre.database.report(.revenue, request)
                }
            }
        }
    }

    @Test("handling-times reads a duration an older migration left empty instead of dying")
    func nullDurations() async throws {
        let centre = try await Centre2026()
        let code = try await centre.intake("HD-TTHC").receipt.code
        try await centre.act(.claim, code, by: "hoa.pa")
        try await centre.act(.resolve, code, by: "hoa.pa", ActionRequest(outcome: "answered"))
        try await centre.database.write { db in
            try db.execute(sql: "UPDATE ticket SET handling_calendar_minutes = NULL WHERE code = ?", arguments: [code])
        }
        let table = try await centre.database.report(.handlingTimes, ReportRequest(period: ReportPeriod(period: "2026")))
        #expect(table.rows.first?["resolved"] == .int(1))
    }

    @Test("hall settings are bounded; the estimated wait cannot overflow on a setting stored before the bound")
    func hallBounds() async throws {
        let centre = try await Centre2026()
        for minutes in [0, 1441, Int.max] {
            let settings = HallSettings(defaultServiceMinutes: minutes, priorityReasons: ["người cao tuổi"])
            await #expect(throws: DeskError.self) { try await centre.database.updateHallSettings(settings, actor: "admin") }
        }
        #expect(Hall.estimatedWait(ahead: 1_000, openCounters: 1, recentServiceSeconds: [], defaultMinutes: Int.max) == 1_000 * 1440)
    }

    @Test("the open311 channel is Open311's alone; an integration files online channels, by default web")
    func channels() async throws {
        let centre = try await Centre2026()
        let integration = try await centre.staff("cong.tt")
        let officer = try await centre.staff("lan.mc")
        func intake(_ channel: String?, by actor: Staff) async throws -> Ticket.Channel {
            let request = IntakeRequest(service: "PA-HATANG", channel: channel, applicant: ApplicantDraft(name: "Lê Văn Tám"))
            guard case .created(let result, _) = try await centre.database.intake(request, actor: actor) else {
                throw DeskError.conflict("replayed")
            }
            return result.ticket.ticket.channel
        }
        await #expect(throws: DeskError.self) { try await intake("open311", by: integration) }
        await #expect(throws: DeskError.self) { try await intake("open311", by: officer) }
        await #expect(throws: DeskError.self) { try await intake("counter", by: integration) }
        #expect(try await intake(nil, by: integration) == .web)
        #expect(try await intake("mobile", by: integration) == .mobile)
        #expect(try await intake(nil, by: officer) == .counter)
        #expect(try await intake("hotline", by: officer) == .hotline)
        // Nothing reached the public Open311 feed.
        let feed = try await centre.database.open311Requests(
            Open311Search(ids: nil, serviceCodes: nil, statuses: nil, start: .distantPast, end: .distantFuture))
        #expect(feed.requests.isEmpty)
    }

    @Test("documents may leave out copies and original: one copy, not an original")
    func documentDefaults() throws {
        let document = try APIJSON.decoder.decode(Document.self, from: Data(#"{"name":"Tờ khai"}"#.utf8))
        #expect(document == Document(name: "Tờ khai", copies: 1, original: false))
    }
}

@Suite("Contract: what the document promises")
struct ContractDriftTests {
    @Test("a counter created with open: true is open; left out, closed")
    func counterCreatedOpen() async throws {
        let centre = try await Centre2026()
        _ = try await centre.database.createCounter(
            CounterDraft(number: 7, name: "Quầy 7", services: ["1.001193"], open: true), actor: "admin")
        _ = try await centre.database.createCounter(CounterDraft(number: 8, name: "Quầy 8", services: ["1.001193"]), actor: "admin")
        let counters = try await centre.database.counters()
        #expect(counters.first { $0.number == 7 }?.open == true && counters.first { $0.number == 8 }?.open == false)
    }

    @Test("progress over a period with no tickets is one row of zeros, not nothing")
    func emptyProgress() async throws {
        let centre = try await Centre2026()
        let table = try await centre.database.report(.progress, ReportRequest(period: ReportPeriod(period: "2025-03")))
        #expect(table.rows.count == 1 && table.rows.first?["received"] == .int(0) && table.rows.first?["onTimeRate"] == .null)
    }
}

@Suite("Schema: only the migrator migrates")
struct SchemaPolicyTests {
    @Test("a database lacking a migration is refused by the local commands' policy; one from a newer version by every policy")
    func policies() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("schema-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        try AppDatabase.open(path: path).close()
        // Pretend the last migration is pending: the local commands refuse, naming db migrate, and change nothing.
        let last = try #require(Schema.migrations.last?.name)
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = ?", arguments: [last])
        }
        #expect(throws: DeskError.conflict("the database lacks schema \(last); run deskcli db migrate first (nothing was changed)")) {
            try AppDatabase.open(path: path, schema: .requireCurrent)
        }
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?), ('9999_future')", arguments: [last])
        }
        // Written by a newer version: refused, even by the migrator; a backup still reads it.
        for policy in [AppDatabase.SchemaPolicy.migrate, .requireCurrent] {
            #expect(throws: DeskError.self) { try AppDatabase.open(path: path, schema: policy) }
        }
        try AppDatabase.open(path: path, schema: .untouched).close()
    }
}

@Suite("Outputs that cannot be turned against their reader")
struct OutputTests {
    @Test("a CSV text cell that a spreadsheet would run as a formula starts with an apostrophe; numbers stay numbers")
    func csvFormulas() {
        let table = ReportTable(
            report: "progress", period: nil, groupBy: "staff", columns: ["group", "received"],
            rows: [["group": .text("=HYPERLINK(\"http://x\")"), "received": .int(-5)], ["group": .text("@SUM(A1)"), "received": .int(1)]])
        let csv = table.csv()
        #expect(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\",-5\r\n"))
        #expect(csv.contains("'@SUM(A1),1\r\n"))
    }

    @Test("a ticket's trail is whole, past a thousand events")
    func longTrail() async throws {
        let centre = try await Centre2026()
        let code = try await centre.intake("HD-TTHC").receipt.code
        for index in 0..<1_005 { try await centre.act(.note, code, by: "lan.mc", ActionRequest(note: "gọi lần \(index)")) }
        let events = try await centre.database.ticketEvents(code, viewer: try await centre.staff("admin"))
        #expect(events.count == 1_006 && events.last?.detail["note"] == "gọi lần 1004")
    }
}

@Suite("Audit anchors: what the chain alone cannot prove")
struct AuditAnchorTests {
    @Test(
        "a deleted tail and a chain rewritten from some point on pass the chain check alone, and fail against a kept anchor",
        .disabled(if: TestStore.onPostgres, "drops SQLite's triggers; PostgresTests.chain does it on the server"))
    func anchors() async throws {
        let centre = try await Centre2026()
        let code = try await centre.intake("HD-TTHC").receipt.code
        let anchor = try #require(try centre.database.chainAnchor())
        #expect(ChainAnchor.parse(anchor.line + "\n# comment\n") == [anchor])
        try await centre.act(.note, code, by: "lan.mc", ActionRequest(note: "sau mốc"))
        #expect(try centre.database.verifyEventChain(anchors: [anchor]).intact)

        // Someone with the file cuts the tail, anchored event included: the chain still links.
        try await centre.database.writer.write { db in
            try db.execute(sql: "DROP TRIGGER event_no_delete")
            try db.execute(sql: "DELETE FROM event_note WHERE event_id >= ?", arguments: [anchor.eventId])
            try db.execute(sql: "DELETE FROM document_number WHERE event_id >= ?", arguments: [anchor.eventId])
            try db.execute(sql: "DELETE FROM book_entry WHERE event_id >= ?", arguments: [anchor.eventId])
            try db.execute(sql: "DELETE FROM event WHERE id >= ?", arguments: [anchor.eventId])
        }
        #expect(try centre.database.verifyEventChain().intact)
        let cut = try centre.database.verifyEventChain(anchors: [anchor])
        #expect(!cut.intact && cut.reason?.contains("no longer in the chain") == true)
    }

    @Test(
        "an anchored event rewritten with every later hash recomputed is found",
        .disabled(if: TestStore.onPostgres, "drops SQLite's triggers; PostgresTests.chain does it on the server"))
    func rewritten() async throws {
        let centre = try await Centre2026()
        _ = try await centre.intake("HD-TTHC")
        let anchor = try #require(try centre.database.chainAnchor())
        try await centre.database.writer.write { db in
            try db.execute(sql: "DROP TRIGGER event_no_update")
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM event WHERE id >= ? ORDER BY id", arguments: [anchor.eventId])
            var previous: String = try String.fetchOne(db, sql: "SELECT prev_hash FROM event WHERE id = ?", arguments: [anchor.eventId])!
            for row in rows {
                let id: Int64 = row["id"]
                let actor = id == anchor.eventId ? "someone-else" : row["actor"] as String
                let hash = EventLog.chainHash(
                    previous: previous, at: row["at"], actor: actor, action: row["action"], entity: row["entity"],
                    entityId: row["entity_id"], detail: row["detail"])
                try db.execute(
                    sql: "UPDATE event SET actor = ?, prev_hash = ?, hash = ? WHERE id = ?", arguments: [actor, previous, hash, id])
                previous = hash
            }
        }
        #expect(try centre.database.verifyEventChain().intact)
        #expect(!(try centre.database.verifyEventChain(anchors: [anchor]).intact))
    }

    @Test("free text lives beside the chain, not in it: the detail holds its digest, and an altered note fails the check")
    func notesBesideTheChain() async throws {
        let centre = try await Centre2026()
        let code = try await centre.intake("HD-TTHC").receipt.code
        try await centre.act(.note, code, by: "lan.mc", ActionRequest(note: "chị Hoa gọi lại lúc 9 giờ"))
        let stored = try await centre.database.read { db in
            try Row.fetchOne(
                db, sql: "SELECT e.id, e.detail FROM event e WHERE e.action = 'ticket.note' AND e.entity_id = ?", arguments: [code]
            ).map { ($0["id"] as Int64, $0["detail"] as String) }
        }
        let (id, detail) = try #require(stored)
        #expect(!detail.contains("Hoa") && detail.contains("\"notes\""))
        #expect(try centre.database.verifyEventChain().intact)
        try await centre.database.write { db in
            try db.execute(sql: "UPDATE event_note SET texts = ? WHERE event_id = ?", arguments: [#"{"note":"chị Hoa không gọi"}"#, id])
        }
        let verification = try centre.database.verifyEventChain()
        #expect(!verification.intact && verification.brokenAt == id && verification.reason?.contains("notes") == true)
    }
}

@Suite("Privacy purge: gone from the file, not only from the rows")
struct PurgeFileTests {
    @Test("after a purge the applicant's name, phone, free text and documents are nowhere in the database file or its WAL")
    func nothingLeft() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("purge-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let clock = TestClock("2020-03-02 09:00")
        let database = try AppDatabase.open(path: path, clock: { clock.now })
        _ = try database.bootstrap()
        _ = try await Demo.load(into: database, actor: "admin")
        let officer = try await database.staff("lan.mc")
        let request = IntakeRequest(
            service: "HD-TTHC",
            applicant: ApplicantDraft(name: "Quỳnh Zyxwvut", phone: "0912345678", address: "Ngõ Qwertyuiop"),
            description: "Hỏi giúp Quỳnh Zyxwvut", documents: [Document(name: "Đơn của Qwertyuiop")],
            priority: "priority", priorityReason: "Zyxwvut cao tuổi")
        guard
            case .created(let result, _) = try await database.intake(
                request, actor: officer, idempotency: IdempotencyContext(key: "k", fingerprint: "f"))
        else { throw DeskError.conflict("replayed") }
        let code = result.receipt.code
        // A note typed by staff names the citizen: the trail shows it until the purge.
        _ = try await database.perform(.withdraw, on: code, ActionRequest(note: "anh Zyxwvut rút hồ sơ"), actor: officer)
        let admin = try await database.staff("admin")
        #expect(try await database.ticketEvents(code, viewer: admin).last?.detail["note"] == "anh Zyxwvut rút hồ sơ")
        clock.set("2026-11-30 09:00")
        let report = try await database.purgePersonalData(closedBefore: TestClock.parse("2025-11-30 00:00"), dryRun: false, actor: "admin")
        #expect(report.applicants == 1)
        // The event stays, with its digest; the text is gone, and the chain still verifies.
        let withdrawn = try #require(try await database.ticketEvents(code, viewer: admin).last)
        #expect(withdrawn.action == "ticket.withdraw" && withdrawn.detail["note"] == nil && withdrawn.detail["notes"] == "[erased]")
        #expect(try database.verifyEventChain().intact)
        try database.close()
        var bytes = Data()
        for suffix in ["", "-wal"] { bytes.append((try? Data(contentsOf: URL(fileURLWithPath: path + suffix))) ?? Data()) }
        for secret in ["Zyxwvut", "zyxwvut", "Qwertyuiop", "qwertyuiop", "912345678"] {
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) is still in the file")
        }
    }
}
