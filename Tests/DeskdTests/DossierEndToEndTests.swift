import Foundation
import ServiceDesk
import Testing

/// A dossier's components and files from outside (docs/dossiers.md): the real `deskd`, the
/// counter through `deskcli`, raw uploads over HTTP — a mistyped, a foreign and an oversized file
/// refused — read back byte for byte, an electronic result, and the 766 figures as CSV.
@Suite("End to end: dossier components, scans and the electronic result", .serialized)
struct DossierEndToEndTests {
    static let pdf = Data("%PDF-1.4\n% scanned at the counter\n1 0 obj << >> endobj\n%%EOF\n".utf8)

    @Test("components in the catalogue, a scan stored and read back, bad files refused, a signed result, the figures")
    func journey() async throws {
        // An upload limit just over the body limit: a 100 KB scan is too large for this centre.
        let hall = try await TicketEndToEndTests.Hall(environment: ["DESK_UPLOAD_LIMIT": "70000"])
        let catalogue = try await hall.cli(
            [
                "service", "update", "1.001193", "--component", "TP1:Tờ khai đăng ký khai sinh:1:0", "--component",
                "TP2:Giấy chứng sinh:1:0", "--component", "TP3:Văn bản ủy quyền:0:1:optional", "--online", "full",
            ], as: hall.admin)
        #expect(
            catalogue.status == 0 && catalogue.output.contains("Giấy chứng sinh") && catalogue.output.contains("full"),
            "\(catalogue.output)\(catalogue.error)")

        let intake = try await hall.post(
            "api/v1/tickets", token: hall.admin,
            json: #"""
                {"service":"1.001193","applicant":{"name":"Đặng Thị Hoa","phone":"0912345678"},"description":"khai sinh",
                 "documents":[{"component":"TP1","originals":1},{"name":"Căn cước của mẹ","originals":1,"exemption":"shown"},
                              {"component":"TP2","reuse":"KDL:GCS-2026-0042"}]}
                """#)
        #expect(intake.status == 201, "\(intake.text)")
        let code = try APIJSON.decoder.decode(IntakeResult.self, from: intake.body).receipt.code
        let unknown = try await hall.post(
            "api/v1/tickets/\(code)/documents", token: hall.admin, json: #"{"component":"TP9","copies":1}"#)
        #expect(unknown.status == 409 && unknown.text.contains("TP1, TP2, TP3"), "\(unknown.text)")

        // The counter scans the form through deskcli.
        let scan = hall.scratch.path("to-khai.pdf")
        try Self.pdf.write(to: URL(fileURLWithPath: scan))
        let scanned = try await hall.cli(["ticket", "scan", code, "0", scan], as: hall.admin)
        #expect(
            scanned.status == 0 && scanned.output.contains("digitised: 2 of 2 to digitise; reused: 1"), "\(scanned.output)\(scanned.error)")
        let url = hall.daemon.baseURL.appendingPathComponent("api/v1/tickets/\(code)/documents/0/file")
        let read = try await HTTP.send("GET", url, token: hall.admin)
        #expect(read.status == 200 && read.body == Self.pdf && read.contentType == "application/pdf")
        let out = hall.scratch.path("back.pdf")
        let written = try await hall.cli(["ticket", "file", code, "0", "-o", out], as: hall.admin)
        #expect(written.status == 0 && FileManager.default.contents(atPath: out) == Self.pdf, "\(written.error)")

        // Refused, and nothing changes: a PNG sent as a PDF, a page, a file over the upload limit.
        let before = try await HTTP.send(
            "GET", hall.daemon.baseURL.appendingPathComponent("api/v1/tickets/\(code)/documents"), token: hall.admin)
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13])
        for (body, type, status) in [
            (png, "application/pdf", 415), (Data("<html><script>alert(1)</script>".utf8), "application/pdf", 415),
            (Self.pdf + Data(count: 100_000), "application/pdf", 413), (Data(), "application/pdf", 422),
        ] as [(Data, String, Int)] {
            let answer = try await HTTP.send("PUT", url, token: hall.admin, body: body, headers: ["Content-Type": type])
            #expect(answer.status == status && answer.contentType == "application/problem+json", "\(status): \(answer.text)")
        }
        let mistyped = try await HTTP.send("PUT", url, token: hall.admin, body: png, headers: ["Content-Type": "application/pdf"])
        #expect(mistyped.text.contains("sent as application/pdf but its bytes are image/png"))
        let after = try await HTTP.send(
            "GET", hall.daemon.baseURL.appendingPathComponent("api/v1/tickets/\(code)/documents"), token: hall.admin)
        #expect(after.body == before.body)
        let events = try await hall.cli(["ticket", "events", code, "--json"], as: hall.admin)
        let trail = try APIJSON.decoder.decode([TicketEvent].self, from: Data(events.output.utf8))
        #expect(trail.filter { $0.action == "ticket.file" }.count == 1 && !events.output.contains("PDF-1.4"), "the digest, not the bytes")

        // The registry handles it and stores the signed result; the citizen's result is electronic.
        let desk = try await hall.handler("thu.mc", department: "mot-cua")
        let registry = try await hall.handler("hung2.tp", department: "tu-phap")
        for (arguments, token) in [
            (["ticket", "claim", code], desk), (["ticket", "transfer", code], desk), (["ticket", "claim", code], registry),
        ] {
            let done = try await hall.cli(arguments, as: token)
            #expect(done.status == 0, "\(arguments): \(done.error)")
        }
        let result = hall.scratch.path("trich-luc.pdf")
        try Self.pdf.write(to: URL(fileURLWithPath: result))
        let signed = try await hall.cli(["ticket", "result", code, result, "--signature", "VGCA:5F3A-2026"], as: registry)
        #expect(signed.status == 0 && signed.output.contains("signature VGCA:5F3A-2026"), "\(signed.output)\(signed.error)")
        let resolved = try await hall.cli(["ticket", "resolve", code, "--outcome", "granted"], as: registry)
        #expect(resolved.status == 0, "\(resolved.error)")
        let back = try await HTTP.send(
            "GET", hall.daemon.baseURL.appendingPathComponent("api/v1/tickets/\(code)/result"), token: hall.admin)
        #expect(back.status == 200 && back.body == Self.pdf)

        let today = LocalClock(identifier: "Asia/Ho_Chi_Minh")!.local(Date()).date.description
        let figures = try await hall.cli(["report", "online", "--from", today, "--to", today, "--format", "csv"], as: hall.admin)
        let lines = figures.output.split(whereSeparator: \.isNewline).map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        #expect(lines.count == 2, "\(figures.output)\(figures.error)")
        let row = Dictionary(uniqueKeysWithValues: zip(lines[0], lines[1]))
        for (column, value) in [
            ("received", "1"), ("fullyOnline", "1"), ("toDigitise", "1"), ("digitised", "1"), ("digitisedShare", "1.0000"),
            ("reusingData", "1"), ("resultsIssued", "1"), ("electronicResults", "1"), ("electronicResultShare", "1.0000"),
        ] {
            #expect(row[column] == value, "\(column): \(figures.output)")
        }
        #expect(await hall.daemon.stop() == 0)
    }
}
