import Foundation
import GRDB
import Logging
import NIOCore
import PostgresNIO

/// PostgreSQL's `SQLSession` (issue 18): the storage's statements on one postgres-nio connection,
/// inside the transaction `PostgresStore.transaction` opened around them. The storage's code is
/// synchronous (it runs inside GRDB's closures on SQLite), so each statement is one round trip
/// waited for on the calling thread — never an event loop's: `transaction` runs the body on a
/// thread of its own.
///
/// The SQL is the storage's own: `?` and `:name` placeholders become `$n` (`PostgresSQL`), rows come
/// back as GRDB's `Row`, their columns in order (`orderedRow`), read by name or index as on SQLite.
final class PostgresSession: SQLSession {
    let connection: PostgresConnection
    let logger: Logger
    private(set) var changesCount = 0
    /// The command tag's verb of the last statement run (`COMMIT` answered `ROLLBACK` when the
    /// transaction had been aborted).
    private(set) var lastCommand = ""

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    var sqlite: Database? { nil }

    /// The id the last `INSERT` drew from its table's identity (`lastval()`): the same as SQLite's
    /// `last_insert_rowid()` for the storage's inserts, which never give the id themselves.
    var lastInsertedRowID: Int64 {
        get throws {
            guard let id = try fetchValue(Int64.self, sql: "SELECT lastval()", arguments: [], cached: false) else {
                throw PostgresStoreError("no row was inserted on this connection")
            }
            return id
        }
    }

    /// Runs every statement of `sql` (several, separated by `;`, share the arguments in order, as on
    /// SQLite) and returns the rows of the last.
    @discardableResult
    private func run(_ sql: String, _ arguments: SQLArguments) throws -> [PostgresRow] {
        var rows: [PostgresRow] = []
        for query in try PostgresSQL.queries(sql, arguments) {
            let result = try connection.query(query, logger: logger).wait()
            lastCommand = result.metadata.command
            // As SQLite's changes(): only a statement that changes rows sets it.
            if ["INSERT", "UPDATE", "DELETE"].contains(result.metadata.command) { changesCount = result.metadata.rows ?? 0 }
            rows = result.rows
        }
        return rows
    }

    // `cached`: postgres-nio sends each statement's parse, bind and execute in one round trip;
    // keeping the hot paths' statements prepared on the server is left for the measurements.

    func execute(sql: String, arguments: SQLArguments, cached: Bool) throws {
        try run(sql, arguments)
    }

    func fetchRows(sql: String, arguments: SQLArguments, cached: Bool) throws -> [Row] {
        try run(sql, arguments).map { try Self.row($0) }
    }

    func fetchRow(sql: String, arguments: SQLArguments, cached: Bool) throws -> Row? {
        try run(sql, arguments).first.map { try Self.row($0) }
    }

    func fetchCursor(sql: String, arguments: SQLArguments, cached: Bool) throws -> AnyCursor<Row> {
        AnyCursor(try fetchRows(sql: sql, arguments: arguments, cached: cached))
    }

    func fetchValue<Value: DatabaseValueConvertible & StatementColumnConvertible>(
        _ type: Value.Type, sql: String, arguments: SQLArguments, cached: Bool
    ) throws -> Value? {
        guard let row = try run(sql, arguments).first else { return nil }
        return try Self.value(row, type)
    }

    func fetchValues<Value: DatabaseValueConvertible & StatementColumnConvertible>(
        _ type: Value.Type, sql: String, arguments: SQLArguments, cached: Bool
    ) throws -> [Value] {
        try run(sql, arguments).map { row in
            // As GRDB's fetchAll of a non-optional type: a NULL is an error, not a row left out.
            guard let value = try Self.value(row, type) else {
                throw PostgresStoreError("a NULL where a \(Value.self) was expected: \(sql)")
            }
            return value
        }
    }

    /// The first column of `row` as `Value`; nil for NULL, as GRDB's `fetchOne` gives.
    private static func value<Value: DatabaseValueConvertible>(_ row: PostgresRow, _ type: Value.Type) throws -> Value? {
        guard let cell = row.first(where: { _ in true }) else { return nil }
        let value = try databaseValue(cell)
        if value.isNull { return nil }
        guard let converted = Value.fromDatabaseValue(value) else {
            throw PostgresStoreError("column \(cell.columnName) holds \(value), not a \(Value.self)")
        }
        return converted
    }

    static func row(_ row: PostgresRow) throws -> Row {
        try orderedRow(row.map { cell in (cell.columnName, try databaseValue(cell)) })
    }

    /// A PostgreSQL value as SQLite would hold it: integers, reals, text, blobs; `boolean` as 0/1
    /// (SQLite's comparisons give integers); `numeric` (PostgreSQL's `sum` of integers) as an integer
    /// when whole.
    static func databaseValue(_ cell: PostgresCell) throws -> DatabaseValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8, .oid:
            return try cell.decode(Int64.self).databaseValue
        case .float4, .float8:
            return try cell.decode(Double.self).databaseValue
        case .bool:
            return (try cell.decode(Bool.self) ? 1 : 0 as Int64).databaseValue
        case .bytea:
            return try cell.decode(Data.self).databaseValue
        case .numeric:
            let number = try cell.decode(Decimal.self)
            if number == number.rounded(), let whole = Int64(exactly: NSDecimalNumber(decimal: number).int64Value),
                Decimal(whole) == number
            {
                return whole.databaseValue
            }
            return NSDecimalNumber(decimal: number).doubleValue.databaseValue
        default:
            return try cell.decode(String.self).databaseValue
        }
    }
}

extension Decimal {
    fileprivate func rounded() -> Decimal {
        var value = self
        var result = Decimal()
        NSDecimalRound(&result, &value, 0, .plain)
        return result
    }
}

/// The storage's SQL made PostgreSQL's: placeholders numbered, several statements split,
/// SQLite's index hints dropped.
enum PostgresSQL {
    /// `INDEXED BY name` tells SQLite's planner which index to use; PostgreSQL's planner chooses
    /// by itself, and the rows are the same either way.
    static func withoutIndexHints(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        let text = String(String.UnicodeScalarView(scalars))
        guard text.contains("INDEXED BY") else { return scalars }
        return Array(text.replacing(#/INDEXED BY [A-Za-z_][A-Za-z_0-9]*/#, with: "").unicodeScalars)
    }

    /// `sql`'s statements (`SQLStatements`) with their binds, numbered as SQLite numbers them: `?`
    /// is the parameter after the highest so far, `?N` the N-th, `:name` a named one (the same
    /// number, the same `$n`); several statements take the positional arguments one after another.
    /// Quoted text, quoted names and comments are left as they are, and so is PostgreSQL's `::` cast.
    static func queries(_ sql: String, _ arguments: SQLArguments) throws -> [PostgresQuery] {
        var consumed = 0
        var queries: [PostgresQuery] = []
        for statement in SQLStatements.pieces(sql) {
            var text = String.UnicodeScalarView()
            var binds = PostgresBindings()
            var numbered: [String: Int] = [:]
            var highest = 0
            func bind(_ value: DatabaseValue) throws {
                switch value.storage {
                case .null: binds.appendNull()
                case .int64(let number): binds.append(number)
                case .double(let number): binds.append(number)
                case .string(let string): binds.append(string)
                case .blob(let data): try binds.append(data)
                }
                text.append(contentsOf: "$\(binds.count)".unicodeScalars)
            }
            for piece in statement {
                guard piece.isCode else {
                    text.append(contentsOf: piece.scalars)
                    continue
                }
                let scalars = Self.withoutIndexHints(piece.scalars)
                var index = 0
                while index < scalars.count {
                    let scalar = scalars[index]
                    let next = index + 1 < scalars.count ? scalars[index + 1] : nil
                    if scalar == "?" {
                        var end = index + 1
                        while end < scalars.count, ("0"..."9").contains(scalars[end]) { end += 1 }
                        let number = end > index + 1 ? Int(String(String.UnicodeScalarView(scalars[(index + 1)..<end])))! : highest + 1
                        highest = max(highest, number)
                        let key = "?\(number)"
                        if let bound = numbered[key] {
                            text.append(contentsOf: "$\(bound)".unicodeScalars)
                        } else {
                            guard consumed + number <= arguments.values.count else {
                                throw PostgresStoreError("the statement has more placeholders than arguments: \(sql)")
                            }
                            try bind(arguments.values[consumed + number - 1])
                            numbered[key] = binds.count
                        }
                        index = end
                    } else if scalar == ":", next == ":" {
                        text.append(contentsOf: "::".unicodeScalars)
                        index += 2
                    } else if scalar == ":", let next, next == "_" || next.properties.isAlphabetic {
                        var end = index + 1
                        while end < scalars.count, SQLStatements.isNamePart(scalars[end]) { end += 1 }
                        let name = String(String.UnicodeScalarView(scalars[(index + 1)..<end]))
                        if let number = numbered[name] {
                            text.append(contentsOf: "$\(number)".unicodeScalars)
                        } else {
                            guard let value = arguments.named[name] else {
                                throw PostgresStoreError("the statement names :\(name), which its arguments do not give: \(sql)")
                            }
                            try bind(value)
                            numbered[name] = binds.count
                        }
                        index = end
                    } else {
                        text.append(scalar)
                        index += 1
                    }
                }
            }
            queries.append(PostgresQuery(unsafeSQL: String(text), binds: binds))
            consumed += highest
        }
        if consumed < arguments.values.count {
            throw PostgresStoreError("the statement has fewer placeholders than arguments: \(sql)")
        }
        return queries
    }
}
