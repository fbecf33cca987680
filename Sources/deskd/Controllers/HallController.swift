import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceDesk
import ServiceLifecycle
import Synchronization

/// The walk-in hall (SPEC §1, §4): counters, queue numbers, call-next and the display feed.
struct HallController {
    let database: AppDatabase
    let metrics: DeskMetrics

    /// How often the display feed looks for new calls, and how long it stays silent before a heartbeat.
    let poll: Duration
    let heartbeat: Duration
    /// The hall screens connected now, and how many may be.
    let streams: StreamSlots

    static let counterStaff: [Role] = Role.allCases.filter(Permissions.counterStaff.contains)

    /// Calls as the display feed's server-sent events: each its id, its kind and its JSON.
    static func events(_ calls: [HallCall]) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        for call in calls {
            let data = String(decoding: try APIJSON.encode(call), as: UTF8.self)
            buffer.writeString("id: \(call.id)\nevent: \(call.kind)\ndata: \(data)\n\n")
        }
        return buffer
    }

    func addRoutes(to group: RouterGroup<DeskRequestContext>) {
        group.get("counters") { _, context in
            try context.require(anyOf: Self.counterStaff + [.display])
            return JSONResponse(try await database.counters())
        }
        group.post("counters") { request, context in
            try context.require(.admin)
            return try await Idempotency.create(request, context: context, database: database, as: CounterDraft.self) { draft in
                try await database.createCounter(draft, actor: context.actor)
            }
        }
        group.patch("counters/:number") { request, context in
            let patch = try await request.decodeJSON(CounterPatch.self, context: context)
            // Admins change what a counter is; officers open and close it and sit at it.
            if patch.changesDefinition { try context.require(.admin) } else { try context.require(anyOf: Self.counterStaff) }
            return JSONResponse(try await database.updateCounter(try counterNumber(context), patch, actor: context.actor))
        }
        group.post("counters/:number/call-next") { request, context in
            let actor = try context.require(anyOf: Self.counterStaff).staff
            guard let called = try await database.callNext(counter: try counterNumber(context), actor: actor) else {
                return Response(status: .noContent)
            }
            metrics.countCall("call")
            return try JSONResponse(called).response(from: request, context: context)
        }
        group.post("queue-numbers") { request, context in
            try context.require(anyOf: Role.allCases.filter(Permissions.numberIssuers.contains))
            return try await Idempotency.create(request, context: context, database: database, as: IssueRequest.self) { issue in
                try await database.issueNumber(issue, actor: context.actor)
            }
        }
        group.get("queue-numbers") { request, context in
            try context.require(anyOf: Self.counterStaff)
            var query = Query(request)
            let state = query.enumeration("state", QueueNumber.State.self)
            var day: LocalDate?
            if let text = query.raw("day") {
                guard let date = LocalDate(text) else { throw DeskError.validation([FieldError("day", "must be YYYY-MM-DD")]) }
                day = date
            }
            try query.finish()
            return JSONResponse(try await database.queueNumbers(state: state, service: query.string("service"), day: day))
        }
        // One route per action, as openapi.yaml documents each (an unknown action is an unknown path).
        for action in QueueAction.allCases {
            group.post("queue-numbers/:id/actions/\(action.rawValue)") { request, context in
                try await self.act(action, request, context)
            }
        }
        // What the kiosk offers (and the screens' title): the display and the counter read it too.
        group.get("queue/menu") { _, context in
            try context.require(anyOf: Self.counterStaff + [.kiosk, .display])
            return JSONResponse(try await database.kioskMenu())
        }
        group.get("queue/status") { _, context in
            try context.require(anyOf: Self.counterStaff + [.display])
            return JSONResponse(try await database.queueStatus())
        }
        group.post("queue/close-day") { _, context in
            try context.require(.supervisor, .admin)
            return JSONResponse(["closed": try await database.closeDay(actor: context.actor)])
        }
        group.get("queue/settings") { _, context in
            try context.require(anyOf: Self.counterStaff)
            return JSONResponse(try await database.hallSettings())
        }
        group.put("queue/settings") { request, context in
            try context.require(.admin)
            let settings = try await request.decodeJSON(HallSettings.self, context: context)
            return JSONResponse(try await database.updateHallSettings(settings, actor: context.actor))
        }
        group.get("queue/display") { request, context in
            let principal = try context.require(anyOf: Role.allCases.filter(Permissions.display.contains))
            // A bounded number of screens: each holds a connection and a polling task.
            guard streams.enter() else {
                throw Problem(
                    status: .serviceUnavailable, slug: "too-many-streams", title: "Too many display streams",
                    detail: "\(streams.limit) hall screens are connected already; try again later",
                    headers: [.retryAfter: "30"])
            }
            return displayFeed(resumingAfter: request.headers[.lastEventID].flatMap { Int64($0) }, tokenId: principal.tokenId)
        }
    }

    func act(_ action: QueueAction, _ request: Request, _ context: DeskRequestContext) async throws -> JSONResponse<QueueNumber> {
        let actor = try context.require(anyOf: Self.counterStaff).staff
        guard let id = Int64(try context.parameter("id")) else {
            throw DeskError.notFound(entity: "queue number", id: try context.parameter("id"))
        }
        var request = request
        let body = try await request.collectBody(upTo: context.bodyLimit)
        let input =
            body.readableBytes == 0
            ? QueueActionRequest() : try JSONCoding.decode(QueueActionRequest.self, from: Data(body.readableBytesView))
        let number = try await database.act(action, on: id, input, actor: actor)
        if action == .recall { metrics.countCall("recall") }
        if action == .noShow { metrics.countNoShow() }
        return JSONResponse(number)
    }

    func counterNumber(_ context: DeskRequestContext) throws -> Int {
        let text = try context.parameter("number")
        guard let number = Int(text) else { throw DeskError.notFound(entity: "counter", id: text) }
        return number
    }

    /// Server-Sent Events of every call and recall: `id` is the call's number, so a screen that
    /// reconnects with `Last-Event-ID` gets exactly the calls it missed. A fresh screen first gets
    /// the last 10 calls. Comment lines keep the connection alive through proxies; the stream
    /// ends when the daemon shuts down, and when its token is revoked (checked at each heartbeat).
    func displayFeed(resumingAfter lastID: Int64?, tokenId: String) -> Response {
        let database = self.database
        let poll = self.poll
        let heartbeat = self.heartbeat
        let streams = self.streams
        let body = ResponseBody { writer in
            defer { streams.leave() }
            var last: Int64
            var backlog: [HallCall]
            if let lastID {
                last = lastID
                backlog = try await database.calls(after: lastID)
            } else {
                backlog = try await database.lastCalls(10)
                last = backlog.last?.id ?? 0
                if backlog.isEmpty { last = try await database.lastCalls(1).last?.id ?? 0 }
            }
            try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
            if lastID == nil {
                // A fresh screen's backlog, then a comment that says it is over: a screen shows
                // the backlog and announces only what follows.
                var buffer = try Self.events(backlog)
                buffer.writeString(": backlog-end\n\n")
                try await writer.write(buffer)
                backlog = []
            }
            var silentSince = ContinuousClock.now
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                if !backlog.isEmpty {
                    try await writer.write(try Self.events(backlog))
                    last = backlog.last!.id
                    silentSince = ContinuousClock.now
                } else if ContinuousClock.now - silentSince >= heartbeat {
                    guard try await database.tokenIsActive(id: tokenId) else { break }
                    try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                    silentSince = ContinuousClock.now
                }
                try? await Task.sleep(for: poll)
                backlog = try await database.calls(after: last)
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache", HTTPField.Name("X-Accel-Buffering")!: "no"],
            body: body)
    }
}

extension HTTPField.Name {
    static var lastEventID: Self { .init("Last-Event-ID")! }
}

/// A count of open streams with a ceiling (lock-free).
final class StreamSlots: Sendable {
    let limit: Int
    private let open = Atomic<Int>(0)

    init(limit: Int) { self.limit = limit }

    /// Takes a slot, or answers false when all are taken.
    func enter() -> Bool {
        if open.wrappingAdd(1, ordering: .relaxed).newValue <= limit { return true }
        open.wrappingSubtract(1, ordering: .relaxed)
        return false
    }

    func leave() { open.wrappingSubtract(1, ordering: .relaxed) }
}
