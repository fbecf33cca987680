import Foundation
import Hummingbird
import Logging
import ServiceDesk

/// `/api/v1/services`: the catalogue.
struct ServiceController {
    let database: AppDatabase

    func addRoutes(to group: RouterGroup<DeskRequestContext>) {
        group.get("services") { request, context in
            try context.require(anyOf: Role.configurationReaders)
            var query = Query(request)
            let filter = ServiceFilter(
                kind: query.enumeration("kind", Service.Kind.self), active: query.bool("active"), department: query.string("department"))
            return JSONResponse(try await database.services(filter, page: try query.page()))
        }
        group.post("services") { request, context in
            try context.require(.admin)
            return try await Idempotency.create(request, context: context, database: database, as: ServiceDraft.self) { draft in
                try await database.createService(draft, actor: context.actor)
            }
        }
        group.get("services/:code") { _, context in
            try context.require(anyOf: Role.configurationReaders)
            return JSONResponse(try await database.service(try context.parameter("code")))
        }
        group.patch("services/:code") { request, context in
            try context.require(.admin)
            let patch = try await request.decodeJSON(ServicePatch.self, context: context)
            return JSONResponse(try await database.updateService(try context.parameter("code"), patch, actor: context.actor))
        }
    }
}
