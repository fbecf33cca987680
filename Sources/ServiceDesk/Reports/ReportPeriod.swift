import Foundation

/// The period a report covers: local dates, `from` and `to` both inclusive (SPEC §6: `--from`,
/// `--to`, or `--period` with a year `2026`, a quarter `2026-Q3` or a month `2026-11`).
public struct ReportPeriod: Codable, Equatable, Sendable {
    public var from: LocalDate
    public var to: LocalDate

    public init(from: LocalDate, to: LocalDate) {
        self.from = from
        self.to = to
    }

    /// `2026`, `2026-Q4`, `2026-11`; nil for anything else.
    public init?(period text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = parts.first, first.count == 4, let year = Int(first), (1970...9999).contains(year) else { return nil }
        switch parts.count {
        case 1:
            from = LocalDate(year: year, month: 1, day: 1)!
            to = LocalDate(year: year, month: 12, day: 31)!
        case 2 where parts[1].uppercased().hasPrefix("Q"):
            guard parts[1].count == 2, let quarter = Int(parts[1].dropFirst()), (1...4).contains(quarter) else { return nil }
            from = LocalDate(year: year, month: quarter * 3 - 2, day: 1)!
            to = LocalDate(year: year, month: quarter * 3, day: LocalDate.daysIn(month: quarter * 3, year: year))!
        case 2:
            guard parts[1].count == 2, let month = Int(parts[1]), (1...12).contains(month) else { return nil }
            from = LocalDate(year: year, month: month, day: 1)!
            to = LocalDate(year: year, month: month, day: LocalDate.daysIn(month: month, year: year))!
        default:
            return nil
        }
    }

    /// From `period`, or from `from` and `to`.
    public static func parse(period: String?, from: String?, to: String?) throws(DeskError) -> ReportPeriod {
        if let period {
            guard from == nil && to == nil else { throw DeskError.validation([FieldError("period", "give either period, or from and to")]) }
            guard let parsed = ReportPeriod(period: period) else {
                throw DeskError.validation([FieldError("period", "must be a year (2026), a quarter (2026-Q4) or a month (2026-11)")])
            }
            return parsed
        }
        var errors: [FieldError] = []
        let start = from.flatMap(LocalDate.init)
        let end = to.flatMap(LocalDate.init)
        if start == nil { errors.append(FieldError("from", "is required (YYYY-MM-DD) unless a period is given")) }
        if end == nil { errors.append(FieldError("to", "is required (YYYY-MM-DD) unless a period is given")) }
        if let start, let end, end < start { errors.append(FieldError("to", "must not be before from")) }
        if !errors.isEmpty { throw DeskError.validation(errors) }
        return ReportPeriod(from: start!, to: end!)
    }

    /// The instants [start, end) of the period in the centre's time zone.
    func instants(_ clock: LocalClock) -> (start: Date, end: Date) {
        (clock.instant(from, minute: 0), clock.instant(to.adding(days: 1), minute: 0))
    }
}
