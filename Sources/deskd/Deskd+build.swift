import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import Prometheus
import ServiceDesk

/// Everything `deskd` is started with (flags, then environment, then defaults).
struct DeskdConfiguration: Sendable {
    static let defaultBodyLimit = 64 * 1024
    static let defaultUploadLimit = 10 * 1024 * 1024

    var databasePath = "./deskd.sqlite"
    var host = "127.0.0.1"
    var port = 8080
    var adminTokenFile: String?
    var bodyLimit = DeskdConfiguration.defaultBodyLimit
    /// The body limit of an Open311 post, which may carry photos.
    var uploadLimit = DeskdConfiguration.defaultUploadLimit
    var demo = false
    /// Public status lookups allowed per client address per minute.
    var publicLookupLimit = 30
    /// Silence after which the hall display feed sends a heartbeat.
    var displayHeartbeat: Duration = .seconds(15)
    /// When set (`DESK_METRICS_TOKEN`), `/metrics` answers only `Authorization: Bearer <it>`.
    var metricsToken: String?
    /// The secret a payment gateway signs its callbacks with (`DESK_PAYMENT_SECRET`); unset, the
    /// callback is refused.
    var paymentSecret: String?
    /// The shortest time between two reads of the gauges from the database (tests use zero).
    var metricsRefresh: Duration = .seconds(10)
    /// How many hall display streams may be open at once.
    var displayStreams = 64
    /// Seconds a connection may stay idle before it is closed (display streams send a heartbeat).
    var idleTimeoutSeconds = 60
    /// Connections open at once; past it the listener waits for one to close.
    var maxConnections = 1024
    /// Reverse proxies whose forwarded headers are believed (`DESK_TRUSTED_PROXIES`).
    var trustedProxies: Set<String> = []
    /// The outbox's retries (`DESK_OUTBOX_RETRY_BASE` seconds, `DESK_OUTBOX_MAX_ATTEMPTS`) and
    /// how often the worker looks for due messages (`DESK_OUTBOX_INTERVAL`).
    var outboxPolicy = RetryPolicy()
    var outboxInterval: Duration = .seconds(1)
    /// How long a gateway has to answer a post (`DESK_OUTBOX_TIMEOUT` seconds).
    var outboxTimeout: Duration = .seconds(10)
}

/// Builds the application `deskd` serves; tests build the very same one.
func buildApplication(
    _ configuration: DeskdConfiguration, database: AppDatabase, registry: PrometheusCollectorRegistry, logger: Logger
) -> some ApplicationProtocol {
    let router = buildRouter(configuration, database: database, registry: registry)
    return Application(
        router: router,
        // A connection idle for a minute is closed, and no more than `maxConnections` are open at
        // once (the listener stops accepting until one closes): an idle or flooding client cannot
        // hold the daemon's memory.
        server: .http1(configuration: .init(idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)))),
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port), serverName: "deskd",
            availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections)),
        services: [
            OutboxWorker(
                database: database, policy: configuration.outboxPolicy, interval: configuration.outboxInterval,
                timeout: configuration.outboxTimeout,
                logger: Logger(label: "deskd.outbox"))
        ],
        logger: logger)
}

/// The routes of SPEC §4 with their middleware: metrics outermost (so they count the final
/// status), then the request log, problems, the body limit and, on `/api/v1`, authentication.
func buildRouter(
    _ configuration: DeskdConfiguration, database: AppDatabase, registry: PrometheusCollectorRegistry
) -> Router<DeskRequestContext> {
    let router = Router(context: DeskRequestContext.self)
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: ProblemMiddleware())
    let routeTable = MethodNotAllowedMiddleware.RouteTable()
    router.add(middleware: MethodNotAllowedMiddleware(table: routeTable))
    router.add(middleware: BodyLimitMiddleware(bodyLimit: configuration.bodyLimit, uploadLimit: configuration.uploadLimit))

    let metrics = DeskMetrics(registry: registry, refreshInterval: configuration.metricsRefresh)
    metrics.observeCommits(of: database)
    OperationsController(database: database, registry: registry, metrics: metrics, metricsToken: configuration.metricsToken)
        .addRoutes(to: router)
    ScreensController().addRoutes(to: router)
    let proxies = TrustedProxies(configuration.trustedProxies)
    PublicController(
        database: database, limiter: RateLimiter(limit: configuration.publicLookupLimit, scope: "lookup", database: database),
        proxies: proxies, followLimiter: RateLimiter(limit: 600, scope: "follow", database: database)
    )
    .addRoutes(to: router.group("api/v1/public"), wellKnown: router.group(".well-known"))
    Open311Controller(database: database, metrics: metrics, proxies: proxies, ordinaryBodyLimit: configuration.bodyLimit)
        .addRoutes(to: router.group("open311/v2"))

    // Authenticated by its signature, not a token (docs/payments.md).
    PaymentController(database: database, secret: configuration.paymentSecret).addCallback(to: router.group("api/v1/payments"))
    let api = router.group("api/v1").add(middleware: AuthMiddleware(database: database))
    PaymentController(database: database, secret: configuration.paymentSecret).addRoutes(to: api)
    CentreController(database: database).addRoutes(to: api)
    CalendarController(database: database).addRoutes(to: api)
    DepartmentController(database: database).addRoutes(to: api)
    ServiceController(database: database).addRoutes(to: api)
    StaffController(database: database).addRoutes(to: api)
    TicketController(database: database, metrics: metrics).addRoutes(to: api)
    ReportController(database: database).addRoutes(to: api)
    FormsController(database: database).addRoutes(to: api)
    StaffingController(database: database).addRoutes(to: api)
    OutboxController(database: database).addRoutes(to: api)
    HotlineController(database: database).addRoutes(to: api)
    SyncController(database: database).addRoutes(to: api)
    DossierController(database: database).addRoutes(to: api)
    HallController(
        database: database, metrics: metrics, poll: .milliseconds(200), heartbeat: configuration.displayHeartbeat,
        streams: StreamSlots(limit: configuration.displayStreams)
    )
    .addRoutes(to: api)
    routeTable.set(router.routes.map { (method: $0.method.rawValue, path: "\($0.path)") })
    return router
}
