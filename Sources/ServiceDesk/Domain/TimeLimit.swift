import Foundation

/// A time allowance in working time, written `N d` (working days) or `N h` (working hours).
public enum TimeLimit: Hashable, TextCodable, Sendable {
    public static let textFormat = "'N d' or 'N h'"

    case days(Int)
    case hours(Int)

    /// Parses `15 d`, `4 h` (the space is optional); N from 0 to 3650 days (`0 d`: within the
    /// day of reception) or 1 to 29200 hours.
    /// Digits only (no sign, no leading zero), then at most one space, then the unit, as
    /// openapi.yaml's pattern says.
    public init?(_ text: String) {
        var body = Substring(text)
        guard let unit = body.popLast() else { return nil }
        if body.last == " " { body.removeLast() }
        guard !body.isEmpty, body.utf8.allSatisfy({ (48...57).contains($0) }), body == "0" || body.first != "0",
            let amount = Int(body)
        else { return nil }
        switch unit {
        case "d" where amount <= 3650: self = .days(amount)
        case "h" where amount >= 1 && amount <= 3650 * WorkingCalendar.hoursPerWorkingDay: self = .hours(amount)
        default: return nil
        }
    }

    /// The allowance in working hours (one working day counts as 8 working hours, SPEC §3).
    public var workingHours: Int {
        switch self {
        case .days(let days): days * WorkingCalendar.hoursPerWorkingDay
        case .hours(let hours): hours
        }
    }

    /// The allowance in clock seconds, for a round-the-clock class: a day is 24 hours.
    public var clockSeconds: Int {
        switch self {
        case .days(let days): days * 86_400
        case .hours(let hours): hours * 3_600
        }
    }

    /// `15 working days`, `1 working hour`: for citizens (Open311's notices and descriptions).
    public var inWords: String {
        switch self {
        case .days(0): "within the day of reception"
        case .days(let days): days == 1 ? "1 working day" : "\(days) working days"
        case .hours(let hours): hours == 1 ? "1 working hour" : "\(hours) working hours"
        }
    }

    /// The allowance in working minutes on a calendar whose working day lasts `dayMinutes`:
    /// how allowances are added up and compared with a time limit (SPEC §3).
    public func workingMinutes(dayMinutes: Int) -> Int {
        switch self {
        case .days(let days): days * dayMinutes
        case .hours(let hours): hours * 60
        }
    }

    public var description: String {
        switch self {
        case .days(let days): "\(days) d"
        case .hours(let hours): "\(hours) h"
        }
    }

}
