import Foundation
import Hummingbird
import Logging
import ServiceDesk

/// Turns every error a route throws into an RFC 9457 problem answer, so clients, logs and
/// metrics all see the real status. Unexpected errors are logged (never with request data).
/// Under `/open311/` the answer is GeoReport v2's error list instead (`Open311Errors`).
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = DeskRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = Problem.from(error)
            if problem.status == .internalServerError {
                context.logger.error("request failed", metadata: ["error.type": "\(type(of: error))", "error": "\(error)"])
            }
            if Open311Errors.isOpen311(request) { return Open311Errors.response(for: problem, error: error, request: request) }
            return try problem.response(from: request, context: context)
        }
    }
}

/// Applies the configured body limit (SPEC §4): `413` before reading a body announced too
/// large, and while reading one that grows past it. Open311 posts, which may carry photos, have
/// their own (larger) upload limit.
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = DeskRequestContext
    let bodyLimit: Int
    let uploadLimit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let limit = Open311Controller.takesUploads(request) || DossierController.takesFiles(request) ? uploadLimit : bodyLimit
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw Problem(
                status: .contentTooLarge, slug: "body-too-large", title: "Request body too large",
                detail: "the body is \(length) bytes; the limit is \(limit)")
        }
        var context = context
        context.bodyLimit = limit
        return try await next(request, context)
    }
}

/// One log line per request: id, method, path without the query (queries may carry a
/// citizen's phone number), status and duration.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = DeskRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        response.headers[.init("X-Request-Id")!] = context.id
        context.logger.info(
            "request",
            metadata: [
                "http.method": "\(request.method)", "http.path": "\(request.uri.path)",
                "http.status": "\(response.status.code)", "http.duration_ms": "\((milliseconds * 10).rounded() / 10)",
            ])
        return response
    }
}
