import Foundation
import SwiftCSV

/// A problem with one entry of an imported file, reported with where it is.
public struct ImportIssue: Equatable, Sendable, CustomStringConvertible {
    /// `line 12`, `row 3`, `event 2`: where a person finds it in the file.
    public var location: String
    public var message: String

    public init(location: String, message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}

/// Reads holidays and make-up days from iCalendar (`.ics`, RFC 5545) and CSV files (SPEC §3).
/// No iCalendar package is available for Swift on Linux here, and only whole-day events are
/// needed, so this reads the small subset that calendar programs export for them.
public enum CalendarImport {
    public struct Result: Sendable {
        public var days: [CalendarDay]
        public var issues: [ImportIssue]
    }

    /// `VEVENT`s with `DTSTART;VALUE=DATE` (and optionally `DTEND`, exclusive, for several
    /// days) become holidays named by `SUMMARY`; an event whose `CATEGORIES` contains
    /// `WORKDAY` (or `MAKE-UP`) is a make-up working day. Events with `RRULE` are reported,
    /// not expanded: Vietnam's lunar holidays move every year, so each year is listed by date.
    public static func parseICS(_ text: String) -> Result {
        var days: [CalendarDay] = []
        var issues: [ImportIssue] = []
        // RFC 5545 §3.1: a line starting with a space or tab continues the previous one.
        var lines: [(number: Int, text: String)] = []
        // `Character.isNewline` covers "\n", "\r" and the single character "\r\n" of CRLF files.
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = String(raw)
            if let first = line.first, first == " " || first == "\t", !lines.isEmpty {
                lines[lines.count - 1].text += line.dropFirst()
            } else if !line.isEmpty {
                lines.append((index + 1, line))
            }
        }
        guard lines.first?.text.uppercased() == "BEGIN:VCALENDAR" else {
            return Result(
                days: [], issues: [ImportIssue(location: "line 1", message: "not an iCalendar file (it must start with BEGIN:VCALENDAR)")])
        }
        var event: [String: (params: String, value: String)]?
        var eventLine = 0
        for (number, line) in lines {
            let upper = line.uppercased()
            if upper == "BEGIN:VEVENT" {
                event = [:]
                eventLine = number
                continue
            }
            if upper == "END:VEVENT", let properties = event {
                let location = "event at line \(eventLine)"
                event = nil
                if properties["RRULE"] != nil {
                    issues.append(
                        ImportIssue(location: location, message: "repeating events (RRULE) are not expanded; list each year's dates"))
                    continue
                }
                guard let start = properties["DTSTART"], let first = date(fromICS: start.value) else {
                    issues.append(ImportIssue(location: location, message: "DTSTART must be a date (YYYYMMDD)"))
                    continue
                }
                var last = first
                if let end = properties["DTEND"] {
                    guard let endDate = date(fromICS: end.value), endDate > first else {
                        issues.append(ImportIssue(location: location, message: "DTEND must be a date after DTSTART"))
                        continue
                    }
                    last = endDate.adding(days: -1)  // DTEND of an all-day event is exclusive
                }
                let name = unescape(properties["SUMMARY"]?.value ?? "")
                if name.isEmpty {
                    issues.append(ImportIssue(location: location, message: "SUMMARY (the day's name) is missing"))
                    continue
                }
                let categories = (properties["CATEGORIES"]?.value ?? "").uppercased()
                let kind: CalendarDayKind = categories.contains("WORKDAY") || categories.contains("MAKE-UP") ? .workday : .holiday
                if last.daysSinceEpoch - first.daysSinceEpoch > 31 {
                    issues.append(ImportIssue(location: location, message: "spans more than a month; is DTEND right?"))
                    continue
                }
                var day = first
                while day <= last {
                    days.append(CalendarDay(date: day, kind: kind, name: Text.clean(name)))
                    day = day.adding(days: 1)
                }
                continue
            }
            guard event != nil, let colon = line.firstIndex(of: ":") else { continue }
            let head = line[..<colon]
            let nameEnd = head.firstIndex(of: ";") ?? head.endIndex
            let property = head[..<nameEnd].uppercased()
            event?[property] = (String(head[nameEnd...]), String(line[line.index(after: colon)...]))
        }
        return Result(days: days, issues: issues)
    }

    /// `date,kind,name` with a header row; `kind` is `holiday` (default) or `workday`.
    public static func parseCSV(_ text: String) -> Result {
        var days: [CalendarDay] = []
        var issues: [ImportIssue] = []
        let csv: CSV<Named>
        do {
            csv = try CSV<Named>(string: text, delimiter: .comma, loadColumns: false)
        } catch {
            return Result(days: [], issues: [ImportIssue(location: "file", message: "not readable as CSV: \(error)")])
        }
        guard csv.header.contains("date"), csv.header.contains("name") else {
            return Result(
                days: [],
                issues: [ImportIssue(location: "row 1", message: "the header must name the columns date, name and optionally kind")])
        }
        for (index, row) in csv.rows.enumerated() {
            let location = "row \(index + 2)"
            guard let date = LocalDate(row["date"]?.trimmingCharacters(in: .whitespaces) ?? "") else {
                issues.append(ImportIssue(location: location, message: "date must be YYYY-MM-DD"))
                continue
            }
            let kindText = (row["kind"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
            guard let kind = kindText.isEmpty ? .holiday : CalendarDayKind(rawValue: kindText) else {
                issues.append(ImportIssue(location: location, message: "kind must be holiday or workday"))
                continue
            }
            let name = Text.clean(row["name"] ?? "")
            guard !name.isEmpty else {
                issues.append(ImportIssue(location: location, message: "name is required"))
                continue
            }
            days.append(CalendarDay(date: date, kind: kind, name: name))
        }
        return Result(days: days, issues: issues)
    }

    static func date(fromICS value: String) -> LocalDate? {
        let digits = value.prefix(8)
        guard digits.count == 8, digits.allSatisfy(\.isNumber) else { return nil }
        let text = "\(digits.prefix(4))-\(digits.dropFirst(4).prefix(2))-\(digits.suffix(2))"
        return LocalDate(text)
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\n", with: " ").replacingOccurrences(of: "\\,", with: ",")
            .replacingOccurrences(of: "\\;", with: ";").replacingOccurrences(of: "\\\\", with: "\\")
    }
}
