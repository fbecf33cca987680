import Foundation
import Hummingbird
import Logging
import ServiceDesk

/// `/api/v1/centre`, `/api/v1/centre/mode`, `/api/v1/severity-classes` and `/api/v1/me`.
struct CentreController {
    let database: AppDatabase

    func addRoutes(to group: RouterGroup<DeskRequestContext>) {
        group.get("me") { _, context in
            JSONResponse(try context.caller.staff)
        }
        group.get("centre") { _, context in
            try context.require(anyOf: Role.configurationReaders)
            return JSONResponse(try await database.centre())
        }
        group.patch("centre") { request, context in
            try context.require(.admin)
            let patch = try await request.decodeJSON(CentrePatch.self, context: context)
            return JSONResponse(try await database.updateCentre(patch, actor: context.actor))
        }
        group.get("severity-classes") { _, context in
            try context.require(anyOf: Role.configurationReaders)
            return JSONResponse(try await database.severityClasses())
        }
        group.put("severity-classes/:code") { request, context in
            try context.require(.admin)
            let draft = try await request.decodeJSON(SeverityClassDraft.self, context: context)
            return JSONResponse(try await database.putSeverityClass(try context.parameter("code"), draft, actor: context.actor))
        }
        group.post("centre/mode") { request, context in
            try context.require(.admin)
            let change = try await request.decodeJSON(ModeChangeRequest.self, context: context)
            let result = try await database.changeMode(change, actor: context.actor)
            // A real attempt that conflicts changes nothing and is a 409 listing every conflict;
            // a dry run answers 200 with the same list.
            if !result.dryRun && !result.conflicts.isEmpty {
                throw DeskError.modeConflicts(result.conflicts)
            }
            return JSONResponse(result)
        }
    }
}
