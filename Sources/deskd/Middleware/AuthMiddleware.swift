import Foundation
import Hummingbird
import Logging
import ServiceDesk

/// Bearer-token authentication (SPEC §4): a missing, unknown or revoked token is `401`;
/// otherwise the staff member behind it rides on the context for the route's role check.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = DeskRequestContext
    let database: AppDatabase

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw Problem.unauthorized("send Authorization: Bearer <token>")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Problem.unauthorized("the Authorization header must be 'Bearer <token>'")
        }
        guard let principal = try await database.authenticate(token: String(parts[1]).trimmingCharacters(in: .whitespaces)) else {
            throw Problem.unauthorized("the token is unknown or revoked")
        }
        // An Open311 key travels in URLs: it opens nothing here (so it cannot read applicants).
        guard principal.scope == .api else {
            throw Problem.unauthorized("this token is an Open311 key: it works only as api_key under /open311/v2")
        }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "staff.username"] = "\(principal.staff.username)"
        return try await next(request, context)
    }
}
