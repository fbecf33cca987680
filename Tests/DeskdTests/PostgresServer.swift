import Foundation
import ServiceDesk
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A PostgreSQL server of the test's own (issue 18): Debian's `postgresql` binaries, a cluster
/// made by `initdb` in a temporary folder, listening on a free loopback port, stopped and removed
/// when the test ends. As root (CI), the server runs as the `postgres` user, since PostgreSQL
/// refuses root. Where no PostgreSQL is installed the tests that need one are skipped — unless
/// `DESK_REQUIRE_POSTGRES=1` (CI sets it), where they fail instead.
/// Used by one test at a time; what runs off the cooperative pool reads only its constants.
final class PostgresServer: @unchecked Sendable {
    /// The folder with `initdb` and `pg_ctl`: `DESK_PG_BIN`, else the newest Debian one.
    static let binaries: URL? = {
        if let folder = ProcessInfo.processInfo.environment["DESK_PG_BIN"] { return URL(fileURLWithPath: folder) }
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        return versions.last.map { URL(fileURLWithPath: "\(root)/\($0)/bin") }.flatMap {
            FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("initdb").path) ? $0 : nil
        }
    }()

    static let required = ProcessInfo.processInfo.environment["DESK_REQUIRE_POSTGRES"] == "1"
    /// Whether the PostgreSQL tests run (a missing server is a failure where it is required).
    static let enabled = binaries != nil || required

    let scratch: Scratch
    private(set) var port = 0
    private let asPostgresUser: Bool
    private var databases = 0
    private var stopped = false

    private init() throws {
        scratch = try Scratch()
        asPostgresUser = getuid() == 0
        if asPostgresUser {
            try Self.run("/bin/chown", ["postgres", scratch.url.path])
        }
    }

    /// A new cluster, started. `initdb` and `pg_ctl` wait on a thread of their own, not on the
    /// tests' cooperative pool; the port is taken just before the start, and another tried if
    /// something took it meanwhile.
    static func start() async throws -> PostgresServer {
        guard let binaries else {
            throw CLIRunError("DESK_REQUIRE_POSTGRES=1 but no PostgreSQL server is installed (apt-get install postgresql)")
        }
        let server = try PostgresServer()
        try await server.offThePool {
            try server.run(
                binaries.appendingPathComponent("initdb").path,
                ["-D", server.data, "-A", "trust", "-U", "desk", "-E", "UTF8", "--locale=C", "--no-sync"])
        }
        for attempt in 1...3 {
            server.port = try freePort()
            do {
                try await server.offThePool {
                    try server.run(
                        binaries.appendingPathComponent("pg_ctl").path,
                        [
                            "-D", server.data, "-l", server.scratch.path("server.log"), "-w", "-t", "30", "-o",
                            "-p \(server.port) -k \(server.scratch.url.path) -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off",
                            "start",
                        ])
                }
                return server
            } catch  where attempt < 3 {
                continue
            }
        }
        throw CLIRunError("unreachable")
    }

    private func offThePool(_ work: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            DispatchQueue.global().async { done.resume(with: Result { try work() }) }
        }
    }

    private var data: String { scratch.path("data") }

    /// A new, empty database on the server: its URL.
    func createDatabase(options: String = "") async throws -> String {
        databases += 1
        let name = "desk\(databases)"
        try run(
            Self.binaries!.appendingPathComponent("psql").path,
            ["-h", "127.0.0.1", "-p", "\(port)", "-U", "desk", "-d", "postgres", "-qc", "CREATE DATABASE \(name) \(options)"])
        return "postgres://desk@127.0.0.1:\(port)/\(name)?sslmode=disable"
    }

    /// A new database with the model migrated (`deskcli db migrate`'s work): its URL.
    func migratedDatabase() async throws -> String {
        let url = try await createDatabase()
        _ = try await PostgresStore.with(url: url) { try await $0.migrate() }
        return url
    }

    /// Runs SQL with psql (a tamperer's or an operator's hand, outside ServiceDesk): its output.
    @discardableResult
    func psql(_ url: String, _ sql: String) throws -> String {
        let name = String(url.split(separator: "/").last!.split(separator: "?").first!)
        return try run(
            Self.binaries!.appendingPathComponent("psql").path,
            ["-h", "127.0.0.1", "-p", "\(port)", "-U", "desk", "-d", name, "-v", "ON_ERROR_STOP=1", "-qAtc", sql])
    }

    /// Stops the server (once; the folder goes with `scratch`).
    func stop() {
        guard !stopped else { return }
        stopped = true
        if let binaries = Self.binaries {
            _ = try? run(binaries.appendingPathComponent("pg_ctl").path, ["-D", data, "-m", "immediate", "stop"])
        }
    }

    deinit { stop() }

    @discardableResult
    private func run(_ tool: String, _ arguments: [String]) throws -> String {
        if asPostgresUser {
            return try Self.run("/usr/sbin/runuser", ["-u", "postgres", "--", tool] + arguments)
        }
        return try Self.run(tool, arguments)
    }

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = dlsym(
        UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np"
    )
    .map { unsafeBitCast($0, to: AddCloseFrom.self) }

    /// Runs a tool (bounded to 60 s): its standard output, or an error with its standard error.
    /// Spawned and reaped here (`posix_spawn`, `waitpid`), with its output in files: Foundation's
    /// `Process` learns of an exit through a descriptor the child inherits, which the server that
    /// `pg_ctl start` leaves behind would hold for ever.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("desk-pg-run-\(UUID().uuidString)").path
        let out = base + ".out"
        let err = base + ".err"
        defer {
            unlink(out)
            unlink(err)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // Nothing else of the test process's: Foundation's `Process` learns that a daemon it started
        // has ended when the last copy of a socket the daemon holds is closed, and a tool (a server
        // started by pg_ctl above all) holding copies of the sockets of daemons being started beside
        // it would keep them "running" after their end.
        // (glibc 2.34's `posix_spawn_file_actions_addclosefrom_np`, which Swift's Glibc module does
        // not declare: looked up by name.)
        if let closeFrom = Self.addCloseFrom { _ = closeFrom(&actions, 3) }
        let argv = ([tool] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, tool, &actions, nil, argv, environ)
        guard spawned == 0 else { throw CLIRunError("cannot run \(tool): error \(spawned)") }
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(60)
        while waitpid(pid, &status, WNOHANG) == 0 {
            guard Date() < deadline else {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                throw CLIRunError("\(tool) did not finish in 60 s")
            }
            usleep(10_000)
        }
        let output = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        // Exited normally with 0 (the wait status's low byte: no signal; the next: the code).
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw CLIRunError(
                "\(tool) \(arguments.joined(separator: " ")) failed: \((try? String(contentsOfFile: err, encoding: .utf8)) ?? "")")
        }
        return output
    }
}
