import Foundation
import GRDB

/// What a privacy purge did.
public struct PurgeReport: Codable, Equatable, Sendable {
    public var cutoff: Date
    public var applicants: Int
    public var dryRun: Bool
}

extension AppDatabase {
    /// Pseudonymises the applicants whose tickets are all closed (returned, rejected or
    /// withdrawn) since before `cutoff` (SPEC §8): name becomes "Người nộp #id", identifiers,
    /// phone, e-mail, address and representative are erased, and so are their tickets'
    /// descriptions and locations (a citizen's own words may name them), and an Open311 request's
    /// account, device, media URLs, uploaded photos, address id and attributes; search rows are rewritten.
    /// The free text typed about their tickets' events (`event_note`: notes, reasons, missing
    /// items) is erased too; the events themselves carry only its digest (migration 0010).
    /// Tickets, events and every statistic stay as they were, so the audit chain remains valid.
    /// The purge itself is an event (counts only).
    public func purgePersonalData(closedBefore cutoff: Date, dryRun: Bool, actor: String) async throws -> PurgeReport {
        let now = clock()
        let onServer = isShared
        let report = try await write { db in
            let ids = try Int64.fetchAll(
                db,
                sql: """
                    SELECT a.id FROM applicant a WHERE a.pseudonymised_at IS NULL AND NOT EXISTS (
                        SELECT 1 FROM ticket t WHERE t.applicant = a.id
                        AND (t.state NOT IN ('returned', 'rejected', 'withdrawn') OR coalesce(t.returned_at, t.closed_at, t.received_at) >= ?))
                    """,
                arguments: [cutoff.storedSeconds])
            let report = PurgeReport(cutoff: cutoff, applicants: ids.count, dryRun: dryRun)
            guard !dryRun, !ids.isEmpty else { return report }
            for id in ids {
                try db.cachedExecute(
                    sql: """
                        UPDATE applicant SET name = 'Người nộp #' || id, id_number = NULL, tax_code = NULL, phone = NULL, email = NULL,
                        address = NULL, representative = NULL, representative_phone = NULL, pseudonymised_at = ? WHERE id = ?
                        """,
                    arguments: [now.storedSeconds, id])
                // The search tables are written at the end of the batch, in the writes' order
                // (`GroupCommit.afterWrites`): after the rows an intake of the same batch adds.
                try afterWrites(db) { db in
                    try db.cachedExecute(sql: "DELETE FROM applicant_search WHERE applicant = ?", arguments: [id])
                    try db.cachedExecute(
                        sql: "INSERT INTO applicant_search (applicant, body) VALUES (?, ?)", arguments: [id, "nguoi nop #\(id)"])
                }
                // The citizen's own words and the place may name or locate them too.
                for row in try db.fetchRows(
                    sql: "SELECT t.code, s.name FROM ticket t JOIN service s ON s.code = t.service WHERE t.applicant = ?", arguments: [id])
                {
                    let code: String = row["code"]
                    // Free text typed about them too: refusal reasons, the rating's comment, the
                    // documents' names (often "… của <name>"), a priority reason.
                    try db.cachedExecute(
                        sql: """
                            UPDATE ticket SET description = '', location_address = NULL, location_lat = NULL, location_long = NULL,
                            outcome_note = NULL, rating_comment = NULL, documents = '[]', priority_reason = NULL WHERE code = ?
                            """,
                        arguments: [code])
                    // A remembered answer to a retried intake holds the applicant as it was.
                    // (The stored body is a BLOB on SQLite, bytea on PostgreSQL.)
                    try db.cachedExecute(
                        sql: onServer
                            ? "DELETE FROM idempotency WHERE position(convert_to(?, 'UTF8') IN body) > 0"
                            : "DELETE FROM idempotency WHERE instr(body, ?) > 0",
                        arguments: [code])
                    // An Open311 request's extras: the account, the device, the photos, the place.
                    try db.cachedExecute(
                        sql: """
                            UPDATE open311_request SET address_id = NULL, media_urls = '[]', attributes = '{}', account_id = NULL,
                            device_id = NULL WHERE ticket = ?
                            """,
                        arguments: [code])
                    try db.cachedExecute(sql: "DELETE FROM open311_media WHERE ticket = ?", arguments: [code])
                    // The scans of its documents and its result: the bytes go; what was stored
                    // (type, size, digest) stays, and so do the counts the reports read.
                    try db.cachedExecute(
                        sql: "UPDATE stored_file SET bytes = NULL, erased_at = ? WHERE ticket = ? AND bytes IS NOT NULL",
                        arguments: [now.storedSeconds, code])
                    // Messages told them: their phone, e-mail, name and reasons.
                    try db.cachedExecute(sql: "DELETE FROM outbox WHERE ticket = ?", arguments: [code])
                    // What the department told them about its progress.
                    try db.cachedExecute(sql: "UPDATE progress_post SET text = NULL WHERE ticket = ?", arguments: [code])
                    // The free text of its events (notes, reasons, missing items) kept beside the
                    // chain: the texts and their salt go; the chained digest stays, revealing nothing.
                    try db.cachedExecute(
                        sql: "UPDATE event_note SET texts = NULL, salt = NULL, erased_at = ? WHERE ticket = ? AND texts IS NOT NULL",
                        arguments: [now.storedSeconds, code])
                    let words = TextFolding.searchBody(code + " " + (row["name"] as String))
                    try afterWrites(db) { db in
                        try db.cachedExecute(sql: "DELETE FROM ticket_search WHERE code = ?", arguments: [code])
                        try db.cachedExecute(sql: "INSERT INTO ticket_search (code, body) VALUES (?, ?)", arguments: [code, words])
                    }
                }
            }
            // Deleted search entries leave their words in FTS5's index segments until they merge
            // (PostgreSQL's GIN index drops them at the table's next vacuum, run by the server).
            if !onServer {
                try afterWrites(db) { db in
                    try db.execute(sql: "INSERT INTO applicant_search (applicant_search) VALUES ('optimize')")
                    try db.execute(sql: "INSERT INTO ticket_search (ticket_search) VALUES ('optimize')")
                }
            }
            try EventLog.append(
                db, at: now, actor: actor, action: "privacy.purge", entity: "applicant", entityId: "*",
                detail: ["applicants": String(ids.count), "closedBefore": String(cutoff.storedSeconds)])
            return report
        }
        // The old page versions wait in the WAL until a checkpoint: fold them in and empty it.
        if !report.dryRun, report.applicants > 0 { try await emptyWAL() }
        return report
    }
}
