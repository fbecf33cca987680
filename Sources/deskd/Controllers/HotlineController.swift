import Foundation
import Hummingbird
import ServiceDesk

/// `/api/v1/calls`: the hotline's call log (docs/hotline.md). Operators log calls and make the
/// call backs; a switchboard (an integration token) reports calls as they start and end.
struct HotlineController {
    let database: AppDatabase

    struct CallbackRequest: Decodable {
        var note: String?
    }

    func addRoutes(to group: RouterGroup<DeskRequestContext>) {
        group.post("calls") { request, context in
            let caller = try context.require(.officer, .supervisor, .admin)
            let draft = try await request.decodeJSON(CallDraft.self, context: context)
            return JSONResponse(try await database.logCall(draft, actor: caller.staff), status: .created)
        }
        group.post("calls/pbx") { request, context in
            let caller = try context.require(.integration, .admin)
            let event = try await request.decodeJSON(PBXEvent.self, context: context)
            return JSONResponse(try await database.pbxEvent(event, actor: caller.staff))
        }
        group.get("calls") { request, context in
            try context.require(.officer, .supervisor, .admin)
            var query = Query(request)
            let from = try await query.instant("from", database: database, endOfDay: false, datesOnly: true)
            let to = try await query.instant("to", database: database, endOfDay: true, datesOnly: true)
            let outcome = query.enumeration("outcome", Call.Outcome.self)
            let owed = query.bool("callbacksOwed") ?? false
            let limit = query.int("limit") ?? 100
            try query.finish()
            guard (1...1000).contains(limit) else { throw DeskError.validation([FieldError("limit", "must be 1 to 1000")]) }
            return JSONResponse(try await database.calls(from: from, to: to, outcome: outcome, callbacksOwed: owed, limit: limit))
        }
        group.post("calls/:id/callback") { request, context in
            let caller = try context.require(.officer, .supervisor, .admin)
            let text = try context.parameter("id")
            guard let id = Int64(text) else { throw DeskError.notFound(entity: "call", id: text) }
            let body = try await request.decodeJSON(CallbackRequest.self, context: context)
            return JSONResponse(try await database.completeCallback(id, note: body.note, actor: caller.staff))
        }
    }
}
