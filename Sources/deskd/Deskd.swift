import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceDesk

#if canImport(Glibc)
    import Glibc
#endif

/// `deskd`: the ServiceDesk HTTP daemon. Options win over the environment, which wins over the defaults.
@main
struct Deskd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The ServiceDesk daemon: the HTTP/JSON API of a citizen connection centre.",
        discussion:
            "Environment: DESK_DATABASE, DESK_HOST, DESK_PORT, DESK_ADMIN_TOKEN_FILE, DESK_BODY_LIMIT, DESK_LOG_LEVEL, DESK_DISPLAY_HEARTBEAT (seconds), DESK_METRICS_TOKEN (bearer token for /metrics), DESK_IDLE_TIMEOUT (seconds), DESK_MAX_CONNECTIONS, DESK_TRUSTED_PROXIES (comma list), DESK_PUBLIC_LIMIT (public lookups per client address and minute, default 30)."
    )

    @Option(
        help:
            "SQLite database file (default ./deskd.sqlite), or postgres://USER@HOST[:PORT]/DATABASE migrated by deskcli (docs/postgresql.md)."
    ) var database: String?
    @Option(help: "Address to listen on (default 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on (default 8080; 0 picks a free one).") var port: Int?
    @Option(help: "On first start, write the admin token to this file (mode 0600) instead of printing it.") var adminTokenFile: String?
    @Option(help: "Largest accepted request body in bytes (default 65536).") var bodyLimit: Int?
    @Option(help: "Largest upload in bytes: an Open311 post with its photos, a dossier's scan or result (default 10485760).")
    var uploadLimit: Int?
    @Flag(help: "On first start, also load the example catalogue, calendar, staff and four months of synthetic history.") var demo = false

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        MemoryArenas.limit(environment: environment)
        let configuration = try DeskdConfiguration(options: self, environment: environment)
        try await runDaemon(configuration)
    }
}

/// glibc gives each thread that allocates under contention its own malloc arena, up to 8 per
/// core, and keeps what is freed in each: under a long mixed load the heap of `deskd` grew by
/// ~30 MiB in 10 minutes that way without a leak (docs/benchmarks.md, "Soak"). Four per core keep
/// it flat (+1.5 MiB over 6 minutes of the soak) while the threads that answer requests and the
/// writer seldom wait for one another's arena: with one per core those waits, every `malloc` and
/// `free` of a request's objects on an arena another thread held, cost the intake ~10 % of its
/// throughput (docs/benchmarks.md, "The allocator's arenas"). `MALLOC_ARENA_MAX` in the
/// environment wins, as glibc has it.
enum MemoryArenas {
    static let perCore = 4

    static func limit(environment: [String: String]) {
        #if canImport(Glibc)
            guard environment["MALLOC_ARENA_MAX"] == nil else { return }
            // `mallopt` is in <malloc.h>, which the Glibc module does not export: found by name,
            // called with the C convention. M_ARENA_MAX is -8 in glibc's ABI.
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
            let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
            _ = mallopt(-8, Int32(perCore * max(2, ProcessInfo.processInfo.activeProcessorCount)))
        #endif
    }
}
