import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceDesk

/// `/api/v1/tickets` and the department work queues (SPEC §2, §4).
struct TicketController {
    let database: AppDatabase
    let metrics: DeskMetrics

    /// An intake's request decoded and its idempotency key checked — in a plain function, as is
    /// the answer below: what an async closure holds lives in its task's frame, allocated for each
    /// request in flight (docs/benchmarks.md).
    /// The body is read by `IntakeRequestJSON` straight from its bytes; what that reader leaves
    /// (a body it cannot be sure to read as Foundation does — a broken one among them) goes to
    /// `JSONDecoder`, whose value or error the client gets, as before.
    @inline(never)
    static func intakeInput(_ buffer: ByteBuffer, request: Request) throws -> (IntakeRequest, IdempotencyContext?) {
        let intake =
            try buffer.withUnsafeReadableBytes { IntakeRequestJSON.decode($0) }
            ?? JSONCoding.decode(IntakeRequest.self, from: Data(buffer.readableBytesView))
        guard let key = request.headers[Idempotency.header] else { return (intake, nil) }
        try Idempotency.validate(key)
        let fingerprint = AppDatabase.fingerprint(method: "POST", path: request.uri.path, body: Data(buffer.readableBytesView))
        return (intake, IdempotencyContext(key: key, fingerprint: fingerprint))
    }

    @inline(never)
    func respond(to answer: IntakeAnswer, context: DeskRequestContext) -> Response {
        switch answer {
        case .created(let result, let body):
            metrics.countAction("intake")
            context.logger.info(
                "ticket received",
                metadata: ["ticket.code": "\(result.receipt.code)", "ticket.outcome": "\(result.receipt.outcome.rawValue)"])
            return Response(status: .created, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
        case .replayed(let status, let body):
            return Response(
                status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json", Idempotency.replayed: "true"],
                body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }

    func addRoutes(to group: RouterGroup<DeskRequestContext>) {
        group.post("tickets") { request, context in
            let actor = try context.require(anyOf: Role.allCases.filter(Permissions.intake.contains)).staff
            var request = request
            let body = try await request.collectBody(upTo: context.bodyLimit)
            let (intake, idempotency) = try Self.intakeInput(body, request: request)
            let answer = try await database.intake(intake, actor: actor, idempotency: idempotency)
            return respond(to: answer, context: context)
        }
        group.get("tickets") { request, context in
            let viewer = try context.require(anyOf: Role.configurationReaders).staff
            var query = Query(request)
            var filter = TicketQuery()
            if let states = query.raw("status") {
                filter.states = try states.split(separator: ",", omittingEmptySubsequences: false).map { text in
                    guard let state = Ticket.State(rawValue: String(text)) else {
                        throw DeskError.validation([
                            FieldError("status", "must be a comma list of \(Ticket.State.allCases.map(\.rawValue).joined(separator: ", "))")
                        ])
                    }
                    return state
                }
            }
            filter.department = query.string("department")
            filter.service = query.string("service")
            filter.assignee = query.string("assignee")
            filter.channel = query.enumeration("channel", Ticket.Channel.self)
            filter.overdue = query.bool("overdue")
            filter.atRisk = query.bool("atRisk")
            filter.receivedFrom = try await query.instant("receivedFrom", database: database, endOfDay: false)
            filter.receivedTo = try await query.instant("receivedTo", database: database, endOfDay: true)
            filter.text = query.string("q")
            filter.phone = query.string("phone")
            filter.idNumber = query.string("idNumber")
            return JSONResponse(try await database.tickets(filter, page: try query.page(), viewer: viewer))
        }
        group.get("tickets/:code") { _, context in
            let viewer = try context.require(anyOf: Role.configurationReaders).staff
            return JSONResponse(try await database.ticket(try context.parameter("code"), viewer: viewer))
        }
        group.get("tickets/:code/events") { _, context in
            let viewer = try context.require(anyOf: Role.configurationReaders).staff
            return JSONResponse(try await database.ticketEvents(try context.parameter("code"), viewer: viewer))
        }
        group.get("tickets/:code/duplicates") { _, context in
            let viewer = try context.require(anyOf: Role.configurationReaders).staff
            return JSONResponse(try await database.duplicates(of: try context.parameter("code"), viewer: viewer))
        }
        group.get("tickets/:code/forwards") { _, context in
            let viewer = try context.require(anyOf: Role.configurationReaders).staff
            return JSONResponse(try await database.forwards(of: try context.parameter("code"), viewer: viewer))
        }
        group.get("tickets/:code/steps") { _, context in
            let viewer = try context.require(anyOf: Role.configurationReaders).staff
            return JSONResponse(try await database.ticketSteps(try context.parameter("code"), viewer: viewer))
        }
        // The printed forms (Circular 03/2025/TT-VPCP, Phụ lục I): print-ready HTML.
        group.get("tickets/:code/forms/:form") { request, context in
            let viewer = try context.require(anyOf: Role.configurationReaders).staff
            let name = try context.parameter("form")
            guard let form = FormKind(rawValue: name) else { throw DeskError.notFound(entity: "form", id: name) }
            let code = try context.parameter("code")
            let html = try await database.form(form, of: code, viewer: viewer)
            var headers: HTTPFields = [.contentType: "text/html; charset=utf-8"]
            if request.uri.queryParameters.get("download") != nil {
                // Dossier codes are letters, digits, dots and dashes: safe in a quoted file name.
                headers[.contentDisposition] = "attachment; filename=\"\(code)-\(form.rawValue).html\""
            }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
        }
        group.get("tickets/:code/due") { _, context in
            let viewer = try context.require(anyOf: Role.configurationReaders).staff
            return JSONResponse(try await database.explainDue(try context.parameter("code"), viewer: viewer))
        }
        // One route per action, as openapi.yaml documents each with its own body (an unknown
        // action is an unknown path: 404).
        for action in TicketAction.allCases {
            group.post("tickets/:code/actions/\(action.rawValue)") { request, context in
                try await self.act(action, request, context)
            }
        }
        group.get("departments/:code/queue") { request, context in
            let viewer = try context.caller.staff
            var query = Query(request)
            let limit = query.int("limit") ?? 100
            try query.finish()
            guard (1...PageRequest.maximumLimit).contains(limit) else {
                throw DeskError.validation([FieldError("limit", "must be between 1 and 500")])
            }
            return JSONResponse(try await database.queue(department: try context.parameter("code"), viewer: viewer, limit: limit))
        }
        group.post("departments/:code/queue/next") { request, context in
            let actor = try context.caller.staff
            guard let view = try await database.claimNext(department: try context.parameter("code"), actor: actor) else {
                return Response(status: .noContent)
            }
            metrics.countAction("claim")
            return try JSONResponse(view).response(from: request, context: context)
        }
    }

    func act(_ action: TicketAction, _ request: Request, _ context: DeskRequestContext) async throws -> JSONResponse<TicketView> {
        let actor = try context.caller.staff
        var request = request
        let body = try await request.collectBody(upTo: context.bodyLimit)
        // An action without fields (claim, return, withdraw) may be sent without a body.
        let input =
            body.readableBytes == 0 ? ActionRequest() : try JSONCoding.decode(ActionRequest.self, from: Data(body.readableBytesView))
        let view = try await database.perform(action, on: try context.parameter("code"), input, actor: actor)
        metrics.countAction(action.rawValue)
        return JSONResponse(view)
    }
}

/// `/api/v1/public/tickets/{code}?phone=`: the citizen's own lookup, and `/api/v1/public/verify?seal=`
/// for the QR seal of a form; no token, rate-limited per address. A walk-in number followed on
/// a phone has its own, larger allowance: the phones in the hall share the centre's one address
/// and poll, and must not starve the dossier lookups.
struct PublicController {
    let database: AppDatabase
    let limiter: RateLimiter
    let proxies: TrustedProxies
    let followLimiter: RateLimiter

    func addRoutes(to group: RouterGroup<DeskRequestContext>, wellKnown: RouterGroup<DeskRequestContext>) {
        // The public keys of the QR seals (RFC 7517 JWK Set of Ed25519 keys, RFC 8037).
        wellKnown.get("jwks.json") { _, _ in
            JSONResponse(try await database.publishedKeys())
        }
        // A scanned seal: genuine (signed by the centre) and current (still what it holds)?
        group.get("verify") { request, context in
            guard await limiter.allow(proxies.client(request, context)) else { throw DeskError.rateLimited }
            guard let seal = request.uri.queryParameters.get("seal"), !seal.isEmpty else {
                throw DeskError.validation([FieldError("seal", "is required: the text of the QR code on a form")])
            }
            return JSONResponse(try await database.verifySeal(seal))
        }
        // A walk-in number followed on a phone (the kiosk's QR): nothing personal in a number.
        group.get("queue-numbers/:day/:label") { request, context in
            guard await followLimiter.allow(proxies.client(request, context)) else { throw DeskError.rateLimited }
            let (day, label) = try Self.number(context)
            return JSONResponse(try await database.publicQueueNumber(day: day, label: label))
        }
        // The kiosk slip's QR: the link that follows this number (of today) on a phone, drawn
        // here by libqrencode so that no page needs a QR script. It encodes nothing else.
        group.get("queue-numbers/:day/:label/qr") { request, context in
            guard await followLimiter.allow(proxies.client(request, context)) else { throw DeskError.rateLimited }
            let (day, label) = try Self.number(context)
            let number = try await database.publicQueueNumber(day: day, label: label)
            let link = "\(proxies.origin(request, context))/tra-cuu?so=\(number.label)&ngay=\(number.day)"
            guard let code = QRCode(link) else { throw DeskError.conflict("the follow link cannot be encoded") }
            return Response(
                status: .ok,
                headers: [
                    .contentType: "image/svg+xml", .cacheControl: "private, max-age=3600", .contentSecurityPolicy: "default-src 'none'",
                    HTTPField.Name("X-Content-Type-Options")!: "nosniff",
                ],
                body: .init(byteBuffer: ByteBuffer(string: code.svg(millimetres: 30, title: "QR"))))
        }
        group.get("tickets/:code") { request, context in
            guard await limiter.allow(proxies.client(request, context)) else { throw DeskError.rateLimited }
            let code = try context.parameter("code")
            guard let phone = request.uri.queryParameters.get("phone"), !phone.isEmpty else {
                throw DeskError.validation([FieldError("phone", "is required: the phone number given at intake")])
            }
            return JSONResponse(try await database.publicStatus(code: code, phone: phone))
        }
    }
}

extension PublicController {
    /// `{day}/{label}` of a walk-in number: a date and a label as the kiosk prints them.
    static func number(_ context: DeskRequestContext) throws -> (LocalDate, String) {
        let text = try context.parameters.require("day")
        guard let day = LocalDate(text) else { throw DeskError.validation([FieldError("day", "must be YYYY-MM-DD")]) }
        let label = try context.parameters.require("label")
        guard label.utf8.count <= 16, label.utf8.allSatisfy({ (48...57).contains($0) || (65...90).contains($0) }) else {
            throw DeskError.validation([FieldError("label", "must be a number's label, e.g. A012")])
        }
        return (day, label)
    }
}

/// A fixed-window limit per client address (SPEC §4: the public lookup is rate-limited), held
/// per centre: in memory when one process serves the database (a file), in the database when
/// several may (PostgreSQL: every instance counts in one table, `AppDatabase.countRequest`). If
/// the server cannot count (it is unreachable), the instance counts in memory meanwhile.
actor RateLimiter {
    let limit: Int
    let window: Duration
    /// Which limit this is, in the shared table.
    let scope: String
    let shared: AppDatabase?
    private var windows: [String: (start: ContinuousClock.Instant, count: Int)] = [:]

    init(limit: Int, window: Duration = .seconds(60), scope: String, database: AppDatabase) {
        self.limit = limit
        self.window = window
        self.scope = scope
        self.shared = database.isShared ? database : nil
    }

    func allow(_ client: String) async -> Bool {
        if let shared, let count = try? await shared.countRequest(scope: scope, client: client, window: window) {
            return count <= limit
        }
        return allowHere(client)
    }

    /// Clients tracked at most: under a flood of distinct addresses the expired ones are dropped,
    /// and while the table is still full a new address waits for the next window.
    static let maxClients = 10_000

    /// Counted in this process's memory.
    func allowHere(_ client: String) -> Bool {
        let now = ContinuousClock.now
        if windows[client] == nil && windows.count >= Self.maxClients {
            windows = windows.filter { now - $0.value.start < window }
            guard windows.count < Self.maxClients else { return false }
        }
        var entry = windows[client] ?? (now, 0)
        if now - entry.start >= window { entry = (now, 0) }
        entry.count += 1
        windows[client] = entry
        return entry.count <= limit
    }
}
