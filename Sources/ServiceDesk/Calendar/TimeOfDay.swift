/// A local wall-clock time to the minute, written `HH:MM`.
public struct TimeOfDay: Comparable, Hashable, TextCodable, Sendable {
    public static let textFormat = "HH:MM"

    /// Minutes since local midnight, 0...1440 (24:00 ends a day that works to midnight).
    public let minutes: Int

    public init(hour: Int, minute: Int) {
        minutes = hour * 60 + minute
    }

    /// Parses `HH:MM` (00:00 to 24:00); nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, text.utf8.allSatisfy({ $0 == 58 || (48...57).contains($0) }),
            let hour = Int(parts[0]), let minute = Int(parts[1]),
            (0...24).contains(hour), (0...59).contains(minute), hour * 60 + minute <= 1440
        else { return nil }
        minutes = hour * 60 + minute
    }

    public var description: String {
        let hour = minutes / 60
        let minute = minutes % 60
        return (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
    }

    public static func < (lhs: TimeOfDay, rhs: TimeOfDay) -> Bool { lhs.minutes < rhs.minutes }

}
