import Foundation
import Testing

@testable import ServiceDesk

@Suite("Forms: the paper a counter hands out")
struct FormTests {
    @Test(
        "numbers and time limits in Vietnamese words",
        arguments: [
            (0, "không"), (1, "một"), (5, "năm"), (10, "mười"), (11, "mười một"), (15, "mười lăm"), (20, "hai mươi"),
            (21, "hai mươi mốt"), (24, "hai mươi tư"), (25, "hai mươi lăm"), (100, "một trăm"), (105, "một trăm linh năm"),
            (110, "một trăm mười"), (1000, "một nghìn"), (1005, "một nghìn không trăm linh năm"),
            (2026, "hai nghìn không trăm hai mươi sáu"),
        ])
    func words(number: Int, expected: String) {
        #expect(FormText.words(number) == expected)
    }

    @Test("time limits as a receipt writes them")
    func timeLimits() {
        #expect(FormText.timeLimit(.days(15)) == "15 (mười lăm) ngày làm việc")
        #expect(FormText.timeLimit(.hours(4)) == "4 (bốn) giờ làm việc")
        #expect(FormText.timeLimit(.days(0)) == "trong ngày tiếp nhận")
    }

    @Test("form 01 carries every field of the receipt, escaped, with the number stored with the intake")
    func receipt() async throws {
        let centre = try await Centre2026()
        _ = try await centre.database.updateCentre(
            CentrePatch(issuingBody: .set("UBND Quận Hải Châu"), place: .set("Đà Nẵng")), actor: "admin")
        let request = IntakeRequest(
            service: "1.000894",
            applicant: ApplicantDraft(
                name: "Đặng Thị <Hoa>", idNumber: "079190001234", phone: "0912345678", email: "hoa@example.vn",
                address: "12 Lê Lợi, Hải Châu",
                representative: RepresentativeDraft(name: "Trần Văn Minh", phone: "0987654321", authorisation: "Giấy ủy quyền số 12/2026")),
            description: "Đăng ký kết hôn", documents: [Document(name: "Tờ khai đăng ký kết hôn", copies: 2, original: true)])
        guard case .created(let result, _) = try await centre.database.intake(request, actor: try await centre.staff("lan.mc")) else {
            Issue.record("replayed")
            return
        }
        let admin = try await centre.staff("admin")
        let html = try await centre.database.form(.receipt, of: result.receipt.code, viewer: admin)
        for text in [
            "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "Cộng hòa xã hội chủ nghĩa Việt Nam", "Độc lập - Tự do - Hạnh phúc",
            "UBND Quận Hải Châu", "Đà Nẵng, ngày 30 tháng 11 năm 2026", "Số: 1/TNHS", result.receipt.code, "Đặng Thị &lt;Hoa&gt;",
            "079190001234", "12 Lê Lợi, Hải Châu", "0912345678", "hoa@example.vn", "Trần Văn Minh", "Giấy ủy quyền số 12/2026",
            "Đăng ký kết hôn", "Tờ khai đăng ký kết hôn — Bản chính: 02 bản", "5 (năm) ngày làm việc",
            "09 giờ 00 phút, ngày 30 tháng 11 năm 2026", "09 giờ 00 phút, ngày 07 tháng 12 năm 2026", "size: A5",
        ] {
            #expect(html.contains(text), "form 01 lacks \(text)")
        }
        #expect(!html.contains("<Hoa>"))
        // A reprint is the same paper: the same number.
        #expect(try await centre.database.form(.receipt, of: result.receipt.code, viewer: admin) == html)
        await #expect(throws: DeskError.notFound(entity: "form 04 of ticket", id: result.receipt.code)) {
            try await centre.database.form(.apology, of: result.receipt.code, viewer: admin)
        }
    }

    @Test("each form kind numbers on from 1 in its own yearly sequence, gap-free under concurrent intakes")
    func numbering() async throws {
        let centre = try await Centre2026()
        let codes = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await centre.intake("HD-TTHC").receipt.code } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let admin = try await centre.staff("admin")
        var numbers: [Int] = []
        for code in codes { numbers += try await centre.database.documentNumbers(of: code, viewer: admin).map(\.number) }
        #expect(numbers.sorted() == Array(1...20))
        // Another kind starts at 1: an incomplete dossier gets a supplement request, then a second one.
        let incomplete = try await centre.intake("1.000894", outcome: "incomplete", missing: ["Giấy khai sinh", "Ảnh 4x6"]).receipt.code
        let issued = try await centre.database.documentNumbers(of: incomplete, viewer: admin)
        #expect(issued.map(\.form) == [.supplementRequest] && issued.map(\.number) == [1] && issued.first?.year == 2026)
        let supplement = try await centre.database.form(.supplementRequest, of: incomplete, viewer: admin)
        #expect(supplement.contains("Số: 1/PBS") && supplement.contains("<li>Giấy khai sinh</li><li>Ảnh 4x6</li>"))
        let accepted = try await centre.intake("1.000894").receipt.code
        try await centre.act(.claim, accepted, by: "thu.mc")
        try await centre.act(.requestSupplement, accepted, by: "thu.mc", ActionRequest(missing: ["Bản sao CCCD"]))
        #expect(try await centre.database.documentNumbers(of: accepted, viewer: admin).map(\.printed) == ["21/TNHS", "2/PBS"])
    }

    @Test("the refusal, the apology, the stop notice and the control sheet are filled from the events that issued them")
    func otherForms() async throws {
        let centre = try await Centre2026()
        let admin = try await centre.staff("admin")
        let refused = try await centre.database.intake(
            IntakeRequest(
                service: "1.000894", applicant: ApplicantDraft(name: "Lê Văn Tâm", phone: "0912345678"), outcome: "refused",
                reasons: "Không thuộc thẩm quyền giải quyết của Trung tâm"),
            actor: try await centre.staff("lan.mc"))
        guard case .created(let refusal, _) = refused else { return }
        let form03 = try await centre.database.form(.refusal, of: refusal.receipt.code, viewer: admin)
        #expect(form03.contains("Số: 1/PTC") && form03.contains("Không thuộc thẩm quyền giải quyết của Trung tâm"))

        let code = try await centre.intake("1.000894").receipt.code  // 5 d: due 2026-12-07 09:00
        centre.clock.set("2026-12-03 10:00")
        try await centre.act(
            .apologise, code, by: "giamsat", ActionRequest(note: "chờ xác minh hộ tịch", revisedDueAt: TestClock.parse("2026-12-10 17:00")))
        let form04 = try await centre.database.form(.apology, of: code, viewer: admin)
        for text in [
            "Số: 1/PXL", "chờ xác minh hộ tịch", "09 giờ 00 phút, ngày 07 tháng 12 năm 2026", "17 giờ 00 phút, ngày 10 tháng 12 năm 2026",
            "ngày 03 tháng 12 năm 2026",
        ] {
            #expect(form04.contains(text), "form 04 lacks \(text)")
        }
        try await centre.act(.withdraw, code, by: "lan.mc", ActionRequest(note: "công dân rút hồ sơ"))
        let form05 = try await centre.database.form(.stopNotice, of: code, viewer: admin)
        #expect(form05.contains("THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ") && form05.contains("Số: 1/TBD") && form05.contains("công dân rút hồ sơ"))

        let sheet = try await centre.database.form(.controlSheet, of: code, viewer: admin)
        #expect(sheet.contains("size: A4") && sheet.contains("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"))
        #expect(sheet.contains("<td>1</td>") && sheet.contains("09:00 30/11/2026"))
    }
}
