import Foundation
import GRDB

extension AppDatabase {
    /// Recomputes the stored durations of every resolved ticket from its event log over the
    /// calendar now in force (after a holiday was added late, say), by the same fold as
    /// `explain-due` (`TicketClock`): the working time waited on the citizen, and the working
    /// handling time from acceptance to the result minus that wait. Timeliness is not touched: a
    /// ticket is judged against the due moment it was promised. Returns how many tickets changed.
    public func replayDurations(actor: String) throws -> Int {
        let now = clock()
        return try writeNow { db in
            let (_, time) = try self.workingTime(db)
            var changed = 0
            let tickets = try Row.fetchAll(
                db,
                sql: """
                    SELECT code, channel, coalesce(accepted_at, received_at) AS accepted, resolved_at, paused_minutes,
                        handling_working_minutes
                    FROM ticket WHERE resolved_at IS NOT NULL
                    """)
            // The terms do not move the waits a fold counts; one set for all.
            let terms = TicketClock.Terms(limit: .days(1), cutoff: false, rule: .restart)
            for row in tickets {
                let code: String = row["code"]
                let events = try Self.clockEvents(db, code)
                // A ticket seeded without a history (deskcli demo seed) keeps its stored wait.
                let paused =
                    events.isEmpty ? (row["paused_minutes"] as Int) : TicketClock.fold(events, terms: terms, time: time).pausedMinutes
                let accepted = Date(storedSeconds: row["accepted"])
                let resolved = Date(storedSeconds: row["resolved_at"])
                let handling = max(0, time.workingMinutes(from: accepted, to: resolved) - paused)
                if handling != (row["handling_working_minutes"] as Int?) || paused != (row["paused_minutes"] as Int) {
                    try db.cachedExecute(
                        sql: "UPDATE ticket SET paused_minutes = ?, handling_working_minutes = ? WHERE code = ?",
                        arguments: [paused, handling, code])
                    changed += 1
                }
            }
            try EventLog.append(
                db, at: now, actor: actor, action: "reports.replay", entity: "centre", entityId: "durations",
                detail: ["changed": String(changed)])
            return changed
        }
    }
}
