import HTTPTypes
import Hummingbird
import Synchronization

/// A path the router knows asked with a method it does not: `405 Method Not Allowed` with an
/// `Allow` header naming the methods that path answers (RFC 9110 §15.5.6), instead of the
/// router's 404. Placed inside `ProblemMiddleware`, so the answer is a problem (or GeoReport's
/// error list under `/open311/`).
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = DeskRequestContext

    /// The router's `METHOD /path/{capture}` pairs, filled once every route is added.
    final class RouteTable: Sendable {
        private let routes = Mutex<[(method: String, components: [Substring])]>([])

        func set(_ routes: [(method: String, path: String)]) {
            self.routes.withLock { $0 = routes.map { ($0.method, $0.path.split(separator: "/")) } }
        }

        /// The methods whose route pattern matches `path`, sorted.
        func methods(for path: String) -> [String] {
            let parts = path.split(separator: "/")
            return routes.withLock { routes in
                Set(routes.filter { Self.matches($0.components, parts) }.map(\.method)).sorted()
            }
        }

        static func matches(_ pattern: [Substring], _ parts: [Substring]) -> Bool {
            guard pattern.count == parts.count else { return false }
            return zip(pattern, parts).allSatisfy { wanted, part in
                wanted == part || wanted == "*" || (wanted.hasPrefix("{") && wanted.hasSuffix("}")) || wanted.hasPrefix(":")
            }
        }
    }

    let table: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = table.methods(for: request.uri.path)
            guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else { throw error }
            var problem = Problem(
                status: .methodNotAllowed, slug: "method-not-allowed", title: "Method not allowed",
                detail: "\(request.uri.path) answers \(allowed.joined(separator: ", ")), not \(request.method.rawValue)")
            problem.headers[.allow] = allowed.joined(separator: ", ")
            throw problem
        }
    }
}
