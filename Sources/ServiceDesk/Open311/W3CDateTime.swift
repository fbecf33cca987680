import Foundation

/// The W3C profile of ISO 8601 that Open311 uses for every datetime: a time zone is mandatory.
public enum W3CDateTime {
    /// Parses `2026-11-30T09:00:00+07:00`, `…Z`, `…+0700`, with or without fractional seconds
    /// (JavaScript's `toISOString` sends milliseconds). A `+` decoded as a space by a lenient
    /// form decoder is taken as `+`. Without a time zone the answer is nil.
    public static func parse(_ text: String) -> Date? {
        var chars = Array(text.trimmingCharacters(in: .whitespaces).utf8)
        // "2026-11-30T09:00:00 07:00": the '+' of the offset arrived as a space.
        if chars.count > 19, let space = chars.lastIndex(of: UInt8(ascii: " ")), space >= 19 { chars[space] = UInt8(ascii: "+") }
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= chars.count else { return nil }
            var value = 0
            for index in range {
                let digit = Int(chars[index]) - 48
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        func at(_ index: Int, _ character: Character) -> Bool { index < chars.count && chars[index] == character.asciiValue! }
        guard let year = number(0..<4), at(4, "-"), let month = number(5..<7), at(7, "-"), let day = number(8..<10),
            at(10, "T") || at(10, "t"), let hour = number(11..<13), at(13, ":"), let minute = number(14..<16)
        else { return nil }
        var index = 16
        var second = 0
        var fraction = 0.0
        if at(16, ":") {
            guard let value = number(17..<19) else { return nil }
            second = value
            index = 19
            if at(19, ".") || at(19, ",") {
                index = 20
                var scale = 0.1
                while index < chars.count, (48...57).contains(chars[index]) {
                    fraction += Double(chars[index] - 48) * scale
                    scale /= 10
                    index += 1
                }
                guard index > 20 else { return nil }
            }
        }
        var offset: Int
        if at(index, "Z") || at(index, "z") {
            offset = 0
            index += 1
        } else if at(index, "+") || at(index, "-") {
            let sign = at(index, "-") ? -1 : 1
            guard let hours = number(index + 1..<index + 3) else { return nil }
            var minutes = 0
            if at(index + 3, ":") {
                guard let value = number(index + 4..<index + 6) else { return nil }
                minutes = value
                index += 6
            } else if let value = number(index + 3..<index + 5) {
                minutes = value
                index += 5
            } else {
                index += 3
            }
            guard hours <= 23, minutes <= 59 else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        } else {
            return nil
        }
        guard index == chars.count, let date = LocalDate(year: year, month: month, day: day), hour <= 23, minute <= 59, second <= 59
        else { return nil }
        let days = date.daysSinceEpoch
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// `2026-11-30T09:00:00+07:00`: whole seconds, the zone's offset at that instant (`Z` for UTC).
    public static func format(_ instant: Date, in zone: TimeZone) -> String {
        let offset = zone.secondsFromGMT(for: instant)
        let local = Int(instant.timeIntervalSince1970.rounded(.down)) + offset
        let days = Int((Double(local) / 86_400).rounded(.down))
        let date = LocalDate(daysSinceEpoch: days)
        let second = local - days * 86_400
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let time = "\(two(second / 3600)):\(two(second % 3600 / 60)):\(two(second % 60))"
        let zoneText =
            offset == 0 ? "Z" : "\(offset < 0 ? "-" : "+")\(two(abs(offset) / 3600)):\(two(abs(offset) % 3600 / 60))"
        return "\(date)T\(time)\(zoneText)"
    }
}
