import Foundation

/// Converts instants to the centre's local dates and minutes and back, through the IANA time
/// zone (so a zone with daylight saving is handled too; Vietnam has none).
public struct LocalClock: Sendable {
    public let timeZone: TimeZone

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    public init?(identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        timeZone = zone
    }

    /// The local date and the minute of that day (seconds dropped).
    public func local(_ instant: Date) -> (date: LocalDate, minute: Int) {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down)) + timeZone.secondsFromGMT(for: instant)
        let days = Int((Double(seconds) / 86_400).rounded(.down))
        return (LocalDate(daysSinceEpoch: days), (seconds - days * 86_400) / 60)
    }

    /// The instant of a local date and minute (minute 1440 is midnight ending the day).
    public func instant(_ date: LocalDate, minute: Int) -> Date {
        let naive = date.daysSinceEpoch * 86_400 + minute * 60
        let first = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(naive)))
        var result = naive - first
        let second = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(result)))
        if second != first { result = naive - second }
        return Date(timeIntervalSince1970: TimeInterval(result))
    }

    /// An instant written as an RFC 3339 timestamp (`2026-12-07T09:00:00+07:00`) or as local
    /// time in this zone (`2026-12-07 09:00`, `2026-12-07T09:00`); nil for anything else.
    public func instant(parsing text: String) -> Date? {
        if let instant = W3CDateTime.parse(text) { return instant }
        // `YYYY-MM-DD HH:MM`; a query string may carry the space as `+`.
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "T" || $0 == "+" })
        guard parts.count == 2, let date = LocalDate(String(parts[0])), let time = TimeOfDay(String(parts[1])) else { return nil }
        return instant(date, minute: time.minutes)
    }

    /// `2026-12-01 10:00` in local time, for explanations.
    public func describe(_ instant: Date) -> String {
        let (date, minute) = local(instant)
        return "\(date) \(TimeOfDay(minutes: minute))"
    }
}

extension TimeOfDay {
    init(minutes: Int) {
        self.init(hour: minutes / 60, minute: minutes % 60)
    }
}
