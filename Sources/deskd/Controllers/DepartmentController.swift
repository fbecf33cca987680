import Foundation
import Hummingbird
import Logging
import ServiceDesk

/// `/api/v1/departments`.
struct DepartmentController {
    let database: AppDatabase

    func addRoutes(to group: RouterGroup<DeskRequestContext>) {
        group.get("departments") { request, context in
            try context.require(anyOf: Role.configurationReaders)
            var query = Query(request)
            let filter = DepartmentFilter(kind: query.enumeration("kind", Department.Kind.self), active: query.bool("active"))
            return JSONResponse(try await database.departments(filter, page: try query.page()))
        }
        group.post("departments") { request, context in
            try context.require(.admin)
            return try await Idempotency.create(request, context: context, database: database, as: DepartmentDraft.self) { draft in
                try await database.createDepartment(draft, actor: context.actor)
            }
        }
        group.get("departments/:code") { _, context in
            try context.require(anyOf: Role.configurationReaders)
            return JSONResponse(try await database.department(try context.parameter("code")))
        }
        group.patch("departments/:code") { request, context in
            try context.require(.admin)
            let patch = try await request.decodeJSON(DepartmentPatch.self, context: context)
            return JSONResponse(try await database.updateDepartment(try context.parameter("code"), patch, actor: context.actor))
        }
    }
}
