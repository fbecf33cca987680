import Foundation

/// How the forms write numbers, time limits and moments in Vietnamese, as administrative
/// documents do (Decree 30/2020/NĐ-CP, Phụ lục I: the date line "Hà Nội, ngày 01 tháng 12 năm 2026").
public enum FormText {
    private static let digits = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]

    /// A number in words, 0 to 999,999,999: 15 → "mười lăm", 21 → "hai mươi mốt", 105 → "một trăm linh năm".
    public static func words(_ number: Int) -> String {
        guard number > 0 else { return digits[0] }
        var groups: [String] = []
        var rest = number
        let units = ["", "nghìn", "triệu"]
        var index = 0
        var parts: [(Int, Int)] = []
        while rest > 0 && index < units.count {
            parts.append((rest % 1000, index))
            rest /= 1000
            index += 1
        }
        for (position, (value, unit)) in parts.enumerated().reversed() {
            guard value > 0 else { continue }
            let isLeading = position == parts.count - 1
            groups.append(hundreds(value, full: !isLeading) + (units[unit].isEmpty ? "" : " " + units[unit]))
        }
        return groups.joined(separator: " ")
    }

    /// Three digits; `full` writes "không trăm" and "linh" as inner groups need.
    private static func hundreds(_ value: Int, full: Bool) -> String {
        let hundred = value / 100
        let ten = value / 10 % 10
        let one = value % 10
        var words: [String] = []
        if hundred > 0 || full { words += [digits[hundred], "trăm"] }
        switch ten {
        case 0:
            if one > 0 && !words.isEmpty { words.append("linh") }
        case 1:
            words.append("mười")
        default:
            words += [digits[ten], "mươi"]
        }
        if one > 0 {
            switch (ten, one) {
            case (2...9, 1): words.append("mốt")
            case (1...9, 5): words.append("lăm")
            case (2...9, 4): words.append("tư")
            default: words.append(digits[one])
            }
        }
        return words.joined(separator: " ")
    }

    /// "15 (mười lăm) ngày làm việc", "4 (bốn) giờ làm việc", "trong ngày tiếp nhận".
    public static func timeLimit(_ limit: TimeLimit) -> String {
        switch limit {
        case .days(0): "trong ngày tiếp nhận"
        case .days(let days): "\(days) (\(words(days))) ngày làm việc"
        case .hours(let hours): "\(hours) (\(words(hours))) giờ làm việc"
        }
    }

    static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// "09 giờ 30 phút, ngày 01 tháng 12 năm 2026" in the centre's time zone.
    public static func moment(_ instant: Date, _ clock: LocalClock) -> String {
        let (date, minute) = clock.local(instant)
        return "\(two(minute / 60)) giờ \(two(minute % 60)) phút, \(day(date))"
    }

    /// "09:30 01/12/2026", for a table cell.
    public static func shortMoment(_ instant: Date, _ clock: LocalClock) -> String {
        let (date, minute) = clock.local(instant)
        return "\(two(minute / 60)):\(two(minute % 60)) \(shortDay(date))"
    }

    /// "01/12/2026".
    public static func shortDay(_ date: LocalDate) -> String {
        "\(two(date.day))/\(two(date.month))/\(date.year)"
    }

    /// The control sheet's result column.
    public static func grade(_ grade: Timeliness) -> String {
        switch grade {
        case .early: "Trước hạn"
        case .onTime: "Đúng hạn"
        case .late: "Quá hạn"
        }
    }

    /// A stored number as Vietnamese write it: `+84912345678` → `0912345678`; others as stored.
    public static func phone(_ stored: String) -> String {
        stored.hasPrefix("+84") ? "0" + stored.dropFirst(3) : stored
    }

    /// "ngày 01 tháng 12 năm 2026".
    public static func day(_ date: LocalDate) -> String {
        "ngày \(two(date.day)) tháng \(two(date.month)) năm \(date.year)"
    }

    /// An amount in đồng as Vietnamese documents write it: `1.250.000`.
    public static func money(_ amount: Int) -> String {
        let digits = Array(String(abs(amount)))
        var groups: [String] = []
        var end = digits.count
        while end > 0 {
            groups.insert(String(digits[max(0, end - 3)..<end]), at: 0)
            end -= 3
        }
        return (amount < 0 ? "-" : "") + groups.joined(separator: ".")
    }

    /// *Lệ phí*, *Phí* or *Giá dịch vụ* (Law on Fees and Charges 97/2015 art. 3).
    static func chargeKind(_ kind: Charge.Kind) -> String {
        switch kind {
        case .lePhi: "Lệ phí"
        case .phi: "Phí"
        case .servicePrice: "Giá dịch vụ"
        }
    }

    /// Where the money goes, as the mode allows it (docs/modes.md): a *lệ phí* and an
    /// administrative body's *phí* to the state budget; a public service unit may retain a *phí*
    /// and charges its own service price.
    static func destination(_ charge: Charge) -> String {
        switch (charge.kind, charge.remittance) {
        case (.servicePrice, _): "giá dịch vụ sự nghiệp công được phê duyệt"
        case (_, .budget): "nộp ngân sách nhà nước"
        case (_, .retained): "đơn vị được để lại theo quy định"
        }
    }
}
