import Foundation
import Hummingbird
import Logging
import ServiceDesk

/// The request context of `deskd`: Hummingbird's core storage plus who is calling.
struct DeskRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware` on the authenticated routes.
    var principal: Principal?
    /// The configured maximum body size (SPEC §4, default 64 KiB).
    var bodyLimit: Int = DeskdConfiguration.defaultBodyLimit

    /// The client's IP address (for the public lookup's rate limit; never logged).
    let remoteAddress: String?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    var maxUploadSize: Int { bodyLimit }

    /// The caller, or 401 (routes behind `AuthMiddleware` always have one).
    var caller: Principal {
        get throws {
            guard let principal else { throw Problem.unauthorized("a bearer token is required") }
            return principal
        }
    }

    /// The one-line role check of every route: 403 unless the caller has one of `roles`.
    @discardableResult
    func require(_ roles: Role...) throws -> Principal {
        try require(anyOf: roles)
    }

    var actor: String { principal?.staff.username ?? "anonymous" }
}
