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
            let centre = try await database.centre()
            let clock = LocalClock(identifier: centre.timezone) ?? LocalClock(timeZone: .gmt)
            let from = query.string("from").flatMap { clock.instant(parsing: $0) }
            if from == nil {
                query.errors.append(FieldError("from", "is required: an RFC 3339 timestamp, or local time YYYY-MM-DD HH:MM"))
            }
            // A `+` in a query string is a space in form encoding ("3+d"): no time limit has a `+`.
            let limitText = query.string("limit")?.replacingOccurrences(of: "+", with: " ")
            let limit = limitText.flatMap(TimeLimit.init)
            if limitText != nil && limit == nil { query.errors.append(FieldError("limit", "must be 'N d' or 'N h', e.g. '3 d'")) }
            let channel = query.enumeration("channel", Ticket.Channel.self) ?? .counter
            try query.finish()
            guard let from else { throw DeskError.validation(query.errors) }
            return JSONResponse(
                try await database.dueCalculation(receivedAt: from, limit: limit, service: query.string("service"), channel: channel))
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
