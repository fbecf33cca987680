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
    /// supplement request or a refusal), a supplement request, a rejection, an apology, a stop.
    static func issued(by action: String, outcome: String? = nil, kind: String? = nil) -> FormKind? {
        switch action {
        case "ticket.intake":
            switch outcome {
            case "accepted": .receipt
            case "incomplete": .supplementRequest
            case "refused": .refusal
            default: nil
            }
        case "ticket.request-supplement": kind == "payment" ? nil : .supplementRequest
        case "ticket.reject": .refusal
        case "ticket.apologise": .apology
        case "ticket.withdraw": .stopNotice
        default: nil
        }
    }
}
