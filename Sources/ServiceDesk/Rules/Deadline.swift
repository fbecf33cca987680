import Foundation

/// Overdue and at risk (SPEC §2 timeliness): one definition for the ticket, search, backlog
/// and every report, computed at the moment asked.
///
/// - An open ticket is **overdue** when the moment of reference is past its due moment. The
///   moment of reference is now — or, while it waits on the citizen, the moment its clock
///   stopped: the citizen's delay is not the centre's.
/// - It is **at risk** when its clock runs, it is not overdue, and its due moment is within
///   `atRiskDays` working days (the centre's setting, default 1): at or before the horizon.
///
/// Storage's SQL spells the same conditions (`AppDatabase.overdueSQL`, `atRiskSQL`); a test
/// holds the two to the same answers.
public enum Deadline {
    /// The moment an open ticket's due moment is compared with.
    public static func reference(_ ticket: Ticket, now: Date) -> Date {
        ticket.pausedAt.map { min($0, now) } ?? now
    }

    public static func isOverdue(_ ticket: Ticket, now: Date) -> Bool {
        guard ticket.state.isOpen, let due = ticket.dueAt else { return false }
        return reference(ticket, now: now) > due
    }

    /// The latest due moment that is at risk at `now`: `days` working days ahead, counted as a
    /// time limit (the day rule; 0: the close of the current working day).
    public static func atRiskHorizon(now: Date, days: Int, time: WorkingTime) -> Date {
        Reception.due(receivedAt: now, limit: .days(days), cutoff: false, time: time.quiet).due
    }

    public static func isAtRisk(_ ticket: Ticket, now: Date, horizon: Date) -> Bool {
        guard ticket.state.isOpen, ticket.pausedAt == nil, let due = ticket.dueAt else { return false }
        return due >= now && due <= horizon
    }
}

/// The order in which "queue next" takes a department's queued tickets (SPEC §2): priority
/// first (urgent, priority, normal), then the earliest due moment, then the oldest, then the
/// code. Storage's `ORDER BY` is `sql`; a test holds it to `precedes`.
public enum QueueOrder {
    public static func precedes(_ a: Ticket, _ b: Ticket) -> Bool {
        if a.priority.rank != b.priority.rank { return a.priority.rank > b.priority.rank }
        // (A queued ticket always has a due moment; a missing one sorts first, as NULL does in SQL.)
        let (dueA, dueB) = (a.dueAt ?? .distantPast, b.dueAt ?? .distantPast)
        if dueA != dueB { return dueA < dueB }
        if a.receivedAt != b.receivedAt { return a.receivedAt < b.receivedAt }
        return a.code < b.code
    }

    /// The same order as an SQL `ORDER BY` list over the ticket table's columns. It is also the
    /// key of the partial index `ticket_next` (migration 0002), so "next" reads one index entry
    /// instead of sorting the queue: change both together.
    public static let sql = "(CASE priority WHEN 'urgent' THEN 0 WHEN 'priority' THEN 1 ELSE 2 END), due_at, received_at, code"
}

/// The dossier code (*mã số hồ sơ*, Decree 61/2018 art. 26; SPEC §2):
/// `{centre code}-{YYMMDD}-{NNNN}`, the date of reception in the centre's time zone, the
/// sequence restarting every day and widening past 9999 rather than failing.
public enum DossierCode {
    /// `YYMMDD` of a local date: the day key of the sequence.
    public static func day(_ date: LocalDate) -> String {
        padded(date.year % 100, 2) + padded(date.month, 2) + padded(date.day, 2)
    }

    public static func make(centre: String, day: String, sequence: Int) -> String {
        "\(centre)-\(day)-\(padded(sequence, 4))"
    }

    /// Zero-padded decimal; wider numbers keep all their digits (the day's 10000th dossier is 10000).
    static func padded(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
