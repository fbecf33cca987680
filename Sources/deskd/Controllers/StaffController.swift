import Foundation
import Hummingbird
import Logging
import ServiceDesk

/// `/api/v1/staff`, their tokens, and `/api/v1/tokens/{id}`.
struct StaffController {
    let database: AppDatabase

    struct TokenRequest: Decodable {
        var label: String?
        var scope: String?
    }

    func addRoutes(to group: RouterGroup<DeskRequestContext>) {
        group.get("staff") { request, context in
            try context.require(.admin, .supervisor)
            var query = Query(request)
            let filter = StaffFilter(
                role: query.enumeration("role", Role.self), department: query.string("department"), active: query.bool("active"))
            return JSONResponse(try await database.staffList(filter, page: try query.page()))
        }
        group.post("staff") { request, context in
            try context.require(.admin)
            return try await Idempotency.create(request, context: context, database: database, as: StaffDraft.self) { draft in
                try await database.createStaff(draft, actor: context.actor)
            }
        }
        group.get("staff/:username") { _, context in
            try context.require(.admin, .supervisor)
            return JSONResponse(try await database.staff(try context.parameter("username")))
        }
        group.patch("staff/:username") { request, context in
            try context.require(.admin)
            let patch = try await request.decodeJSON(StaffPatch.self, context: context)
            return JSONResponse(try await database.updateStaff(try context.parameter("username"), patch, actor: context.actor))
        }
        group.post("staff/:username/tokens") { request, context in
            try context.require(.admin)
            var request = request
            // The body is optional here: an empty POST issues a token labelled "api".
            let body = try await request.collectBody(upTo: context.bodyLimit)
            let input = body.readableBytes == 0 ? TokenRequest() : try await request.decodeJSON(TokenRequest.self, context: context)
            guard let scope = TokenScope(rawValue: input.scope ?? "api") else {
                throw DeskError.validation([FieldError("scope", "must be api or open311")])
            }
            let issued = try await database.createToken(
                for: try context.parameter("username"), label: input.label, scope: scope, actor: context.actor)
            return JSONResponse(issued, status: .created)
        }
        group.get("staff/:username/tokens") { _, context in
            try context.require(.admin)
            return JSONResponse(try await database.tokens(for: try context.parameter("username")))
        }
        group.delete("tokens/:id") { _, context in
            try context.require(.admin)
            _ = try await database.revokeToken(try context.parameter("id"), actor: context.actor)
            return Response(status: .noContent)
        }
    }
}
