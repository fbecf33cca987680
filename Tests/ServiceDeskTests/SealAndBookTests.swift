import Crypto
import Foundation
import GRDB
import Testing

@testable import ServiceDesk

@Suite("Forms: QR seals anyone can verify, and the tracking book")
struct SealAndBookTests {
    @Test("a seal verifies with the key that signed it and fails when one character changes, or with another key")
    func sealSignature() throws {
        let key = Curve25519.Signing.PrivateKey()
        let seal = FormSeal(code: "000.00.31.H29-261130-0001", form: .receipt, number: "12/TNHS", appointment: "2026-12-07T09:00")
        let text = try seal.sealed(with: key)
        let reading = try FormSeal.read(text)
        #expect(reading.seal == seal && reading.keyId == FormSeal.keyId(of: key.publicKey))
        #expect(reading.isSigned(by: key.publicKey))
        #expect(!reading.isSigned(by: Curve25519.Signing.PrivateKey().publicKey))
        // Every single character of the signed part changed, one at a time: never verifies.
        let message = seal.message
        for index in message.indices where message[index] != "|" {
            let changed = message[index] == "1" ? "2" : "1"
            let forged = String(message[..<index]) + changed + String(message[message.index(after: index)...])
            guard let reading = try? FormSeal.read(forged + text.dropFirst(message.count)) else { continue }
            #expect(
                !reading.isSigned(by: key.publicKey), "a seal changed at \(message.distance(from: message.startIndex, to: index)) verified")
        }
        for bad in [
            "", "SDV1|x", "SDV2|a|01|1/TNHS||0123456789abcdef|" + String(repeating: "A", count: 86),
            "SDV1|a|09|1/TNHS||0123456789abcdef|AA",
        ] {
            #expect(throws: DeskError.self) { try FormSeal.read(bad) }
        }
    }

    @Test("libqrencode encodes a seal as a square QR symbol drawn as an SVG with a quiet zone")
    func qrCode() throws {
        let code = try #require(
            QRCode("SDV1|000.00.31.H29-261130-0001|01|12/TNHS|2026-12-07T09:00|0123456789abcdef|" + String(repeating: "x", count: 86)))
        #expect(code.width >= 21 && (code.width - 17) % 4 == 0 && code.modules.count == code.width * code.width)
        // The three finder patterns: dark 7×7 corners.
        #expect(
            code.isDark(row: 0, column: 0) && code.isDark(row: 0, column: code.width - 1) && code.isDark(row: code.width - 1, column: 0))
        let svg = code.svg(millimetres: 18, title: "Mã QR")
        #expect(
            svg.contains("width=\"18mm\"") && svg.contains("viewBox=\"0 0 \(code.width + 8) \(code.width + 8)\"") && svg.contains("M4 4h7"))
        #expect(QRCode(String(repeating: "x", count: 5_000)) == nil)
    }

    @Test("the public lookup calls a printed seal genuine and current; an apology supersedes the receipt; a rotation keeps it genuine")
    func verification() async throws {
        let centre = try await Centre2026()
        let admin = try await centre.staff("admin")
        let code = try await centre.intake("1.000894").receipt.code
        let receipt = try await centre.database.form(.receipt, of: code, viewer: admin)
        let seal = try Self.seal(of: receipt)
        #expect(seal.hasPrefix("SDV1|\(code)|01|1/TNHS|2026-12-07T09:00|"))
        var verdict = try await centre.database.verifySeal(seal)
        #expect(verdict.genuine && verdict.current && verdict.state == .queued && verdict.number == "1/TNHS")

        // A changed appointment: the signature no longer matches.
        let forged = seal.replacingOccurrences(of: "2026-12-07T09:00", with: "2026-12-17T09:00")
        verdict = try await centre.database.verifySeal(forged)
        #expect(!verdict.genuine && !verdict.current)

        // After an apology the receipt is genuine but no longer current; form 04 is.
        centre.clock.set("2026-12-03 10:00")
        try await centre.act(
            .apologise, code, by: "giamsat", ActionRequest(note: "chờ xác minh", revisedDueAt: TestClock.parse("2026-12-10 17:00")))
        verdict = try await centre.database.verifySeal(seal)
        #expect(verdict.genuine && !verdict.current && verdict.currentAppointment == "2026-12-10 17:00")
        let apology = try Self.seal(of: try await centre.database.form(.apology, of: code, viewer: admin))
        #expect(try await centre.database.verifySeal(apology).current)

        // A rotation: the old key is retired, still published, and papers it signed still verify.
        let before = try await centre.database.publishedKeys().keys
        let after = try await centre.database.rotateSigningKey(actor: "admin").keys
        #expect(
            before.count == 1 && after.count == 2 && after[1].kid == before[0].kid && after[1].retired != nil && after[0].retired == nil)
        #expect(try await centre.database.verifySeal(apology).genuine)
        let reprint = try Self.seal(of: try await centre.database.form(.apology, of: code, viewer: admin))
        let reprintVerdict = try await centre.database.verifySeal(reprint)
        #expect(reprint.split(separator: "|")[5] == Substring(after[0].kid) && reprintVerdict.current)
        // The retired private half is gone from the file.
        let privateHalves = try await centre.database.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM signing_key WHERE private_key IS NOT NULL")
        }
        #expect(privateHalves == 1)
        // A key the centre never had.
        let stranger = try FormSeal(code: code, form: .receipt, number: "1/TNHS", appointment: "2026-12-07T09:00")
            .sealed(with: Curve25519.Signing.PrivateKey())
        let strangerVerdict = try await centre.database.verifySeal(stranger)
        #expect(!strangerVerdict.genuine)
    }

    @Test("each field keeps its own book per year: volumes in order of opening, entries from 1 without gaps under concurrency")
    func book() async throws {
        let centre = try await Centre2026()
        let admin = try await centre.staff("admin")
        let codes = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<12 {
                group.addTask { try await centre.intake(index.isMultiple(of: 3) ? "1.000894" : "2.000815").receipt.code }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        // Incomplete and refused dossiers are not entered: the book holds accepted dossiers.
        _ = try await centre.intake("1.000894", outcome: "incomplete", missing: ["Ảnh 4x6"])
        let books = try await centre.database.trackingBooks(year: 2026)
        #expect(Set(books.map(\.field)) == ["Hộ tịch", "Chứng thực"] && books.map(\.volume) == [1, 2])
        #expect(books.first { $0.field == "Hộ tịch" }?.entries == 4 && books.first { $0.field == "Chứng thực" }?.entries == 8)
        let civil = try await centre.database.trackingBook(year: 2026, field: "Hộ tịch")
        #expect(civil.rows.compactMap { if case .int(let n) = $0["entry"] { n } else { nil } } == [1, 2, 3, 4])
        #expect(civil.rows.allSatisfy { codes.contains($0["code"]?.description ?? "") && $0["leadBody"] != .null })
        // Form 01 prints the volume and the entry of its book.
        let first = try #require(civil.rows.first?["code"]?.description)
        let volume = books.first { $0.field == "Hộ tịch" }!.volume
        let receipt = try await centre.database.form(.receipt, of: first, viewer: admin)
        #expect(receipt.contains("lĩnh vực Hộ tịch: Quyển số 0\(volume), Số thứ tự 01"))
        let html = try await centre.database.trackingBookHTML(year: 2026, field: "Hộ tịch")
        #expect(html.contains("SỔ THEO DÕI HỒ SƠ") && html.contains("size: A4 landscape") && html.contains(first))
        await #expect(throws: DeskError.self) { try await centre.database.trackingBook(year: 2025, field: "Hộ tịch") }
    }

    @Test("answers link the paper to print: the intake its slip and control sheet, an apology form 04, a stop form 05")
    func links() async throws {
        let centre = try await Centre2026()
        let accepted = try await centre.intake("1.000894")
        #expect(accepted.receipt.forms.map(\.form) == [.receipt, .controlSheet] && accepted.ticket.forms == accepted.receipt.forms)
        #expect(
            accepted.receipt.forms[0].number == "1/TNHS" && accepted.receipt.forms[0].href.hasSuffix("/\(accepted.receipt.code)/forms/01"))
        let refused = try await centre.intake("1.000894", outcome: "incomplete", missing: ["Ảnh"])
        #expect(refused.receipt.forms.map(\.form) == [.supplementRequest])
        let stopped = try await centre.database.perform(
            .withdraw, on: accepted.receipt.code, ActionRequest(note: "rút"), actor: try await centre.staff("lan.mc"))
        #expect(stopped.forms?.map(\.form) == [.receipt, .stopNotice, .controlSheet])
    }

    @Test("a public service unit receives on behalf of the one-stop desk, and its forms say so; an administrative body's do not")
    func onBehalfOf() async throws {
        let centre = try await Centre2026()
        let admin = try await centre.staff("admin")
        _ = try await centre.database.updateCentre(CentrePatch(onBehalfOf: .set("Bộ phận Một cửa UBND quận Hải Châu")), actor: "admin")
        let code = try await centre.intake("1.000894").receipt.code
        var html = try await centre.database.form(.receipt, of: code, viewer: admin)
        #expect(!html.contains("thay mặt") && !html.contains("TUQ."))
        try await centre.database.write { db in
            try db.execute(sql: "UPDATE centre SET mode = 'public-service-unit', autonomy_group = 2")
        }
        html = try await centre.database.form(.receipt, of: code, viewer: admin)
        #expect(html.contains("thay mặt Bộ phận Một cửa UBND quận Hải Châu, tiếp nhận hồ sơ của"))
        #expect(html.contains("TUQ. BỘ PHẬN MỘT CỬA UBND QUẬN HẢI CHÂU"))
    }

    @Test("the supplement request names the contact person and the centre's phone; a phone that is not one is refused")
    func contactPhone() async throws {
        let centre = try await Centre2026()
        let admin = try await centre.staff("admin")
        await #expect(throws: DeskError.self) {
            try await centre.database.updateCentre(CentrePatch(contactPhone: .set("gọi 1022")), actor: "admin")
        }
        _ = try await centre.database.updateCentre(CentrePatch(contactPhone: .set("0236 3822 101")), actor: "admin")
        let code = try await centre.intake("1.000894", outcome: "incomplete", missing: ["Ảnh 4x6"]).receipt.code
        let html = try await centre.database.form(.supplementRequest, of: code, viewer: admin)
        #expect(html.contains("liên hệ với Nguyễn Thị Lan, Trung tâm kết nối công dân, số điện thoại 0236 3822 101, để được hướng dẫn"))
    }

    @Test("the book prints its moments as the paper writes them")
    func bookMoments() async throws {
        let centre = try await Centre2026()
        let code = try await centre.intake("1.000894").receipt.code
        let html = try await centre.database.trackingBookHTML(year: 2026, field: "Hộ tịch")
        #expect(html.contains("<td class=\"nowrap\">\(code)</td>") && html.contains("<td>09:00 30/11/2026</td><td>09:00 07/12/2026</td>"))
    }

    @Test("a cursor this server never gave is a 422 even when the search itself can match nothing (found by the contract)")
    func badCursorFirst() async throws {
        let centre = try await Centre2026()
        var query = TicketQuery()
        query.text = "\u{8}"
        await #expect(throws: DeskError.validation([FieldError("cursor", "is not a cursor this server gave")])) {
            try await centre.database.tickets(query, page: try PageRequest(cursor: "L\u{6}"), viewer: try await centre.staff("admin"))
        }
        #expect(try await centre.database.tickets(query, page: try PageRequest(), viewer: try await centre.staff("admin")).items.isEmpty)
    }

    @Test("a dossier completed after an incomplete intake is accepted then: its receipt has a number and a book entry; feedback has none")
    func acceptedLater() async throws {
        let centre = try await Centre2026()
        let admin = try await centre.staff("admin")
        let code = try await centre.intake("1.000894", outcome: "incomplete", missing: ["Ảnh 4x6"]).receipt.code
        let completed = try await centre.database.perform(
            .supplementReceived, on: code, ActionRequest(), actor: try await centre.staff("lan.mc"))
        #expect(completed.forms?.map(\.form) == [.receipt, .supplementRequest, .controlSheet])
        #expect(completed.forms?.first?.number == "1/TNHS")
        let receipt = try await centre.database.form(.receipt, of: code, viewer: admin)
        #expect(receipt.contains("Số: 1/TNHS") && receipt.contains("lĩnh vực Hộ tịch: Quyển số 01, Số thứ tự 01"))
        // Feedback is no administrative procedure: not in any book.
        _ = try await centre.intake("PA-HATANG")
        #expect(try await centre.database.trackingBooks(year: 2026).map(\.entries) == [1])
    }

    @Test("a seal's text is read strictly: one signature per text, lower-case key ids")
    func strictReading() throws {
        let key = Curve25519.Signing.PrivateKey()
        let text = try FormSeal(code: "C-1", form: .receipt, number: "1/TNHS", appointment: "").sealed(with: key)
        var fields = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        #expect(try FormSeal.read(text).isSigned(by: key.publicKey))
        // The last character of 86 carries 2 unused bits: any other character with the same 4 bits
        // decodes to the same bytes, and must be refused, not verified.
        let last = fields[6].last!
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let index = alphabet.firstIndex(of: last)!
        fields[6] = String(fields[6].dropLast()) + String(alphabet[index ^ 1])
        #expect(throws: DeskError.self) { try FormSeal.read(fields.joined(separator: "|")) }
        // A separator followed by a modifier (one Character with it) still separates (found by the contract).
        let modified = try FormSeal.read(
            "SDV1|S|05|1/TBD|\u{1F3FB}x|" + text.split(separator: "|").suffix(2).joined(separator: "|"))
        #expect(modified.seal.appointment == "\u{1F3FB}x" && !modified.isSigned(by: key.publicKey))
        // An upper-case key id is not one the centre publishes: refused, not looked up.
        fields = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        fields[5] = "ABCDEF0123456789"
        #expect(throws: DeskError.self) { try FormSeal.read(fields.joined(separator: "|")) }
    }

    @Test("a retired key vouches only for papers issued before its retirement")
    func retiredKey() async throws {
        let centre = try await Centre2026()
        _ = try await centre.intake("1.000894")
        let old = try await centre.database.read { db in
            try Data.fetchOne(db, sql: "SELECT private_key FROM signing_key WHERE retired_at IS NULL")
        }
        let leaked = try Curve25519.Signing.PrivateKey(rawRepresentation: try #require(old))
        centre.clock.set("2026-11-30 10:00")
        _ = try await centre.database.rotateSigningKey(actor: "admin")
        centre.clock.set("2026-11-30 11:00")
        let later = try await centre.intake("1.000894").receipt.code
        let forged = try FormSeal(code: later, form: .receipt, number: "2/TNHS", appointment: "2026-12-07T11:00").sealed(with: leaked)
        let verdict = try await centre.database.verifySeal(forged)
        #expect(!verdict.genuine && verdict.state == nil)
        let first = try FormSeal(code: "000.00.00.H00-261130-0001", form: .receipt, number: "1/TNHS", appointment: "2026-12-07T09:00")
            .sealed(with: leaked)
        let firstVerdict = try await centre.database.verifySeal(first)
        #expect(firstVerdict.genuine && firstVerdict.current)
    }

    @Test(
        "a representative without a phone is printed without one, not with the applicant's; the control sheet shows the appointment in force"
    )
    func representativeAndSheet() async throws {
        let centre = try await Centre2026()
        let admin = try await centre.staff("admin")
        let request = IntakeRequest(
            service: "1.000894",
            applicant: ApplicantDraft(name: "Đặng Thị Hoa", phone: "0912345678", representative: RepresentativeDraft(name: "Trần Văn Minh"))
        )
        guard case .created(let result, _) = try await centre.database.intake(request, actor: try await centre.staff("lan.mc")) else {
            return
        }
        let code = result.receipt.code
        let receipt = try await centre.database.form(.receipt, of: code, viewer: admin)
        #expect(receipt.contains("Người đại diện/được ủy quyền: Trần Văn Minh</p>"))
        centre.clock.set("2026-12-03 10:00")
        try await centre.act(.apologise, code, by: "giamsat", ActionRequest(note: "chờ", revisedDueAt: TestClock.parse("2026-12-10 17:00")))
        let sheet = try await centre.database.form(.controlSheet, of: code, viewer: admin)
        #expect(sheet.contains("Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 10 tháng 12 năm 2026"))
        let verdict = try await centre.database.verifySeal(try Self.seal(of: sheet))
        #expect(verdict.current && verdict.appointment == "2026-12-10T17:00")
    }

    @Test("a blank field or contact phone is refused, not silently removed")
    func blanks() async throws {
        let centre = try await Centre2026()
        await #expect(throws: DeskError.validation([FieldError("field", "must not be blank: null removes it")])) {
            try await centre.database.updateService("HD-TTHC", ServicePatch(field: .set("   ")), actor: "admin")
        }
        await #expect(throws: DeskError.self) {
            try await centre.database.updateService("HD-TTHC", ServicePatch(field: .set("Đất + nhà")), actor: "admin")
        }
        await #expect(throws: DeskError.validation([FieldError("contactPhone", "must not be blank: null removes it")])) {
            try await centre.database.updateCentre(CentrePatch(contactPhone: .set(" ")), actor: "admin")
        }
        // Lengths count the text as sent, as the document's maxLength does (found by the contract).
        await #expect(throws: DeskError.validation([FieldError("place", "must be at most 100 characters")])) {
            try await centre.database.updateCentre(CentrePatch(place: .set(" " + String(repeating: "*", count: 100))), actor: "admin")
        }
    }

    @Test("the forms' one stylesheet is constant, and its hash (which the counter's page allows) is of what every form carries")
    func styleHash() async throws {
        let centre = try await Centre2026()
        let admin = try await centre.staff("admin")
        let code = try await centre.intake("1.000894").receipt.code
        var styles: Set<String> = []
        for form in [FormKind.receipt, .controlSheet] {
            let html = try await centre.database.form(form, of: code, viewer: admin)
            let open = try #require(html.range(of: "<style>"))
            let close = try #require(html.range(of: "</style>"))
            styles.insert(String(html[open.upperBound..<close.lowerBound]))
        }
        styles.insert(
            try await centre.database.trackingBookHTML(year: 2026, field: "Hộ tịch").components(separatedBy: "<style>")[1]
                .components(separatedBy: "</style>")[0])
        #expect(styles.count == 1)
        #expect(FormRenderer.styleHash == "sha256-" + Data(SHA256.hash(data: Data(styles.first!.utf8))).base64EncodedString())
    }

    static func seal(of html: String) throws -> String {
        let start = try #require(html.range(of: "data-seal=\""))
        let end = try #require(html[start.upperBound...].firstIndex(of: "\""))
        return String(html[start.upperBound..<end]).replacingOccurrences(of: "&amp;", with: "&")
    }
}
