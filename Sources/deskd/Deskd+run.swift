import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceDesk

extension DeskdConfiguration {
    init(options: Deskd, environment: [String: String]) throws {
        self.init()
        databasePath = options.database ?? environment["DESK_DATABASE"] ?? databasePath
        if PostgresLocation.isPostgres(databasePath) {
            do {
                _ = try PostgresLocation(url: databasePath)
            } catch {
                throw ValidationError(error.description)
            }
        }
        host = options.host ?? environment["DESK_HOST"] ?? host
        if let port = options.port ?? environment["DESK_PORT"].flatMap(Int.init) { self.port = port }
        adminTokenFile = options.adminTokenFile ?? environment["DESK_ADMIN_TOKEN_FILE"]
        if let limit = options.bodyLimit ?? environment["DESK_BODY_LIMIT"].flatMap(Int.init) { bodyLimit = limit }
        if let limit = options.uploadLimit ?? environment["DESK_UPLOAD_LIMIT"].flatMap(Int.init) { uploadLimit = limit }
        demo = options.demo
        metricsToken = environment["DESK_METRICS_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        paymentSecret = environment["DESK_PAYMENT_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
        if let text = environment["DESK_TRUSTED_PROXIES"] {
            trustedProxies = Set(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        if let text = environment["DESK_IDLE_TIMEOUT"] {
            guard let seconds = Int(text), (1...3600).contains(seconds) else {
                throw ValidationError("DESK_IDLE_TIMEOUT must be 1 to 3600 seconds, not '\(text)'")
            }
            idleTimeoutSeconds = seconds
        }
        if let text = environment["DESK_MAX_CONNECTIONS"] {
            guard let count = Int(text), (2...100_000).contains(count) else {
                throw ValidationError("DESK_MAX_CONNECTIONS must be 2 to 100000, not '\(text)'")
            }
            maxConnections = count
        }
        if let text = environment["DESK_PUBLIC_LIMIT"] {
            // A centre's Wi-Fi puts every citizen in the hall behind one address: the operator
            // may raise the public lookups' allowance per address and minute.
            guard let count = Int(text), (1...1_000_000).contains(count) else {
                throw ValidationError("DESK_PUBLIC_LIMIT must be 1 to 1000000 requests per minute, not '\(text)'")
            }
            publicLookupLimit = count
        }
        if let text = environment["DESK_DISPLAY_HEARTBEAT"] {
            // Bounded: a huge or odd value would overflow the conversion to milliseconds.
            guard let seconds = Double(text), seconds.isFinite, (0.05...3600).contains(seconds) else {
                throw ValidationError("DESK_DISPLAY_HEARTBEAT must be a number of seconds from 0.05 to 3600, not '\(text)'")
            }
            displayHeartbeat = .milliseconds(Int(seconds * 1000))
        }
        if let text = environment["DESK_OUTBOX_RETRY_BASE"] {
            guard let seconds = Int(text), (1...3600).contains(seconds) else {
                throw ValidationError("DESK_OUTBOX_RETRY_BASE must be 1 to 3600 seconds, not '\(text)'")
            }
            outboxPolicy.base = .seconds(seconds)
        }
        if let text = environment["DESK_OUTBOX_MAX_ATTEMPTS"] {
            guard let count = Int(text), (1...100).contains(count) else {
                throw ValidationError("DESK_OUTBOX_MAX_ATTEMPTS must be 1 to 100, not '\(text)'")
            }
            outboxPolicy.maxAttempts = count
        }
        if let text = environment["DESK_OUTBOX_TIMEOUT"] {
            guard let seconds = Int(text), (1...120).contains(seconds) else {
                throw ValidationError("DESK_OUTBOX_TIMEOUT must be 1 to 120 seconds, not '\(text)'")
            }
            outboxTimeout = .seconds(seconds)
        }
        if let text = environment["DESK_OUTBOX_INTERVAL"] {
            guard let seconds = Double(text), seconds.isFinite, (0.05...3600).contains(seconds) else {
                throw ValidationError("DESK_OUTBOX_INTERVAL must be a number of seconds from 0.05 to 3600, not '\(text)'")
            }
            outboxInterval = .milliseconds(Int(seconds * 1000))
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard bodyLimit >= 1024 else { throw ValidationError("--body-limit must be at least 1024 bytes") }
        guard uploadLimit >= bodyLimit else { throw ValidationError("--upload-limit must be at least the body limit") }
    }
}

/// Opens the database, creates the centre and the admin on first start, serves until
/// SIGTERM or SIGINT (in-flight requests drain), then closes the database.
func runDaemon(_ configuration: DeskdConfiguration) async throws {
    let level = ProcessInfo.processInfo.environment["DESK_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
    LoggingSystem.bootstrap { label in LineLogHandler(label: label, level: level) }
    let registry = PrometheusCollectorRegistry()
    MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    let logger = Logger(label: "deskd")

    // A file (the default), or a PostgreSQL server migrated by deskcli (docs/postgresql.md).
    let database =
        PostgresLocation.isPostgres(configuration.databasePath)
        ? try await AppDatabase.connect(postgres: configuration.databasePath)
        : try AppDatabase.open(path: configuration.databasePath)
    let bootstrap = try database.bootstrap()
    if let token = bootstrap.adminToken {
        if let file = configuration.adminTokenFile {
            try AdminTokenFile.write(token, to: file)
            logger.notice("first start: centre and admin created; admin token written", metadata: ["file": "\(file)"])
        } else {
            // Standard output carries only this line (logs go to standard error), so scripts can read it.
            FileHandle.standardOutput.write(Data("admin token: \(token)\n".utf8))
        }
        if configuration.demo {
            let summary = try await Demo.load(into: database, actor: "system")
            // A living centre: four months of synthetic history, up to yesterday.
            let clock = LocalClock(identifier: Centre.defaultTimezone)!
            let today = clock.local(Date()).date
            let history = try database.seed(
                tickets: 3_000, from: today.adding(days: -120), to: today.adding(days: -1), seed: 1, actor: "system")
            logger.notice(
                "demo loaded",
                metadata: [
                    "departments": "\(summary.departments)", "services": "\(summary.services)", "days": "\(summary.days)",
                    "tickets": "\(history.tickets)",
                ])
        }
    }
    // The report rollups (migration 0026) counted before the first report asks: once on a file that
    // never had them — seconds for a million tickets — and after a change of the centre's time zone.
    let started = ContinuousClock.now
    if try await database.prepareReportRollups() {
        logger.notice("report rollups built", metadata: ["seconds": "\((ContinuousClock.now - started).components.seconds)"])
    }
    let app = buildApplication(configuration, database: database, registry: registry, logger: logger)
    try await app.runService()
    if try database.close(emptyingWAL: true) {
        logger.notice("database closed")
    } else {
        logger.warning(
            "database closed, but another process kept some of the last writes in the WAL: copy \(configuration.databasePath) only with its -wal, or with deskcli db backup"
        )
    }
}
