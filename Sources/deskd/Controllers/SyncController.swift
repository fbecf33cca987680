import Foundation
import Hummingbird
import ServiceDesk

/// `/api/v1/sync/portal`: the National Public Service Portal's connector reads the feed of portal
/// status changes, acknowledges what it stored, and anyone in charge reconciles the two
/// (docs/portal-sync.md); or the admin sets a subscriber that takes the feed as signed webhooks.
struct SyncController {
    let database: AppDatabase

    struct AckRequest: Codable { var items: [PortalAck] }
    struct AckAnswer: Codable { var moved: Int }

    func addRoutes(to group: RouterGroup<DeskRequestContext>) {
        group.get("sync/portal") { request, context in
            try context.require(anyOf: Array(AppDatabase.syncRoles))
            var query = Query(request)
            let after = query.int("after") ?? 0
            let limit = query.int("limit") ?? 100
            try query.finish()
            return JSONResponse(try await database.portalFeed(after: Int64(after), limit: limit))
        }
        group.post("sync/portal/acks") { request, context in
            try context.require(anyOf: Array(AppDatabase.syncRoles))
            let body = try await request.decodeJSON(AckRequest.self, context: context)
            return JSONResponse(AckAnswer(moved: try await database.acknowledgePortal(body.items, actor: context.actor)))
        }
        group.get("sync/portal/webhook") { _, context in
            try context.require(.admin)
            return JSONResponse(try await database.portalWebhook())
        }
        group.put("sync/portal/webhook") { request, context in
            try context.require(.admin)
            let draft = try await request.decodeJSON(PortalWebhookDraft.self, context: context)
            return JSONResponse(try await database.setPortalWebhook(draft, actor: context.actor))
        }
        group.delete("sync/portal/webhook") { _, context in
            try context.require(.admin)
            return JSONResponse(try await database.stopPortalWebhook(actor: context.actor))
        }
        group.get("sync/portal/reconcile") { request, context in
            try context.require(anyOf: Array(AppDatabase.syncRoles.union([.supervisor])))
            let query = Query(request)
            return JSONResponse(try await database.reconcilePortal(from: query.string("from"), to: query.string("to")))
        }
    }
}
