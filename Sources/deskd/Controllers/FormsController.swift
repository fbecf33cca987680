import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceDesk

/// The paper of the counter beyond a ticket's own forms (docs/forms.md): the tracking books
/// (form 07) and the signing key of the QR seals.
struct FormsController {
    let database: AppDatabase

    func addRoutes(to group: RouterGroup<DeskRequestContext>) {
        group.get("tracking-books") { request, context in
            try context.require(anyOf: AppDatabase.bookReaders)
            var query = Query(request)
            let year = try await self.year(&query)
            return JSONResponse(try await database.trackingBooks(year: year))
        }
        group.get("tracking-book") { request, context in
            try context.require(anyOf: AppDatabase.bookReaders)
            var query = Query(request)
            let year = try await self.year(&query)
            // Absent or empty: the general book of the services without a field. A form's GET
            // (and Python's requests) send a space as `+`; no field may hold a `+` (422 on the service).
            let field = (query.string("field") ?? "").replacingOccurrences(of: "+", with: " ")
            let accept = request.headers[.accept] ?? ""
            let name = "so-theo-doi-\(year)"
            if accept.contains("text/csv") || accept.contains("application/json") {
                return try await database.trackingBook(year: year, field: field).response(request, context, file: name)
            }
            let html = try await database.trackingBookHTML(year: year, field: field)
            return Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
        }
        group.post("centre/signing-key/rotate") { _, context in
            try context.require(.admin)
            return JSONResponse(try await database.rotateSigningKey(actor: context.actor))
        }
    }

    /// `year`, 2000–9999; absent: the centre's present year.
    func year(_ query: inout Query) async throws -> Int {
        let year = query.int("year")
        try query.finish()
        if let year {
            guard (2000...9999).contains(year) else { throw DeskError.validation([FieldError("year", "must be a year 2000–9999")]) }
            return year
        }
        return try await database.currentYear()
    }
}
