import Foundation
import Hummingbird
import Logging
import ServiceDesk

/// `/api/v1/calendar`: working hours, holidays and make-up days (SPEC §3).
struct CalendarController {
    let database: AppDatabase

    func addRoutes(to group: RouterGroup<DeskRequestContext>) {
        group.get("calendar") { _, context in
            try context.require(anyOf: Role.configurationReaders)
            return JSONResponse(try await database.calendarOverview())
        }
        // The due calculator: what a ticket received then would get (SPEC §3).
        group.get("calendar/due") { request, context in
            try context.require(anyOf: Role.configurationReaders)
            var query = Query(request)
            let channel = query.enumeration("channel", Ticket.Channel.self) ?? .counter
            try query.finish()
            // A `+` in a query string is a space in form encoding ("3+d"): no time limit has a `+`.
            let limit = query.string("limit")?.replacingOccurrences(of: "+", with: " ")
            return JSONResponse(
                try await database.dueCalculation(
                    from: query.string("from"), limit: limit, service: query.string("service"), channel: channel))
        }
        group.put("calendar") { request, context in
            try context.require(.admin)
            let update = try await request.decodeJSON(CalendarUpdate.self, context: context)
            return JSONResponse(try await database.replaceCalendar(update, actor: context.actor))
        }
        group.post("calendar/days") { request, context in
            try context.require(.admin)
            return try await Idempotency.create(request, context: context, database: database, as: CalendarDay.self) { day in
                try await database.addCalendarDay(day, actor: context.actor)
            }
        }
        group.delete("calendar/days/:date") { _, context in
            try context.require(.admin)
            let text = try context.parameter("date")
            guard let date = LocalDate(text) else {
                throw DeskError.validation([FieldError("date", "must be YYYY-MM-DD")])
            }
            try await database.removeCalendarDay(date, actor: context.actor)
            return Response(status: .noContent)
        }
    }
}
