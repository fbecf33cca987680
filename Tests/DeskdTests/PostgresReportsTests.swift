import Foundation
import GRDB
import Testing

@testable import ServiceDesk

/// The answers that read many rows — every report, the tickets' text search and filters — given
/// alike by a centre on its file and the same centre copied to PostgreSQL (issue 18).
@Suite("PostgreSQL: reports and search answer as on the file")
struct PostgresReportsTests {
    @Test(
        "every report, every grouping, with and without exact, over a period the rollups cover and one they do not: the same table on both engines; search and filters find the same tickets",
        .enabled(if: PostgresServer.enabled))
    func reportsAlike() async throws {
        let server = try await PostgresServer.start()
        defer { server.stop() }
        let scratch = try Scratch()
        let seeded = try await PostgresTests.centre(at: scratch.path("desk.sqlite"), tickets: 1200)
        // Dossiers taken at the counter: the seeded history has no search words, these do.
        let officer = try await seeded.staff("lan.mc")
        var taken: [String] = []
        for (index, name) in ["Nguyễn Văn An", "Đặng Thị Hoa", "Trần Thị Bích", "Lê Văn Nguyên", "Phạm Đức Trí"].enumerated() {
            let request = IntakeRequest(
                service: "1.004227",
                applicant: ApplicantDraft(name: name, idNumber: "07919000123\(index)", phone: "0912345678", address: "12 Lê Lợi"),
                description: "Hồ sơ đất đai số \(index), thửa đất tại phường Bến Nghé",
                documents: [Document(name: "Tờ khai", copies: 1, original: true)])
            guard case .created(let result, _) = try await seeded.intake(request, actor: officer) else {
                throw DeskError.conflict("replayed")
            }
            taken.append(result.receipt.code)
        }
        // Words apart by what is not ASCII: a no-break space and a bullet (text pasted from elsewhere).
        let pasted = IntakeRequest(
            service: "1.004227",
            applicant: ApplicantDraft(
                name: "Võ\u{00A0}Thị•Sáu", idNumber: "079190001239", phone: "0912345678", address: "Khu\u{00A0}phố•Bảy"),
            description: "Đường\u{00A0}số•Chín", documents: [Document(name: "Tờ khai", copies: 1, original: true)])
        guard case .created(let pastedResult, _) = try await seeded.intake(pasted, actor: officer) else {
            throw DeskError.conflict("replayed")
        }
        let url = try await server.createDatabase()
        let store = try await PostgresStore.connect(try PostgresLocation(url: url))
        try await store.migrate()
        #expect(try await store.copy(from: seeded).rollups == .compared)
        await store.close()
        try seeded.close()

        // Both at one fixed moment: a report of the present (backlog, ages) must not differ by the
        // seconds between two reads.
        let moment = Date(timeIntervalSince1970: 1_793_844_000)  // 2026-11-05 09:00 in Hà Nội, after the seeded history
        let file = try AppDatabase.open(path: scratch.path("desk.sqlite"), schema: .migrate, clock: { moment })
        let postgres = try await AppDatabase.connect(postgres: url, clock: { moment }, patience: .seconds(60))
        defer {
            _ = try? file.close()
            _ = try? postgres.close()
        }

        let periods = [
            ReportPeriod(from: LocalDate("2026-09-01")!, to: LocalDate("2026-10-31")!),  // whole days the rollups hold
            ReportPeriod(from: LocalDate("2026-10-20")!, to: LocalDate("2026-11-05")!),  // reaching today: rows beside rollups
        ]
        var compared = 0
        var withRows = 0
        var refusedAlike = 0
        for name in AppDatabase.ReportName.allCases {
            for period in periods {
                for grouping in ReportGrouping.allCases {
                    for exact in [false, true] {
                        let request = ReportRequest(period: period, groupBy: grouping, exact: exact)
                        let onFile = await Self.outcome { try await file.report(name, request) }
                        let onServer = await Self.outcome { try await postgres.report(name, request) }
                        let what = "\(name.rawValue) \(period) groupBy=\(grouping.rawValue) exact=\(exact)"
                        switch (onFile, onServer) {
                        case (.success(let a), .success(let b)):
                            #expect(a == b, "\(what)\nfile:     \(a.rows.prefix(3))\npostgres: \(b.rows.prefix(3))")
                            compared += 1
                            if !a.rows.isEmpty { withRows += 1 }
                        case (.failure(let a), .failure(let b)):
                            #expect("\(a)" == "\(b)", "\(what)")
                            #expect(a is DeskError, "\(what): \(a)")
                            refusedAlike += 1
                        case (.success, .failure(let error)):
                            Issue.record("\(what): the file answers, PostgreSQL fails: \(error)")
                        case (.failure(let error), .success):
                            Issue.record("\(what): PostgreSQL answers, the file fails: \(error)")
                        }
                    }
                }
            }
        }
        // Not a comparison of empty tables: most combinations answer, with rows.
        #expect(compared > 150 && withRows > 120, "compared \(compared), with rows \(withRows), refused \(refusedAlike)")

        // The tickets' list: text search (folded, prefixes, a piece of a dossier code) and filters.
        let admin = try await file.staff("admin")
        let code = taken[3]
        var searches: [TicketQuery] = []
        var texts = ["nguyen", "Nguyễn Văn", "đặng", "tran th", "dat ben nghe", String(code.suffix(4)), code, "nothing-like-this", "!!"]
        texts += ["0791900012", "Lê Lợi", "pho bay", "so chin", "thi sau"]
        for text in texts {
            var query = TicketQuery()
            query.text = text
            searches.append(query)
        }
        for (overdue, atRisk) in [(true, nil), (false, nil), (nil, true), (nil as Bool?, false as Bool?)] {
            var query = TicketQuery()
            query.overdue = overdue
            query.atRisk = atRisk
            searches.append(query)
        }
        var found = 0
        for query in searches {
            let page = try PageRequest(limit: 200)
            let onFile = try await file.tickets(query, page: page, viewer: admin).items.map(\.ticket.code)
            let onServer = try await postgres.tickets(query, page: page, viewer: admin).items.map(\.ticket.code)
            #expect(
                onFile == onServer,
                "\(query.text ?? "") overdue=\(String(describing: query.overdue)) atRisk=\(String(describing: query.atRisk))")
            found += onFile.count
        }
        #expect(found > 300)
        // What the searches find (the same on both engines, above), on the server.
        func finds(_ text: String) async throws -> Set<String> {
            var query = TicketQuery()
            query.text = text
            return Set(try await postgres.tickets(query, page: try PageRequest(limit: 50), viewer: admin).items.map(\.ticket.code))
        }
        #expect(try await finds(String(code.suffix(4))).contains(code))
        #expect(try await finds(code) == [code])
        #expect(try await finds("nguyen") == [taken[0], taken[3]])
        #expect(try await finds("Đặng hoa") == [taken[1]])
        #expect(try await finds("ben ngh").count == 5)
        #expect(try await finds("nothing-like-this").isEmpty)
        for text in ["pho bay", "so chin", "thi sau", "bay"] {
            #expect(try await finds(text) == [pastedResult.receipt.code], "\(text)")
        }
    }

    static func outcome(_ work: () async throws -> ReportTable) async -> Result<ReportTable, any Error> {
        do { return .success(try await work()) } catch { return .failure(error) }
    }
}
