import Foundation
import GRDB
import Testing

@testable import ServiceDesk

/// A dossier's components, their digitisation and stored scans, the electronic result, and the
/// digitisation figures of Decision 766 (docs/dossiers.md).
@Suite("Dossiers: components, digitisation, stored files, the electronic result")
struct DossierTests {
    /// A small PDF: what a scanner produces starts with `%PDF-`.
    static let pdf = Data("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)
    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13])

    /// The birth registration lists its two components and is offered fully online.
    static func centre() async throws -> Centre2026 {
        let centre = try await Centre2026()
        var patch = ServicePatch()
        patch.components = [
            DossierComponent(code: "TP1", name: "Tờ khai đăng ký khai sinh", originals: 1, copies: 0),
            DossierComponent(code: "TP2", name: "Giấy chứng sinh", originals: 1, copies: 0),
            DossierComponent(code: "TP3", name: "Văn bản ủy quyền", required: false, copies: 1),
        ]
        patch.online = .set("full")
        _ = try await centre.database.updateService("1.001193", patch, actor: "admin")
        return centre
    }

    static func intake(
        _ centre: Centre2026, _ service: String, channel: String = "counter", documents: [Document]
    ) async throws -> IntakeResult {
        let request = IntakeRequest(
            service: service, channel: channel, applicant: ApplicantDraft(name: "Đặng Thị Hoa", phone: "0912345678"),
            description: "khai sinh", documents: documents)
        guard case .created(let result, _) = try await centre.database.intake(request, actor: try await centre.staff("lan.mc")) else {
            throw DeskError.conflict("replayed")
        }
        return result
    }

    @Test("documents carry their component, originals and copies; the catalogue's missing components and the counts follow")
    func components() async throws {
        let centre = try await Self.centre()
        let service = try await centre.database.service("1.001193")
        #expect(service.components.map(\.code) == ["TP1", "TP2", "TP3"] && service.online == .full && service.version == 2)
        let result = try await Self.intake(
            centre, "1.001193",
            documents: [
                Document(name: "", originals: 1, component: "TP1"),
                Document(name: "Căn cước của mẹ", copies: 0, originals: 1, exemption: .shown),
                Document(name: "Sổ hộ khẩu (bản sao)", copies: 2, digitised: true, pages: 4),
            ])
        let code = result.receipt.code
        let admin = try await centre.staff("admin")
        let dossier = try await centre.database.documents(of: code, viewer: admin)
        #expect(dossier.documents[0].name == "Tờ khai đăng ký khai sinh", "named after its component")
        #expect(dossier.documents[0].originals == 1 && dossier.documents[0].copies == 0 && dossier.documents[0].original)
        #expect(dossier.missing == ["TP2"], "TP3 is not required")
        #expect(dossier.toDigitise == 2 && dossier.digitised == 1 && dossier.reused == 0)

        // The citizen brings the birth certificate later: reused from their data store.
        let officer = try await centre.staff("lan.mc")
        let added = try await centre.database.addDocument(
            Document(name: "", component: "TP2", reuse: "KDL:GCS-2026-0042"), to: code, actor: officer)
        #expect(added.missing.isEmpty && added.toDigitise == 3 && added.digitised == 2 && added.reused == 1)
        #expect(added.documents[3].isDigitised && added.documents[3].name == "Giấy chứng sinh")

        // A component the service does not list is inconsistent (the catalogue may gain it); nothing is stored.
        await #expect(throws: DeskError.self) {
            _ = try await centre.database.addDocument(Document(name: "", component: "TP9"), to: code, actor: officer)
        }
        await #expect(throws: DeskError.self, "no original and no copy") {
            _ = try await centre.database.addDocument(Document(name: "Tờ trình", copies: 0), to: code, actor: officer)
        }
        await #expect(throws: DeskError.self, "at intake too") {
            _ = try await Self.intake(centre, "1.001193", documents: [Document(name: "", component: "TP9")])
        }
        #expect(try await centre.database.documents(of: code, viewer: admin).documents.count == 4)
        // The stored ticket holds what the documents call said, and its version moved.
        let ticket = try await centre.database.ticket(code, viewer: admin).ticket
        #expect(ticket.documents == added.documents && ticket.version == 2)
    }

    @Test("originals and copies as clients send them, the older form read as before, and as form 01 prints them")
    func originalsAndCopies() async throws {
        func read(_ json: String) throws -> (Int, Int) {
            let document = try APIJSON.decoder.decode(Document.self, from: Data(json.utf8))
            return (document.originals, document.copies)
        }
        #expect(try read(#"{"name":"Tờ khai"}"#) == (0, 1))
        #expect(try read(#"{"name":"Tờ khai","originals":1}"#) == (1, 0))
        #expect(try read(#"{"name":"Tờ khai","originals":1,"copies":2}"#) == (1, 2))
        #expect(try read(#"{"name":"Tờ khai","copies":2,"original":true}"#) == (2, 0), "the older form: two originals")
        #expect(try read(#"{"name":"Tờ khai","copies":0,"original":true}"#) == (1, 0))
        #expect(try read(#"{"name":"Tờ khai","originals":0,"copies":0,"original":true}"#) == (1, 0))
        let centre = try await Self.centre()
        let code = try await Self.intake(
            centre, "1.001193", documents: [Document(name: "", copies: 2, originals: 1, component: "TP1")]
        ).receipt.code
        let html = try await centre.database.form(.receipt, of: code, viewer: try await centre.staff("admin"))
        #expect(html.contains("Tờ khai đăng ký khai sinh — Bản chính: 01 bản; Bản sao: 02 bản"))
    }

    @Test("a scan is stored, typed by its bytes and read back; a mistyped, foreign, empty or oversized file changes nothing")
    func files() async throws {
        let centre = try await Self.centre()
        let code = try await Self.intake(centre, "1.001193", documents: [Document(name: "", originals: 1, component: "TP1")]).receipt.code
        let officer = try await centre.staff("lan.mc")
        let stored = try await centre.database.storeDocumentFile(
            Self.pdf, declared: "application/pdf", document: 0, of: code, actor: officer)
        let file = try #require(stored.documents[0].file)
        #expect(file.contentType == "application/pdf" && file.size == Self.pdf.count && file.uploadedBy == "lan.mc")
        #expect(file.sha256 == "6f71714ba1d09b1fc838e8661ee4d0170fd38f6913426432ad289af8ecc52510", "sha256sum of the same bytes")
        #expect(stored.digitised == 1 && stored.documents[0].isDigitised)
        let (readFile, bytes) = try await centre.database.storedFile(of: code, document: 0, viewer: officer)
        #expect(bytes == Self.pdf && readFile == file)
        // The event records the digest, never the bytes.
        let event = try #require(try await centre.database.ticketEvents(code, viewer: officer).last)
        #expect(event.action == "ticket.file" && event.detail["sha256"] == file.sha256 && event.detail["size"] == String(Self.pdf.count))

        let version = try await centre.database.ticket(code, viewer: officer).ticket.version
        for (bytes, declared) in [
            (Self.png, "application/pdf"), (Data("<html><script>".utf8), "application/pdf"), (Data(), nil),
            (Self.pdf + Data(count: DossierUpload.maxBytes), "application/pdf"),
        ] as [(Data, String?)] {
            await #expect(throws: DeskError.self) {
                _ = try await centre.database.storeDocumentFile(bytes, declared: declared, document: 0, of: code, actor: officer)
            }
        }
        await #expect(throws: DeskError.unsupportedMedia("the file was sent as application/pdf but its bytes are image/png")) {
            _ = try await centre.database.storeDocumentFile(Self.png, declared: "application/pdf", document: 0, of: code, actor: officer)
        }
        await #expect(throws: DeskError.notFound(entity: "document", id: "\(code)/5")) {
            _ = try await centre.database.storeDocumentFile(Self.pdf, declared: nil, document: 5, of: code, actor: officer)
        }
        // An image with no declared type is kept as what it is.
        let png = try await centre.database.storeDocumentFile(Self.png, declared: nil, document: 0, of: code, actor: officer)
        #expect(png.documents[0].file?.contentType == "image/png")
        #expect(try await centre.database.ticket(code, viewer: officer).ticket.version == version + 1)
        #expect(try centre.database.verifyEventChain().intact)
    }

    @Test("the electronic result: stored once the dossier is being handled, with its signature; erased bytes, kept counts")
    func result() async throws {
        let centre = try await Self.centre()
        let code = try await Self.intake(
            centre, "1.001193", documents: [Document(name: "", originals: 1, component: "TP1", digitised: true)]
        ).receipt.code
        let officer = try await centre.staff("lan.mc")
        await #expect(throws: DeskError.self, "queued: nobody handles it yet") {
            _ = try await centre.database.storeResult(Self.pdf, declared: nil, signature: "CA-1", of: code, actor: officer)
        }
        try await centre.act(.claim, code, by: "thu.mc")
        try await centre.act(.transfer, code, by: "thu.mc")
        try await centre.act(.claim, code, by: "hung.tp")
        let handler = try await centre.staff("hung.tp")
        await #expect(throws: DeskError.self, "a signature reference is required") {
            _ = try await centre.database.storeResult(Self.pdf, declared: nil, signature: "  ", of: code, actor: handler)
        }
        let stored = try await centre.database.storeResult(
            Self.pdf, declared: "application/pdf", signature: "VGCA:5F3A-2026", of: code, actor: handler)
        #expect(stored.result?.signature == "VGCA:5F3A-2026" && stored.result?.file.contentType == "application/pdf")
        try await centre.act(.resolve, code, by: "hung.tp", ActionRequest(outcome: "granted"))
        let ticket = try await centre.database.ticket(code, viewer: officer).ticket
        #expect(ticket.resultSignature == "VGCA:5F3A-2026")
        #expect(try await centre.database.storedFile(of: code, document: nil, viewer: officer).1 == Self.pdf)

        // Returned and, a year on, purged: the bytes go, the record that it was electronic stays.
        try await centre.act(.return, code, by: "lan.mc")
        centre.clock.set("2028-01-10 09:00")
        let purge = try await centre.database.purgePersonalData(
            closedBefore: TestClock("2027-12-31 00:00").now, dryRun: false, actor: "admin")
        #expect(purge.applicants == 1)
        await #expect(throws: DeskError.self) { _ = try await centre.database.storedFile(of: code, document: nil, viewer: officer) }
        let after = try await centre.database.documents(of: code, viewer: officer)
        #expect(after.result?.file.erasedAt != nil && after.result?.signature == "VGCA:5F3A-2026")
        let table = try await centre.database.report(.online, ReportRequest(period: ReportPeriod(period: "2026-11")))
        #expect(table.rows.first?["electronicResults"] == .int(1) && table.rows.first?["digitised"] == .int(1))
    }

    @Test("the digitisation and online figures of Decision 766 by hand on a fixture")
    func figures() async throws {
        let centre = try await Self.centre()
        let officer = try await centre.staff("lan.mc")
        // A: paper, every document digitised (a scan and a reused copy), an electronic result.
        let a = try await Self.intake(
            centre, "1.001193",
            documents: [Document(name: "", originals: 1, component: "TP1"), Document(name: "", component: "TP2", reuse: "KDL:GCS-7")]
        ).receipt.code
        _ = try await centre.database.storeDocumentFile(Self.pdf, declared: nil, document: 0, of: a, actor: officer)
        // B: paper, one of two digitised, a paper result.
        let b = try await Self.intake(
            centre, "1.001193",
            documents: [
                Document(name: "", originals: 1, component: "TP1", digitised: true), Document(name: "", originals: 1, component: "TP2"),
            ]
        ).receipt.code
        // C: filed online (exempt), D: only shown documents (exempt), E: a paper form not digitised.
        _ = try await Self.intake(
            centre, "1.001193", channel: "web", documents: [Document(name: "", originals: 1, component: "TP1", exemption: .online)])
        _ = try await Self.intake(centre, "1.004227", documents: [Document(name: "CCCD", copies: 0, originals: 1, exemption: .shown)])
        _ = try await centre.intake("1.004227")
        _ = try await centre.intake("HD-TTHC")  // an inquiry: not a dossier of a procedure
        for code in [a, b] {
            try await centre.act(.claim, code, by: "thu.mc")
            try await centre.act(.transfer, code, by: "thu.mc")
            try await centre.act(.claim, code, by: "hung.tp")
        }
        _ = try await centre.database.storeResult(
            Self.pdf, declared: nil, signature: "VGCA:1", of: a, actor: try await centre.staff("hung.tp"))
        for code in [a, b] { try await centre.act(.resolve, code, by: "hung.tp", ActionRequest(outcome: "granted")) }

        let table = try await centre.database.report(.online, ReportRequest(period: ReportPeriod(period: "2026-11")))
        let row = try #require(table.rows.first)
        let expected: [String: ReportValue] = [
            "received": .int(5), "receivedOnline": .int(1), "fullyOnline": .int(3), "fullyOnlineFiledOnline": .int(1),
            "fullyOnlineShare": .number(1.0 / 3), "toDigitise": .int(3), "digitised": .int(1), "digitisedShare": .number(1.0 / 3),
            "reusingData": .int(1), "dataReuseShare": .number(1.0 / 5), "resultsIssued": .int(2), "electronicResults": .int(1),
            "electronicResultShare": .number(0.5),
        ]
        for (column, value) in expected { #expect(row[column] == value, "\(column)") }
        // By service: the fully online procedure carries the digitised, reused and electronic ones.
        let byService = try await centre.database.report(.online, ReportRequest(period: ReportPeriod(period: "2026-11"), groupBy: .service))
        let birth = try #require(byService.rows.first { $0["group"] == .text("1.001193") })
        #expect(birth["digitised"] == .int(1) && birth["toDigitise"] == .int(2) && birth["electronicResultShare"] == .number(0.5))
    }

    @Test("a dossier from the National Portal keeps the portal's code and reference, once, and the feed carries them")
    func portalCode() async throws {
        let centre = try await Centre2026()
        var request = IntakeRequest(
            service: "1.004227", channel: "web", applicant: ApplicantDraft(name: "Đặng Thị Hoa", phone: "0912345678"),
            description: "nộp trên Cổng")
        request.portalCode = "G22.99-261130-0007"
        request.portalReference = "DVCQG-88812"
        let portal = try await centre.staff("cong.tt")
        guard case .created(let result, _) = try await centre.database.intake(request, actor: portal) else {
            throw DeskError.conflict("replayed")
        }
        #expect(result.ticket.ticket.portalCode == "G22.99-261130-0007" && result.ticket.ticket.portalReference == "DVCQG-88812")
        let stored = try await centre.database.ticket(result.receipt.code, viewer: portal).ticket
        #expect(stored.portalCode == "G22.99-261130-0007")
        await #expect(throws: DeskError.self, "the same portal dossier twice") {
            _ = try await centre.database.intake(request, actor: portal)
        }
        let feed = try await centre.database.portalFeed(after: 0, limit: 10)
        #expect(feed.items.map(\.portalCode) == ["G22.99-261130-0007"] && feed.items[0].portalReference == "DVCQG-88812")
        // Found by the portal's code too.
        var filter = TicketQuery()
        filter.text = "G22.99-261130-0007"
        let found = try await centre.database.tickets(filter, page: PageRequest(limit: 10), viewer: try await centre.staff("admin"))
        #expect(found.items.map(\.ticket.code) == [result.receipt.code])
        request.portalCode = nil
        await #expect(throws: DeskError.self, "a reference without the code") {
            _ = try await centre.database.intake(request, actor: portal)
        }
    }
}
