import Foundation
import ServiceDesk
import Synchronization

/// The engine the HTTP and end-to-end tests run on (issue 18: the suite on both engines). SQLite
/// — a database in memory for the app built in-process (`TestApp`), a file for each started
/// `deskd` — unless `DESK_TEST_POSTGRES=postgres://USER@HOST:PORT` names a server: then each app
/// and each daemon's file gets a fresh database of its own there, migrated (a daemon started again
/// on the same file path finds the same database). `.ci/run` runs the suite's HTTP and end-to-end
/// tests a second time so. Tests about a file itself (its path, its `-wal`, `deskcli` on it) say
/// so with `.disabled(if: TestEngine.onPostgres)`.
enum TestEngine {
    /// The server's URL without a database, when the tests run on PostgreSQL.
    static let server: String? = ProcessInfo.processInfo.environment["DESK_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    static var onPostgres: Bool { server != nil }

    private static let made = Mutex<(count: Int, byPath: [String: String])>((0, [:]))

    /// A new, migrated database on the server: its URL.
    static func freshDatabase() throws -> String {
        guard let server else { throw CLIRunError("DESK_TEST_POSTGRES is not set") }
        let name = made.withLock { state -> String in
            state.count += 1
            return "t\(getpid())_\(state.count)"
        }
        let base = server.hasSuffix("/") ? String(server.dropLast()) : server
        let location = URLComponents(string: base)
        let host = location?.host ?? "127.0.0.1"
        let port = location?.port ?? 5432
        let user = location?.user ?? "postgres"
        let psql = (PostgresServer.binaries?.appendingPathComponent("psql").path) ?? "/usr/bin/psql"
        try PostgresServer.run(
            psql,
            [
                "-h", host, "-p", "\(port)", "-U", user, "-d", "postgres", "-qc",
                "CREATE DATABASE \(name) ENCODING 'UTF8' LOCALE 'C' TEMPLATE template0",
            ])
        let url = "postgres://\(user)@\(host):\(port)/\(name)?sslmode=disable"
        try PostgresServer.run(Binaries.deskcli.path, ["db", "migrate", "--database", url])
        return url
    }

    /// The database that stands for the file `path` if a daemon was started on it, else `path`.
    static func known(_ path: String) -> String {
        made.withLock { $0.byPath[path] } ?? path
    }

    /// What a daemon started on `database` runs on: the path itself on SQLite; on PostgreSQL the
    /// database that stands for that path (made at its first start). URLs pass as they are.
    static func database(for database: String) throws -> String {
        guard onPostgres, !database.contains("://") else { return database }
        if let known = made.withLock({ $0.byPath[database] }) { return known }
        let url = try freshDatabase()
        made.withLock { $0.byPath[database] = url }
        return url
    }
}
