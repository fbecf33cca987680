import Foundation
import Hummingbird
import ServiceDesk

/// `/api/v1/outbox`: the messages told to citizens and the centre's gateways
/// (docs/notifications.md). Supervisors read the outbox; the admin keeps the gateways and
/// replays dead letters.
struct OutboxController {
    let database: AppDatabase

    struct RetryRequest: Decodable {
        var gateway: String?
    }

    struct RetryAnswer: Encodable {
        var retried: Int
    }

    func addRoutes(to group: RouterGroup<DeskRequestContext>) {
        group.get("outbox") { request, context in
            try context.require(.supervisor, .admin)
            var query = Query(request)
            let state = query.enumeration("state", OutboxMessage.State.self)
            let ticket = query.string("ticket")
            let before = query.int("before")
            let limit = query.int("limit") ?? 50
            try query.finish()
            guard (1...500).contains(limit) else { throw DeskError.validation([FieldError("limit", "must be 1 to 500")]) }
            return JSONResponse(try await database.outbox(state: state, ticket: ticket, before: before.map(Int64.init), limit: limit))
        }
        group.post("outbox/retry") { request, context in
            try context.require(.admin)
            let body = try await request.decodeJSON(RetryRequest.self, context: context)
            return JSONResponse(RetryAnswer(retried: try await database.retryOutbox(id: nil, gateway: body.gateway, actor: context.actor)))
        }
        group.post("outbox/:id/retry") { _, context in
            try context.require(.admin)
            let text = try context.parameter("id")
            guard let id = Int64(text) else { throw DeskError.notFound(entity: "message", id: text) }
            return JSONResponse(RetryAnswer(retried: try await database.retryOutbox(id: id, gateway: nil, actor: context.actor)))
        }
        group.get("outbox/gateways") { _, context in
            try context.require(.admin)
            return JSONResponse(try await database.gateways())
        }
        group.post("outbox/gateways") { request, context in
            try context.require(.admin)
            let draft = try await request.decodeJSON(GatewayDraft.self, context: context)
            return JSONResponse(try await database.createGateway(draft, actor: context.actor), status: .created)
        }
        group.patch("outbox/gateways/:name") { request, context in
            try context.require(.admin)
            let patch = try await request.decodeJSON(GatewayPatch.self, context: context)
            return JSONResponse(try await database.updateGateway(try context.parameter("name"), patch, actor: context.actor))
        }
    }
}
