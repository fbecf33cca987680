import Foundation
import GRDB
import PostgresNIO
import Synchronization

/// `deskcli db copy`: a centre moved from its SQLite file to a PostgreSQL database, table for
/// table and row for row, in one transaction that is committed only once it is proved: every
/// table holds as many rows as the file had, the audit chain verifies on PostgreSQL, and its head
/// is the file's head. The file is read in one read transaction (a consistent snapshot, even
/// while a deskd writes to it).
extension PostgresStore {
    public struct CopyReport: Codable, Sendable {
        public struct Table: Codable, Sendable, Equatable {
            public var name: String
            public var rows: Int
        }
        public var tables: [Table]
        public var rows: Int { tables.reduce(0) { $0 + $1.rows } }
        /// What became of the report rollups.
        public enum Rollups: String, Codable, Sendable {
            /// Counted by PostgreSQL from the rows, and equal to the file's.
            case compared
            /// The file had them not built: counted by PostgreSQL at the centre's offset.
            case counted
            /// Neither built nor counted: the file holds no centre (no time zone to count days in).
            case notBuilt
        }
        public var rollups: Rollups
        public var eventChain: ChainVerification
        /// The head of the chain, the same on both sides.
        public var head: ChainAnchor?
    }

    /// A column of the PostgreSQL model, and how a SQLite value goes into it.
    struct Column: Sendable {
        enum Kind: String, Sendable {
            case bigint
            case double = "double precision"
            case text, bytea
        }
        var name: String
        var kind: Kind
        var identity: Bool
    }

    struct Table: Sendable {
        var name: String
        var columns: [Column]
        /// Rows per INSERT: PostgreSQL takes at most 65,535 parameters in one statement.
        var batch: Int { max(1, min(1000, 65_535 / max(columns.count, 1))) }
        /// Bytes of text and blobs per INSERT, whatever the rows: a scan is up to 10 MiB, and
        /// PostgreSQL refuses a message over 1 GB long before the rows' count is reached.
        static let batchBytes = 8 << 20
    }

    /// Copies the centre; `progress` hears of each table once its rows are in (name, rows).
    public func copy(from source: AppDatabase, progress: (_ table: String, _ rows: Int) -> Void = { _, _ in }) async throws
        -> CopyReport
    {
        try await schemaState().require(location)
        let centres = try await value(Int64.self, "SELECT count(*) FROM centre") ?? 0
        let events = try await value(Int64.self, "SELECT count(*) FROM event") ?? 0
        guard centres == 0, events == 0 else {
            throw PostgresStoreError(
                "\(location.redacted) already holds a centre: a copy goes into a new database only (createdb, deskcli db migrate, then copy)"
            )
        }
        let model = try await modelTables()
        let tables = Self.fileTables(model)
        try source.matchModel(tables)

        // The offset the rollups are counted at now, should the file have them not built.
        let centreOffset = try? await source.read { db in try source.centreOffset(db, at: source.clock()) }
        var counted: [Int: Int] = [:]
        var settings: (table: Int, rows: [[DatabaseValue]])?
        var fileOffset: Int64?
        var head: ChainAnchor?
        var sequences: [String: Int64] = [:]
        var complete = false
        return try await transaction {
            try await self.run("SET CONSTRAINTS ALL DEFERRED")
            // The rows the migrations put in (settings, severity classes) make way for the file's.
            for table in model { try await self.run("DELETE FROM \(Self.quoted(table.name))") }
            try await self.prepareExpected()
            let pipe = CopyPipe()
            pipe.start(source: source, tables: tables)
            do {
                for try await part in pipe.parts {
                    pipe.received()
                    switch part {
                    case .rows(let index, let rows) where tables[index].name == "report_rollup":
                        // Read first, held back to the end (in, it would wake the triggers at every row).
                        settings = (index, rows)
                        fileOffset = rows.first.flatMap { row in
                            zip(tables[index].columns, row).first { $0.0.name == "utc_offset" }.flatMap { Int64.fromDatabaseValue($0.1) }
                        }
                    case .rows(let index, let rows) where Self.countedTables.contains(tables[index].name):
                        // Compared when the file has them built (not built: rows of an older offset, if any).
                        if fileOffset != nil { try await self.insertExpected(rows, of: tables[index]) }
                    case .rows(let index, let rows): try await self.insert(rows, into: tables[index])
                    case .tableEnd(let index, let count):
                        counted[index] = count
                        progress(tables[index].name, count)
                    case .end(let anchor, let numbered):
                        head = anchor
                        sequences = numbered
                        complete = true
                    }
                }
                // A stream that ends without its last part was cancelled: nothing is committed.
                guard complete else { throw CancellationError() }
            } catch {
                await pipe.stop()
                throw error
            }
            // Row ids assigned by PostgreSQL from here on follow the file's: past its largest id,
            // and for AUTOINCREMENT tables past any id it ever gave (sqlite_sequence).
            for table in tables {
                for column in table.columns where column.identity {
                    let given = sequences[table.name] ?? 0
                    try await self.run(
                        "SELECT setval(pg_get_serial_sequence('\(Self.quoted(table.name))', '\(column.name)'), greatest((SELECT coalesce(max(\(Self.quoted(column.name))), 0) FROM \(Self.quoted(table.name))), \(given)) + 1, false)"
                    )
                }
            }
            // The report rollups, counted by PostgreSQL from the rows: compared with the file's when
            // it has them built; else counted at the centre's offset, as deskd does at its start.
            if let settings { try await self.insert(settings.rows, into: tables[settings.table]) }
            let rollups: CopyReport.Rollups
            if fileOffset != nil {
                try await self.rebuildKeepingBounds()
                try await self.compareExpected()
                rollups = .compared
            } else if let centreOffset {
                try await self.run("SELECT desk_rollups_rebuild(\(centreOffset))")
                rollups = .counted
            } else {
                rollups = .notBuilt
            }
            // The proof, before the commit: counts, the rollups, the chain, its head.
            var copied: [CopyReport.Table] = []
            for (index, table) in tables.enumerated() {
                let rows = Int(try await self.value(Int64.self, "SELECT count(*) FROM \(Self.quoted(table.name))") ?? -1)
                if Self.countedTables.contains(table.name) {
                    copied.append(CopyReport.Table(name: table.name, rows: rows))
                    continue
                }
                guard rows == counted[index] ?? 0 else {
                    throw PostgresStoreError(
                        "\(table.name): \(counted[index] ?? 0) row(s) in the file, \(rows) copied; nothing was committed")
                }
                copied.append(CopyReport.Table(name: table.name, rows: rows))
            }
            let chain = try await self.walkChain(anchors: [])
            guard chain.intact else {
                throw PostgresStoreError("the audit chain does not verify on PostgreSQL: \(chain.reason ?? ""); nothing was committed")
            }
            let copiedHead = try await self.head(at: Date())
            guard copiedHead?.eventId == head?.eventId, copiedHead?.hash == head?.hash else {
                throw PostgresStoreError("the audit chain's head differs from the file's; nothing was committed")
            }
            return CopyReport(tables: copied, rollups: rollups, eventChain: chain, head: head)
        }
    }

    /// The PostgreSQL model's tables and their columns (generated columns, computed by the
    /// server, are not copied).
    func modelTables() async throws -> [Table] {
        let rows = try await run(
            """
            SELECT c.table_name::text, c.column_name::text, c.data_type::text, c.is_identity::text
            FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.is_generated = 'NEVER'
                AND c.table_name NOT IN (\(Self.serverTables.map { "'\($0)'" }.joined(separator: ", ")))
            ORDER BY c.table_name, c.ordinal_position
            """
        ).decode((String, String, String, String).self)
        var tables: [Table] = []
        for try await (table, name, type, identity) in rows {
            guard let kind = Column.Kind(rawValue: type) else {
                throw PostgresStoreError("\(table).\(name) is of type \(type), which the copy does not know")
            }
            if tables.last?.name != table { tables.append(Table(name: table, columns: [])) }
            tables[tables.count - 1].columns.append(Column(name: name, kind: kind, identity: identity == "YES"))
        }
        return tables
    }

    func insert(_ rows: [[DatabaseValue]], into table: Table) async throws {
        guard !rows.isEmpty else { return }
        let width = table.columns.count
        var bindings = PostgresBindings(capacity: rows.count * width)
        var values: [String] = []
        values.reserveCapacity(rows.count)
        for (rowIndex, row) in rows.enumerated() {
            let first = rowIndex * width
            values.append("(" + (1...width).map { "$\(first + $0)" }.joined(separator: ", ") + ")")
            for (column, value) in zip(table.columns, row) {
                try Self.bind(value, as: column, of: table.name, into: &bindings)
            }
        }
        let names = table.columns.map { Self.quoted($0.name) }.joined(separator: ", ")
        let sql = "INSERT INTO \(Self.quoted(table.name)) (\(names)) VALUES " + values.joined(separator: ", ")
        try await run(PostgresQuery(unsafeSQL: sql, binds: bindings))
    }

    /// A SQLite value into a PostgreSQL column of the same model: as it is where the types
    /// agree, converted only where no value is lost (an integer into a real or a text column,
    /// a whole real into an integer one); anything else stops the copy and names the column.
    static func bind(_ value: DatabaseValue, as column: Column, of table: String, into bindings: inout PostgresBindings) throws {
        switch (value.storage, column.kind) {
        case (.null, _): bindings.appendNull()
        case (.int64(let number), .bigint): bindings.append(number)
        case (.int64(let number), .double) where Double(exactly: number) != nil: bindings.append(Double(number))
        case (.int64(let number), .text): bindings.append(String(number))
        case (.double(let number), .double): bindings.append(number)
        case (.double(let number), .bigint) where Int64(exactly: number) != nil:
            bindings.append(Int64(number))
        case (.string(let text), .text): bindings.append(text)
        case (.blob(let bytes), .bytea): bindings.append(ByteBuffer(bytes: bytes))
        default:
            throw PostgresStoreError(
                "\(table).\(column.name) holds \(value) in the file, which does not fit its \(column.kind.rawValue) column")
        }
    }

    static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}

extension AppDatabase {
    /// The file's tables, as its connections see them: the engine's own (sqlite_*), GRDB's
    /// record of migrations and the FTS5 tables' shadow tables are not the model's.
    func modelTables(_ db: Database) throws -> [String] {
        let rows = try Row.fetchAll(
            db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations'")
        let virtual = rows.filter { ($0["sql"] as String? ?? "").hasPrefix("CREATE VIRTUAL TABLE") }.map { $0["name"] as String }
        return rows.map { $0["name"] as String }.filter { name in !virtual.contains { name.hasPrefix($0 + "_") } }.sorted()
    }

    /// The copy needs the same tables with the same columns on both sides: a SQLite migration
    /// without its PostgreSQL twin stops it before anything is written.
    func matchModel(_ tables: [PostgresStore.Table]) throws {
        try writer.read { db in
            let fileTables = try modelTables(db)
            let modelNames = tables.map(\.name)
            let missing = fileTables.filter { !modelNames.contains($0) }
            let extra = modelNames.filter { !fileTables.contains($0) }
            guard missing.isEmpty, extra.isEmpty else {
                throw PostgresStoreError(
                    "the file and the PostgreSQL model differ: "
                        + [
                            missing.isEmpty ? nil : "only in the file: \(missing.joined(separator: ", "))",
                            extra.isEmpty ? nil : "only in PostgreSQL: \(extra.joined(separator: ", "))",
                        ].compactMap { $0 }.joined(separator: "; "))
            }
            for table in tables {
                let fileColumns = Set(try db.columns(in: table.name).map(\.name))
                let modelColumns = Set(table.columns.map(\.name))
                guard fileColumns == modelColumns else {
                    throw PostgresStoreError(
                        "\(table.name) has columns \(fileColumns.subtracting(modelColumns).sorted()) only in the file and \(modelColumns.subtracting(fileColumns).sorted()) only in PostgreSQL"
                    )
                }
            }
        }
    }
}

/// The file read on a thread of its own, in one read transaction, handing rows to the async
/// side a few batches ahead (a semaphore holds the reader back, so a large centre never sits
/// in memory whole).
final class CopyPipe: Sendable {
    enum Part: Sendable {
        case rows(table: Int, [[DatabaseValue]])
        case tableEnd(table: Int, rows: Int)
        /// The last part: the chain's head and the AUTOINCREMENT tables' last ids, as the file had them.
        case end(head: ChainAnchor?, sequences: [String: Int64])
    }

    let parts: AsyncThrowingStream<Part, any Error>
    private let continuation: AsyncThrowingStream<Part, any Error>.Continuation
    private let permits = DispatchSemaphore(value: 4)
    private let stopped = Mutex(false)
    /// Signalled once the reader is out of its read transaction.
    private let finished = DispatchSemaphore(value: 0)

    init() {
        (parts, continuation) = AsyncThrowingStream.makeStream(of: Part.self)
        // Whoever reads gives up — an error, or the task cancelled — the reader stops too.
        continuation.onTermination = { [weak self] _ in
            self?.stopped.withLock { $0 = true }
            self?.permits.signal()
        }
    }

    func start(source: AppDatabase, tables: [PostgresStore.Table]) {
        let continuation = self.continuation
        DispatchQueue.global().async { [self] in
            defer { finished.signal() }
            do {
                try source.writer.read { db in
                    for (index, table) in tables.enumerated() {
                        let names = table.columns.map { PostgresStore.quoted($0.name) }.joined(separator: ", ")
                        let cursor = try Row.fetchCursor(db, sql: "SELECT \(names) FROM \(PostgresStore.quoted(table.name))")
                        var rows: [[DatabaseValue]] = []
                        var bytes = 0
                        var count = 0
                        while let row = try cursor.next() {
                            let values = Array(row.databaseValues)
                            for value in values {
                                switch value.storage {
                                case .string(let text): bytes += text.utf8.count
                                case .blob(let data): bytes += data.count
                                default: bytes += 8
                                }
                            }
                            rows.append(values)
                            count += 1
                            if rows.count == table.batch || bytes >= PostgresStore.Table.batchBytes {
                                try send(.rows(table: index, rows))
                                rows = []
                                bytes = 0
                            }
                        }
                        if !rows.isEmpty { try send(.rows(table: index, rows)) }
                        try send(.tableEnd(table: index, rows: count))
                    }
                    let sequences = try Row.fetchAll(db, sql: "SELECT name, seq FROM sqlite_sequence").reduce(into: [String: Int64]()) {
                        $0[$1["name"]] = $1["seq"]
                    }
                    try send(.end(head: try EventLog.anchor(SQLiteSession(db), at: Date()), sequences: sequences))
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
    }

    private func send(_ part: Part) throws {
        permits.wait()
        if stopped.withLock({ $0 }) { throw CancellationError() }
        continuation.yield(part)
    }

    /// One part taken: the reader may read one more.
    func received() { permits.signal() }

    /// The async side gave up on an error: the reader stops at its next batch, and its
    /// transaction ends before this returns.
    func stop() async {
        stopped.withLock { $0 = true }
        permits.signal()
        do {
            for try await _ in parts { permits.signal() }
        } catch {}
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async { [finished] in
                finished.wait()
                done.resume()
            }
        }
    }
}
