import Foundation
import GRDB
import PostgresNIO

/// The report rollups on PostgreSQL (issue 18; schema/postgres/0002_rollup_triggers.sql,
/// docs/postgresql.md): counted by the server's own triggers and rebuilt from the rows, never
/// copied. A copy counts them afresh and compares them, row for row, with the file's before it
/// commits — so the rollups of every centre moved are proof that PostgreSQL counts as SQLite does.
///
/// One difference of model: SQLite keeps each multiset of minutes as a blob (`CountedValues`) in
/// `handling_rollup` and `step_rollup`; PostgreSQL keeps a row per value in `handling_minutes` and
/// `step_minutes` (a blob rewritten by PL/pgSQL at every resolution would cost milliseconds). The
/// file's blobs are decoded into those rows to be compared.
extension PostgresStore {
    /// The tables PostgreSQL counts from the rows.
    static let countedTables: Set<String> = [
        "handling_rollup", "handling_minutes", "step_rollup", "step_minutes", "progress_rollup", "satisfaction_rollup",
        "online_counted", "online_rollup", "revenue_counted", "revenue_rollup",
    ]

    /// A SQLite table whose multisets of minutes are rows of another table on PostgreSQL.
    struct Unfolded: Sendable {
        var table: String
        /// The columns that name a row, the same in both tables.
        var keys: [String]
        /// The blob columns, each a `measure` of the rows table.
        var blobs: [String]
        var into: String
    }

    static let unfolded = [
        Unfolded(table: "handling_rollup", keys: ["kind", "day", "key"], blobs: ["working", "calendar"], into: "handling_minutes"),
        Unfolded(table: "step_rollup", keys: ["day", "department"], blobs: ["queued", "worked"], into: "step_minutes"),
    ]

    /// The tables as the file holds them, in the order a copy reads them: the model's, but for the
    /// tables of minutes (not in the file) and with the file's blob columns; the rollups' settings
    /// first (whether the file's rollups are built tells what to do with them; the copy holds the
    /// row back to the end, where it no longer wakes the triggers at every row), the catalogue's
    /// generation last (the catalogue's triggers would overwrite it).
    static func fileTables(_ model: [Table]) -> [Table] {
        let order = ["report_rollup": -1, "catalogue_generation": 1]
        return
            model
            .filter { table in !unfolded.contains { $0.into == table.name } }
            .map { table in
                guard let unfolded = unfolded.first(where: { $0.table == table.name }) else { return table }
                var table = table
                table.columns += unfolded.blobs.map { Column(name: $0, kind: .bytea, identity: false) }
                return table
            }
            .sorted { order[$0.name, default: 0] < order[$1.name, default: 0] }
    }

    /// What the file's rollups are, beside PostgreSQL's, for the transaction: a temporary table
    /// `desk_expected_…` of each counted table, dropped at its end.
    func prepareExpected() async throws {
        for table in Self.countedTables.sorted() {
            try await run("CREATE TEMPORARY TABLE \(Self.quoted(Self.expected(table))) (LIKE \(Self.quoted(table))) ON COMMIT DROP")
        }
    }

    /// The temporary table holding a counted table's expected rows.
    static func expected(_ table: String) -> String { "desk_expected_" + table }

    /// The file's rows of a counted table (as `fileTables` reads it) into its expected table, the
    /// multisets of minutes decoded into rows.
    func insertExpected(_ rows: [[DatabaseValue]], of fileTable: Table) async throws {
        guard let unfolded = Self.unfolded.first(where: { $0.table == fileTable.name }) else {
            return try await insertBatched(rows, into: Table(name: Self.expected(fileTable.name), columns: fileTable.columns))
        }
        let blobIndexes = unfolded.blobs.map { blob in fileTable.columns.firstIndex { $0.name == blob }! }
        let keyIndexes = unfolded.keys.map { key in fileTable.columns.firstIndex { $0.name == key }! }
        let base = fileTable.columns.indices.filter { !blobIndexes.contains($0) }
        var minutes: [[DatabaseValue]] = []
        for row in rows {
            for (blob, index) in zip(unfolded.blobs, blobIndexes) {
                guard case .blob(let data) = row[index].storage, let counted = CountedValues(decoding: [UInt8](data)) else {
                    throw PostgresStoreError(
                        "\(fileTable.name).\(blob) of (\(keyIndexes.map { "\(row[$0])" }.joined(separator: ", "))) in the file is not a counted multiset"
                    )
                }
                for (value, count) in counted.valueCounts {
                    minutes.append(keyIndexes.map { row[$0] } + [blob.databaseValue, value.databaseValue, count.databaseValue])
                }
            }
        }
        try await insertBatched(
            rows.map { row in base.map { row[$0] } },
            into: Table(name: Self.expected(fileTable.name), columns: base.map { fileTable.columns[$0] }))
        let keyColumns = keyIndexes.map { fileTable.columns[$0] }
        try await insertBatched(
            minutes,
            into: Table(
                name: Self.expected(unfolded.into),
                columns: keyColumns + [
                    Column(name: "measure", kind: .text, identity: false), Column(name: "minutes", kind: .bigint, identity: false),
                    Column(name: "times", kind: .bigint, identity: false),
                ]))
    }

    /// Rows in statements of at most a batch each.
    func insertBatched(_ rows: [[DatabaseValue]], into table: Table) async throws {
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + table.batch)
            try await insert(Array(rows[start..<end]), into: table)
            start = end
        }
    }

    /// How a comparison names its two sides.
    struct Sides {
        var differ = "PostgreSQL counted differ from the file's"
        var here = "on PostgreSQL"
        var there = "in the file"
    }

    /// Every counted table against its expected rows, as multisets of rows; the first table that
    /// differs stops it, with a row of each side.
    func compareExpected(_ sides: Sides = Sides()) async throws {
        // A day's minutes are many rows (a million for 100,000 tickets): sorted in memory, not on disk.
        try await run("SET LOCAL work_mem = '64MB'")
        for table in Self.countedTables.sorted() {
            let ours = Self.quoted(table)
            let theirs = Self.quoted(Self.expected(table))
            let onlyHere = "SELECT * FROM \(ours) EXCEPT ALL SELECT * FROM \(theirs)"
            let onlyThere = "SELECT * FROM \(theirs) EXCEPT ALL SELECT * FROM \(ours)"
            let rows = try await run(
                """
                SELECT (SELECT count(*) FROM (\(onlyHere)) a), (SELECT a::text FROM (\(onlyHere)) a LIMIT 1),
                    (SELECT count(*) FROM (\(onlyThere)) b), (SELECT b::text FROM (\(onlyThere)) b LIMIT 1)
                """
            ).decode((Int64, String?, Int64, String?).self)
            for try await (here, hereExample, there, thereExample) in rows where here > 0 || there > 0 {
                throw PostgresStoreError(
                    "the report rollups \(sides.differ) in \(table): \(here) row(s) only \(sides.here)"
                        + (hereExample.map { " (such as \($0))" } ?? "") + ", \(there) only \(sides.there)"
                        + (thereExample.map { " (such as \($0))" } ?? ""))
            }
        }
    }

    /// Counts the rollups afresh at the offset in report_rollup (the file's, built). The moments
    /// the reports bound their reads by (the longest life, the latest facts and lags) only grow:
    /// the larger of the file's and the count stays.
    func rebuildKeepingBounds() async throws {
        try await run("CREATE TEMPORARY TABLE desk_expected_report_rollup ON COMMIT DROP AS SELECT * FROM report_rollup")
        try await run("SELECT desk_rollups_rebuild(utc_offset) FROM report_rollup WHERE id = 1")
        try await run(
            """
            UPDATE report_rollup r SET longest_life = greatest(r.longest_life, e.longest_life),
                online_latest = greatest(r.online_latest, e.online_latest),
                online_longest_lag = greatest(r.online_longest_lag, e.online_longest_lag),
                revenue_latest = greatest(r.revenue_latest, e.revenue_latest),
                revenue_longest_lag = greatest(r.revenue_longest_lag, e.revenue_longest_lag)
            FROM desk_expected_report_rollup e WHERE r.id = e.id
            """)
    }

    /// The offset the rollups are counted at; nil when they are not built.
    func rollupOffset() async throws -> Int64? {
        try await value(Int64?.self, "SELECT utc_offset FROM report_rollup WHERE id = 1") ?? nil
    }

    /// What `db check` finds of the report rollups.
    public struct RollupCheck: Codable, Sendable {
        /// Whether they are built (an offset in report_rollup); not built, nothing to compare.
        public var built: Bool
        /// How the rollups the triggers kept differ from a count afresh; nil when they agree.
        public var problem: String?
    }

    /// Whether the rollups the triggers kept agree with the rows (`deskcli db check`): counted
    /// afresh in a transaction rolled back at the end, and compared. The rebuild locks the tables
    /// it counts against writes while it runs (seconds on a large centre).
    public func checkRollups() async throws -> RollupCheck {
        guard let offset = try await rollupOffset() else {
            return RollupCheck(built: false)
        }
        try await run("BEGIN")
        do {
            // The rows the triggers kept become the expected ones; the rebuild then counts afresh.
            try await prepareExpected()
            for table in Self.countedTables.sorted() {
                try await run("INSERT INTO \(Self.quoted(Self.expected(table))) SELECT * FROM \(Self.quoted(table))")
            }
            try await run("SELECT desk_rollups_rebuild(\(offset))")
            var problem: String?
            do {
                try await compareExpected(
                    Sides(differ: "counted afresh from the rows differ from those kept", here: "in the count", there: "among those kept"))
            } catch let error as PostgresStoreError {
                problem = error.description
            }
            try await run("ROLLBACK")
            return RollupCheck(built: true, problem: problem)
        } catch {
            _ = try? await run("ROLLBACK")
            throw error
        }
    }

    /// Whether the rollups PostgreSQL keeps are the file's, row for row (a test compares the two
    /// engines after the same writes; nothing is written). The file's rollups are read whole: a
    /// centre's are a few rows per day and group.
    public func verifyRollups(against source: AppDatabase) async throws {
        let tables = Self.fileTables(try await modelTables()).filter { Self.countedTables.contains($0.name) }
        let (offset, rows) = try await source.read { db in
            (
                try Int64.fetchOne(db, sql: "SELECT utc_offset FROM report_rollup WHERE id = 1"),
                try tables.map { table in
                    let names = table.columns.map { Self.quoted($0.name) }.joined(separator: ", ")
                    return try Row.fetchAll(db, sql: "SELECT \(names) FROM \(Self.quoted(table.name))").map { Array($0.databaseValues) }
                }
            )
        }
        let ours = try await rollupOffset()
        guard ours == offset else {
            throw PostgresStoreError(
                "the rollups are counted at offset \(ours.map(String.init) ?? "none") here and \(offset.map(String.init) ?? "none") in the file"
            )
        }
        try await transaction {
            try await self.prepareExpected()
            for (table, rows) in zip(tables, rows) { try await self.insertExpected(rows, of: table) }
            try await self.compareExpected()
        }
    }
}
