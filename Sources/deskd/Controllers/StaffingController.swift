import Foundation
import Hummingbird
import NIOCore
import ServiceDesk

/// `/api/v1/staffing/quotas`: the headcount quotas of the competent body's decisions
/// (docs/reports.md, staffing-plan). Supervisors read them; the admin records them.
struct StaffingController {
    let database: AppDatabase

    struct EndRequest: Decodable {
        var validUntil: String?
    }

    func addRoutes(to group: RouterGroup<DeskRequestContext>) {
        group.get("staffing/quotas") { request, context in
            try context.require(.supervisor, .admin)
            let query = Query(request)
            var day: LocalDate?
            if let text = query.raw("validOn") {
                guard let date = LocalDate(text) else { throw DeskError.validation([FieldError("validOn", "must be a date YYYY-MM-DD")]) }
                day = date
            }
            try query.finish()
            return JSONResponse(try await database.quotas(validOn: day))
        }
        group.post("staffing/quotas") { request, context in
            try context.require(.admin)
            let draft = try await request.decodeJSON(QuotaDraft.self, context: context)
            return JSONResponse(try await database.createQuota(draft, actor: context.actor), status: .created)
        }
        // Restructuring scenarios: computed in memory, stored by name, never applied.
        group.post("staffing/scenarios") { request, context in
            try context.require(.supervisor, .admin)
            let scenario = try await request.decodeJSON(ScenarioRequest.self, context: context)
            return JSONResponse(try await database.createScenario(scenario, actor: context.actor), status: .created)
        }
        group.get("staffing/scenarios") { _, context in
            try context.require(.supervisor, .admin)
            return JSONResponse(try await database.scenarios())
        }
        group.get("staffing/scenarios/compare") { request, context in
            try context.require(.supervisor, .admin)
            let query = Query(request)
            guard let first = query.string("a"), let second = query.string("b") else {
                throw DeskError.validation([FieldError("a", "a and b name the two scenarios to compare")])
            }
            return try await database.compareScenarios(first, second).response(request, context)
        }
        group.get("staffing/scenarios/:name") { _, context in
            try context.require(.supervisor, .admin)
            return JSONResponse(try await database.scenario(try context.parameter("name")))
        }
        group.post("staffing/quotas/:id/end") { request, context in
            try context.require(.admin)
            let text = try context.parameter("id")
            guard let id = Int64(text) else { throw DeskError.notFound(entity: "quota", id: text) }
            let body = try await request.decodeJSON(EndRequest.self, context: context)
            guard let until = body.validUntil.flatMap(LocalDate.init) else {
                throw DeskError.validation([FieldError("validUntil", "is required: the line's last day, YYYY-MM-DD")])
            }
            return JSONResponse(try await database.endQuota(id, validUntil: until, actor: context.actor))
        }
    }
}
