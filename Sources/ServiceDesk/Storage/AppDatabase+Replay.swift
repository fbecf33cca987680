import Foundation
import GRDB

extension AppDatabase {
    /// Recomputes the stored durations of every resolved ticket from its event log over the
    /// calendar now in force (after a holiday was added late, say): the working time waited on
    /// the citizen (each request-supplement → supplement-received), and the working handling time
    /// from acceptance to the result minus that wait. Timeliness is not touched: a ticket is judged
    /// against the due moment it was promised. Returns how many tickets changed.
    public func replayDurations(actor: String) throws -> Int {
        let now = clock()
        return try writer.write { db in
            let (_, time) = try self.workingTime(db)
            var changed = 0
            let tickets = try Row.fetchAll(
                db,
                sql: """
                    SELECT code, coalesce(accepted_at, received_at) AS accepted, resolved_at, paused_minutes, handling_working_minutes
                    FROM ticket WHERE resolved_at IS NOT NULL
                    """)
            for row in tickets {
                let code: String = row["code"]
                var paused: Int = row["paused_minutes"]
                let events = try db.fetchRows(
                    sql: "SELECT at, action, detail FROM event WHERE entity = 'ticket' AND entity_id = ? ORDER BY id", arguments: [code])
                if events.contains(where: { ($0["action"] as String) == "ticket.intake" }) {
                    paused = 0
                    var waitingSince: Int64?
                    for event in events {
                        let action: String = event["action"]
                        let at: Int64 = event["at"]
                        if action == "ticket.request-supplement" { waitingSince = at }
                        if action == "ticket.supplement-received", let since = waitingSince {
                            let detail: String = event["detail"]
                            // The first completion of a dossier incomplete at intake starts the clock: not a wait.
                            if !detail.contains(#""clock":"start""#) {
                                paused += time.workingMinutes(from: Date(storedSeconds: since), to: Date(storedSeconds: at))
                            }
                            waitingSince = nil
                        }
                    }
                }
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
