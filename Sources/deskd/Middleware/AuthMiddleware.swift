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
        let token = try Self.bearerToken(request)
        // A token seen a moment ago is answered from memory, without the `await` of a read.
        if let known = database.rememberedPrincipal(token: token) {
            return try await next(request, Self.context(context, as: known))
        }
        return try await next(request, Self.context(context, as: try await database.authenticate(token: token)))
    }

    /// The context of the staff member behind the token; 401 for an unknown or revoked token and
    /// for an Open311 key. In plain functions, as the token's parsing: what an async function
    /// holds lives in its task's frame, allocated for each request in flight (docs/benchmarks.md).
    @inline(never)
    static func context(_ context: Context, as principal: Principal?) throws -> Context {
        guard let principal else {
            throw Problem.unauthorized("the token is unknown or revoked")
        }
        // An Open311 key travels in URLs: it opens nothing here (so it cannot read applicants).
        guard principal.scope == .api else {
            throw Problem.unauthorized("this token is an Open311 key: it works only as api_key under /open311/v2")
        }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "staff.username"] = "\(principal.staff.username)"
        return context
    }

    /// The token of `Authorization: Bearer <token>`.
    @inline(never)
    static func bearerToken(_ request: Request) throws -> String {
        guard let header = request.headers[.authorization] else {
            throw Problem.unauthorized("send Authorization: Bearer <token>")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Problem.unauthorized("the Authorization header must be 'Bearer <token>'")
        }
        // Spaces and tabs around the token (RFC 9110 §5.6.3's whitespace) are not part of it;
        // trimmed here rather than by Foundation's Unicode whitespace set, which cost more than the
        // token's check itself.
        var token = parts[1]
        while token.first == " " || token.first == "\t" { token.removeFirst() }
        while token.last == " " || token.last == "\t" { token.removeLast() }
        return String(token)
    }
}
