import GRDB
import GRDBSQLite

/// The statements of ServiceDesk's storage, whichever engine runs them (issue 18;
/// docs/postgresql.md, "The daemon's storage"): what every read and write of `AppDatabase`
/// needs from a connection inside its transaction — run a statement, fetch rows or values, and
/// the two facts a statement leaves (the row id it inserted, the rows it changed). One SQL for
/// both engines, written in the subset they share; rows come back as GRDB's `Row`, so the
/// decoders (`Rows.swift`) are the same too.
///
/// `cached` keeps the statement prepared on its connection (fixed SQL on the hot paths, never
/// SQL built per request). Sessions are used synchronously, by one thread, inside the
/// transaction their engine opened around them.
protocol SQLSession {
    func execute(sql: String, arguments: SQLArguments, cached: Bool) throws
    func fetchRows(sql: String, arguments: SQLArguments, cached: Bool) throws -> [Row]
    func fetchRow(sql: String, arguments: SQLArguments, cached: Bool) throws -> Row?
    func fetchCursor(sql: String, arguments: SQLArguments, cached: Bool) throws -> AnyCursor<Row>
    func fetchValue<Value: DatabaseValueConvertible & StatementColumnConvertible>(
        _ type: Value.Type, sql: String, arguments: SQLArguments, cached: Bool
    ) throws -> Value?
    func fetchValues<Value: DatabaseValueConvertible & StatementColumnConvertible>(
        _ type: Value.Type, sql: String, arguments: SQLArguments, cached: Bool
    ) throws -> [Value]
    /// The row id of the last row an `INSERT` on this session added.
    var lastInsertedRowID: Int64 { get throws }
    /// How many rows the last `INSERT`, `UPDATE` or `DELETE` changed.
    var changesCount: Int { get }
    /// The SQLite connection underneath, for the few things only SQLite does (its statements
    /// stepped by hand in the exact report scans, the batch's tail); nil on another engine.
    var sqlite: Database? { get }
}

extension SQLSession {
    // The statements of the write path are prepared once per connection and kept in the
    // session's statement cache: preparing (parsing, planning, GRDB's authorizer) cost more CPU
    // per intake than running them. Only fixed SQL goes through the cached forms.

    func execute(sql: String, arguments: SQLArguments = []) throws {
        try execute(sql: sql, arguments: arguments, cached: false)
    }

    func cachedExecute(sql: String, arguments: SQLArguments = []) throws {
        try execute(sql: sql, arguments: arguments, cached: true)
    }

    func fetchRow(sql: String, arguments: SQLArguments = []) throws -> Row? {
        try fetchRow(sql: sql, arguments: arguments, cached: true)
    }

    func fetchRows(sql: String, arguments: SQLArguments = []) throws -> [Row] {
        try fetchRows(sql: sql, arguments: arguments, cached: true)
    }

    func fetchValue<Value: DatabaseValueConvertible & StatementColumnConvertible>(
        _ type: Value.Type, sql: String, arguments: SQLArguments = []
    ) throws -> Value? {
        try fetchValue(type, sql: sql, arguments: arguments, cached: true)
    }

    func fetchValues<Value: DatabaseValueConvertible & StatementColumnConvertible>(
        _ type: Value.Type, sql: String, arguments: SQLArguments = []
    ) throws -> [Value] {
        try fetchValues(type, sql: sql, arguments: arguments, cached: true)
    }
}

extension SQLSession {
    /// Counts one more on a counter row — an upsert whose update adds 1 to its `last` — and
    /// answers the row's new `last`: a day's dossier sequence, a form's numbers of the year, a
    /// tracking book's entries, a service's walk-in numbers of the day. On SQLite the upsert runs
    /// without `RETURNING` and `read` reads the row by its key (`key`), in the same transaction,
    /// because SQLite gathers a `RETURNING` statement's rows in a temporary b-tree it opens and
    /// closes at every run — 40,487 instructions for the upsert with it against 23,719 for the
    /// upsert and the read (callgrind); an intake takes two or three numbers (docs/benchmarks.md,
    /// "Numbers without RETURNING"). On PostgreSQL `RETURNING last` answers in the statement's own
    /// round trip.
    func counted(_ upsert: String, arguments: SQLArguments, read: String, key: SQLArguments) throws -> Int? {
        guard sqlite != nil else {
            return try fetchValue(Int.self, sql: upsert + " RETURNING last", arguments: arguments, cached: true)
        }
        try execute(sql: upsert, arguments: arguments, cached: true)
        return try fetchValue(Int.self, sql: read, arguments: key, cached: true)
    }

    /// Whether an upsert whose `DO UPDATE` has a WHERE wrote its row (inserted it, or updated it
    /// because the WHERE held): on SQLite by the rows it changed (0 when the WHERE refused),
    /// without `RETURNING`'s temporary b-tree (see `counted`); on PostgreSQL by whether
    /// `RETURNING` gives a row back.
    func wrote(_ upsert: String, arguments: SQLArguments) throws -> Bool {
        guard sqlite != nil else {
            return try fetchRow(sql: upsert + " RETURNING 1", arguments: arguments, cached: true) != nil
        }
        try execute(sql: upsert, arguments: arguments, cached: true)
        return changesCount > 0
    }
}

/// What the storage does only on SQLite so far, asked of another engine (`deskd`: 501).
public struct EngineGap: Error, CustomStringConvertible, Sendable {
    public let what: String
    public var description: String { "\(what) is not available on this database engine yet" }
}

// GRDB's static fetchers, taking a session: the storage's many `Row.fetchAll(db, sql:…)` read
// the same on both engines. Prepared anew each time, as GRDB's own are.

extension Row {
    static func fetchAll(_ db: any SQLSession, sql: String, arguments: SQLArguments = []) throws -> [Row] {
        try db.fetchRows(sql: sql, arguments: arguments, cached: false)
    }

    static func fetchOne(_ db: any SQLSession, sql: String, arguments: SQLArguments = []) throws -> Row? {
        try db.fetchRow(sql: sql, arguments: arguments, cached: false)
    }

    static func fetchCursor(_ db: any SQLSession, sql: String, arguments: SQLArguments = []) throws -> AnyCursor<Row> {
        try db.fetchCursor(sql: sql, arguments: arguments, cached: false)
    }
}

extension DatabaseValueConvertible where Self: StatementColumnConvertible {
    static func fetchOne(_ db: any SQLSession, sql: String, arguments: SQLArguments = []) throws -> Self? {
        try db.fetchValue(Self.self, sql: sql, arguments: arguments, cached: false)
    }

    static func fetchAll(_ db: any SQLSession, sql: String, arguments: SQLArguments = []) throws -> [Self] {
        try db.fetchValues(Self.self, sql: sql, arguments: arguments, cached: false)
    }
}

/// A statement's arguments, positional (`?`) or named (`:name`), readable by either engine
/// (GRDB's `StatementArguments` keeps its values to itself). Written as an array or dictionary
/// literal, as before.
struct SQLArguments: ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, Sendable {
    private(set) var values: [DatabaseValue] = []
    private(set) var named: [String: DatabaseValue] = [:]

    init(_ values: some Sequence<(any DatabaseValueConvertible)?>) {
        self.values = values.map { $0?.databaseValue ?? .null }
    }

    init(_ values: some Sequence<some DatabaseValueConvertible>) {
        self.values = values.map(\.databaseValue)
    }

    init(_ named: [String: (any DatabaseValueConvertible)?]) {
        self.named = named.mapValues { $0?.databaseValue ?? .null }
    }

    init(arrayLiteral elements: (any DatabaseValueConvertible)?...) {
        self.init(elements)
    }

    init(dictionaryLiteral elements: (String, (any DatabaseValueConvertible)?)...) {
        self.init(Dictionary(elements) { _, last in last })
    }

    static func + (lhs: SQLArguments, rhs: SQLArguments) -> SQLArguments {
        var sum = lhs
        sum += rhs
        return sum
    }

    /// Positional values appended; a name given again takes the right side's value.
    static func += (lhs: inout SQLArguments, rhs: SQLArguments) {
        lhs.values += rhs.values
        lhs.named.merge(rhs.named) { _, right in right }
    }

    var isEmpty: Bool { values.isEmpty && named.isEmpty }

    /// GRDB's form, for SQLite. Through GRDB's initialiser of optional values with a closure:
    /// its initialiser of a sequence of values maps them with a key path (`\.databaseValue`) that,
    /// generic and not specialised across the module, is instantiated — demangled — at every
    /// call: 40 % of an empty query's time (docs/benchmarks.md).
    var statementArguments: StatementArguments {
        var arguments = values.isEmpty ? StatementArguments() : StatementArguments(values.map { $0 as (any DatabaseValueConvertible)? })
        if !named.isEmpty { arguments += StatementArguments(named.mapValues { $0 as (any DatabaseValueConvertible)? }) }
        return arguments
    }
}

/// SQLite's session: GRDB's connection, inside the transaction (or savepoint) GRDB opened.
struct SQLiteSession: SQLSession {
    let database: Database

    init(_ database: Database) { self.database = database }

    var sqlite: Database? { database }

    private func statement(_ sql: String, cached: Bool) throws -> Statement {
        cached ? try database.cachedStatement(sql: sql) : try database.makeStatement(sql: sql)
    }

    func execute(sql: String, arguments: SQLArguments, cached: Bool) throws {
        if cached, arguments.named.isEmpty {
            let statement = try database.cachedStatement(sql: sql)
            try bound(statement, arguments.values) { handle in
                while true {
                    let code = sqlite3_step(handle)
                    if code == SQLITE_DONE { return }
                    if code != SQLITE_ROW { throw failure(code, statement) }
                }
            }
        } else if cached {
            try database.cachedStatement(sql: sql).execute(arguments: arguments.statementArguments)
        } else {
            // Several statements at once are allowed here (GRDB runs them one after another).
            try database.execute(sql: sql, arguments: arguments.statementArguments)
        }
    }

    func fetchRows(sql: String, arguments: SQLArguments, cached: Bool) throws -> [Row] {
        try Row.fetchAll(statement(sql, cached: cached), arguments: arguments.statementArguments)
    }

    func fetchRow(sql: String, arguments: SQLArguments, cached: Bool) throws -> Row? {
        try Row.fetchOne(statement(sql, cached: cached), arguments: arguments.statementArguments)
    }

    func fetchCursor(sql: String, arguments: SQLArguments, cached: Bool) throws -> AnyCursor<Row> {
        AnyCursor(try Row.fetchCursor(statement(sql, cached: cached), arguments: arguments.statementArguments))
    }

    func fetchValue<Value: DatabaseValueConvertible & StatementColumnConvertible>(
        _ type: Value.Type, sql: String, arguments: SQLArguments, cached: Bool
    ) throws -> Value? {
        guard cached, arguments.named.isEmpty else {
            return try Value.fetchOne(statement(sql, cached: cached), arguments: arguments.statementArguments)
        }
        let statement = try database.cachedStatement(sql: sql)
        return try bound(statement, arguments.values) { handle in
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return nil }
            guard code == SQLITE_ROW else { throw failure(code, statement) }
            if sqlite3_column_type(handle, 0) == SQLITE_NULL { return nil }
            guard let value = Value(sqliteStatement: handle, index: 0) else {
                throw DatabaseError(
                    resultCode: .SQLITE_MISMATCH, message: "could not read the first column as \(Value.self)", sql: statement.sql)
            }
            return value
        }
    }

    // The write path's cached statements (the intake's inserts, the sequences, the chain's head,
    // the hall's updates) are bound and stepped through SQLite's C interface: GRDB's own path
    // copies the arguments into its `StatementArguments`, checks them, binds them and, for a
    // value, runs a cursor — a tenth of the single writer's time per intake (docs/benchmarks.md).
    // Same statements, same bindings (GRDB's `DatabaseValue.bind`), same errors (`DatabaseError`
    // with SQLite's code and message). A statement GRDB runs next is bound again by GRDB, so the
    // two paths share the statement cache.

    /// Runs `body` with `values` bound to the cached statement, reset before and after.
    private func bound<T>(_ statement: Statement, _ values: [DatabaseValue], _ body: (SQLiteStatement) throws -> T) throws -> T {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        defer { sqlite3_reset(handle) }
        guard values.count == Int(sqlite3_bind_parameter_count(handle)) else {
            throw DatabaseError(
                resultCode: .SQLITE_MISUSE,
                message: "wrong number of statement arguments: \(values.count) for \(sqlite3_bind_parameter_count(handle))",
                sql: statement.sql)
        }
        for (offset, value) in values.enumerated() {
            let code = Self.bind(value, to: handle, at: CInt(offset + 1))
            guard code == SQLITE_OK else { throw failure(code, statement) }
        }
        return try body(handle)
    }

    /// GRDB's `DatabaseValue.bind`, but a text bound from the string's own bytes: GRDB hands the
    /// string to `sqlite3_bind_text` as a C string, which Swift makes by copying it into a new array
    /// — an allocation for each of an intake's ~60 texts on the single writer. `withCString` reads a
    /// native string's bytes in place; the same `-1` length (the text ends at its first NUL, as
    /// GRDB binds it) and `SQLITE_TRANSIENT` (SQLite copies it before the call returns).
    static func bind(_ value: DatabaseValue, to handle: SQLiteStatement, at index: CInt) -> CInt {
        guard case .string(let text) = value.storage else { return value.bind(to: handle, at: index) }
        return text.withCString { sqlite3_bind_text(handle, index, $0, -1, transient) }
    }

    /// SQLite's `SQLITE_TRANSIENT` (a macro Swift does not import).
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    private func failure(_ code: CInt, _ statement: Statement) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: database.lastErrorMessage, sql: statement.sql)
    }

    func fetchValues<Value: DatabaseValueConvertible & StatementColumnConvertible>(
        _ type: Value.Type, sql: String, arguments: SQLArguments, cached: Bool
    ) throws -> [Value] {
        try Value.fetchAll(statement(sql, cached: cached), arguments: arguments.statementArguments)
    }

    var lastInsertedRowID: Int64 { database.lastInsertedRowID }
    var changesCount: Int { database.changesCount }
}
