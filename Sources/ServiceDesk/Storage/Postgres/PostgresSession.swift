import Foundation
import GRDB
import Logging
import NIOCore
import PostgresNIO
import Synchronization

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
    /// The translation of a text is made once and kept (`templates`); only the binds are per call.
    static func queries(_ sql: String, _ arguments: SQLArguments) throws -> [PostgresQuery] {
        let templates = templates(sql)
        var queries: [PostgresQuery] = []
        for template in templates {
            var binds = PostgresBindings(capacity: template.sources.count)
            for source in template.sources {
                let value: DatabaseValue
                switch source {
                case .position(let index):
                    guard index >= 0 else { throw PostgresStoreError("?0 is not a parameter (they count from ?1): \(sql)") }
                    guard index < arguments.values.count else {
                        throw PostgresStoreError("the statement has more placeholders than arguments: \(sql)")
                    }
                    value = arguments.values[index]
                case .name(let name):
                    guard let named = arguments.named[name] else {
                        throw PostgresStoreError("the statement names :\(name), which its arguments do not give: \(sql)")
                    }
                    value = named
                }
                switch value.storage {
                case .null: binds.appendNull()
                case .int64(let number): binds.append(number)
                case .double(let number): binds.append(number)
                case .string(let string): binds.append(string)
                case .blob(let data): try binds.append(data)
                }
            }
            queries.append(PostgresQuery(unsafeSQL: template.text, binds: binds))
        }
        if (templates.last?.consumed ?? 0) < arguments.values.count {
            throw PostgresStoreError("the statement has fewer placeholders than arguments: \(sql)")
        }
        return queries
    }

    /// One statement of a text, translated: PostgreSQL's text with `$1…$n`, where each `$k` takes
    /// its value from, and how many positional arguments the text has used up to its end.
    struct Template: Sendable {
        enum Source: Sendable {
            /// The positional argument at this index (of the whole text's arguments).
            case position(Int)
            case name(String)
        }

        var text: String
        var sources: [Source]
        var consumed: Int
    }

    /// The translations made so far, by text (the storage writes a few hundred texts, each
    /// reused on every call; a text of values spelled inline is kept too, so the table is
    /// emptied when it grows past `keptTexts`).
    private static let translated = Mutex<[String: [Template]]>([:])
    static let keptTexts = 4096

    static func templates(_ sql: String) -> [Template] {
        if let known = translated.withLock({ $0[sql] }) { return known }
        let made = translate(sql)
        translated.withLock {
            if $0.count >= keptTexts { $0.removeAll(keepingCapacity: true) }
            $0[sql] = made
        }
        return made
    }

    static func translate(_ sql: String) -> [Template] {
        var consumed = 0
        var templates: [Template] = []
        for statement in SQLStatements.pieces(sql) {
            var text = String.UnicodeScalarView()
            var sources: [Template.Source] = []
            var numbered: [String: Int] = [:]
            var highest = 0
            func refer(_ key: String, _ source: Template.Source) {
                if let bound = numbered[key] {
                    text.append(contentsOf: "$\(bound)".unicodeScalars)
                } else {
                    sources.append(source)
                    numbered[key] = sources.count
                    text.append(contentsOf: "$\(sources.count)".unicodeScalars)
                }
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
                        let number = end > index + 1 ? Int(String(String.UnicodeScalarView(scalars[(index + 1)..<end]))) ?? 0 : highest + 1
                        highest = max(highest, number)
                        refer("?\(number)", .position(number < 1 ? -1 : consumed + number - 1))
                        index = end
                    } else if scalar == ":", next == ":" {
                        text.append(contentsOf: "::".unicodeScalars)
                        index += 2
                    } else if scalar == ":", let next, next == "_" || next.properties.isAlphabetic {
                        var end = index + 1
                        while end < scalars.count, SQLStatements.isNamePart(scalars[end]) { end += 1 }
                        let name = String(String.UnicodeScalarView(scalars[(index + 1)..<end]))
                        refer(name, .name(name))
                        index = end
                    } else {
                        text.append(scalar)
                        index += 1
                    }
                }
            }
            consumed += highest
            templates.append(Template(text: String(text), sources: sources, consumed: consumed))
        }
        return templates
    }
}
