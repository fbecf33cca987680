import Foundation
import Synchronization

@testable import ServiceDesk

/// The database the storage tests' centre (`Centre2026`) lives in (issue 18: the suite on both
/// engines): SQLite in memory, unless `DESK_TEST_POSTGRES=postgres://USER@HOST:PORT` names a
/// server — then each centre gets a fresh database of its own there, made with `psql` and migrated
/// as `deskcli db migrate` does. Tests that look inside SQLite itself (its query plans, its
/// triggers, GRDB's connection) say so with `.disabled(if: TestStore.onPostgres)`.
enum TestStore {
    /// The server's URL without a database, when the tests run on PostgreSQL.
    static let server: String? = ProcessInfo.processInfo.environment["DESK_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    static var onPostgres: Bool { server != nil }

    private static let made = Mutex(0)

    /// A new, empty database at this binary's schema.
    static func make(clock: @escaping @Sendable () -> Date) async throws -> AppDatabase {
        guard let server else { return try AppDatabase.inMemory(clock: clock) }
        let number = made.withLock { count in
            count += 1
            return count
        }
        let name = "s\(getpid())_\(number)"
        let location = URLComponents(string: server.hasSuffix("/") ? String(server.dropLast()) : server)
        let (host, port, user) = (location?.host ?? "127.0.0.1", location?.port ?? 5432, location?.user ?? "postgres")
        try psql([
            "-h", host, "-p", "\(port)", "-U", user, "-d", "postgres", "-qc",
            "CREATE DATABASE \(name) ENCODING 'UTF8' LOCALE 'C' TEMPLATE template0",
        ])
        let url = "postgres://\(user)@\(host):\(port)/\(name)?sslmode=disable"
        _ = try await PostgresStore.with(url: url) { try await $0.migrate() }
        return try await AppDatabase.connect(postgres: url, clock: clock, maximumConnections: 4, patience: .seconds(60))
    }

    /// Debian's `psql` (the client package's wrapper, or the server's own binary).
    private static func psql(_ arguments: [String]) throws {
        let candidates =
            ["/usr/bin/psql"]
            + ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).sorted().reversed().map {
                "/usr/lib/postgresql/\($0)/bin/psql"
            }
        guard let tool = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw DeskError.conflict("DESK_TEST_POSTGRES is set but no psql was found")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw DeskError.conflict("psql \(arguments.joined(separator: " ")): \(said)")
        }
    }
}
