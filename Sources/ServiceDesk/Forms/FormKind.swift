import Foundation

/// The forms of the one-stop mechanism, numbered as in Circular 03/2025/TT-VPCP, Phụ lục I
/// (docs/forms.md keeps the mapping to Circular 01/2018/TT-VPCP's 01–06).
public enum FormKind: String, CaseIterable, Codable, Sendable {
    /// *Giấy tiếp nhận hồ sơ và hẹn trả kết quả*.
    case receipt = "01"
    /// *Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ*.
    case supplementRequest = "02"
    /// *Phiếu từ chối tiếp nhận giải quyết hồ sơ*.
    case refusal = "03"
    /// *Phiếu xin lỗi và đề nghị gia hạn thời gian giải quyết*.
    case apology = "04"
    /// *Thông báo dừng giải quyết hồ sơ* (new in 2025).
    case stopNotice = "05"
    /// *Phiếu kiểm soát quá trình giải quyết hồ sơ*.
    case controlSheet = "06"

    public var title: String {
        switch self {
        case .receipt: "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
        case .supplementRequest: "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"
        case .refusal: "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"
        case .apology: "PHIẾU XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"
        case .stopNotice: "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"
        case .controlSheet: "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"
        }
    }

    /// The symbol of the document number, `Số 12/PBS-…`; the control sheet has none (it is
    /// identified by the dossier code).
    public var symbol: String? {
        switch self {
        case .receipt: "TNHS"
        case .supplementRequest: "PBS"
        case .refusal: "PTC"
        case .apology: "PXL"
        case .stopNotice: "TBD"
        case .controlSheet: nil
        }
    }

    /// A5 for the slips a citizen takes home, A4 for the control sheet (Circular 01/2018 art. 9).
    public var paper: String { self == .controlSheet ? "A4" : "A5" }

    /// The number of the same form in Circular 01/2018/TT-VPCP, nil for the stop notice it did not have.
    public var circular2018: String? {
        switch self {
        case .receipt: "01"
        case .supplementRequest: "02"
        case .refusal: "03"
        case .apology: "04"
        case .stopNotice: nil
        case .controlSheet: "05"
        }
    }

    /// The form an event issues, with a number of its kind: the intake's outcome (a receipt, a
    /// supplement request or a refusal), the receipt of a dossier completed after an incomplete
    /// intake (its clock starts then), a supplement request, a rejection, an apology, a stop.
    static func issued(by action: String, outcome: String? = nil, kind: String? = nil, clock: String? = nil) -> FormKind? {
        switch action {
        case "ticket.intake":
            switch outcome {
            case "accepted": .receipt
            case "incomplete": .supplementRequest
            case "refused": .refusal
            default: nil
            }
        case "ticket.supplement-received": clock == "start" ? .receipt : nil
        case "ticket.receive": .receipt
        case "ticket.request-supplement": kind == "payment" ? nil : .supplementRequest
        case "ticket.reject": .refusal
        case "ticket.apologise": .apology
        case "ticket.withdraw": .stopNotice
        default: nil
        }
    }
}

/// A printed form of a ticket as the API links it: the intake answer, an action's answer and a
/// ticket's view carry the forms the ticket has, so a counter prints the right paper in one step.
public struct FormLink: Codable, Equatable, Sendable {
    public var form: FormKind
    public var title: String
    /// `12/TNHS` as printed after "Số:"; absent for the control sheet (identified by the code).
    public var number: String?
    /// The form's print-ready HTML, `/api/v1/tickets/{code}/forms/{form}`.
    public var href: String

    public init(code: String, form: FormKind, number: String?) {
        self.form = form
        self.title = form.title
        self.number = number
        // Dossier codes are letters, digits, dots and dashes: safe in a path as they are.
        self.href = "/api/v1/tickets/\(code)/forms/\(form.rawValue)"
    }

    /// The forms of a ticket: the latest number of each form its events issued, in form order,
    /// and the control sheet once the dossier was accepted.
    public static func links(code: String, numbers: [DocumentNumber], accepted: Bool) -> [FormLink] {
        var latest: [FormKind: DocumentNumber] = [:]
        for number in numbers where (latest[number.form]?.eventId ?? .min) < number.eventId { latest[number.form] = number }
        var links = latest.values.map { FormLink(code: code, form: $0.form, number: $0.printed) }
        if accepted { links.append(FormLink(code: code, form: .controlSheet, number: nil)) }
        return links.sorted { $0.form.rawValue < $1.form.rawValue }
    }
}
