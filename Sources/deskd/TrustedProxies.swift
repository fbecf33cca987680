import Foundation
import HTTPTypes
import Hummingbird

/// The reverse proxies `deskd` believes (`DESK_TRUSTED_PROXIES`, a comma list of addresses).
/// Only a request whose peer is one of them may say who the client is (`X-Forwarded-For`: the
/// last address, the one the proxy itself appended) or how it was reached (`X-Forwarded-Proto`,
/// `X-Forwarded-Host`); anyone else's forwarded headers are ignored, so a client cannot pick its
/// own rate-limit key or the links an answer carries.
struct TrustedProxies: Sendable {
    let addresses: Set<String>

    init(_ addresses: Set<String> = []) {
        self.addresses = addresses
    }

    func trusts(_ context: DeskRequestContext) -> Bool {
        context.remoteAddress.map(addresses.contains) ?? false
    }

    /// The client's address: the peer, or behind a trusted proxy the last `X-Forwarded-For` hop.
    func client(_ request: Request, _ context: DeskRequestContext) -> String {
        if trusts(context), let chain = request.headers[.forwardedFor],
            let last = chain.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty
        {
            return last
        }
        return context.remoteAddress ?? "unknown"
    }

    /// A forwarded header's value, from a trusted proxy only.
    func forwarded(_ name: HTTPField.Name, _ request: Request, _ context: DeskRequestContext) -> String? {
        trusts(context) ? request.headers[name] : nil
    }

    /// `scheme://host` as the client reached this server (a trusted proxy's `X-Forwarded-Proto`
    /// and `X-Forwarded-Host` honoured, nobody else's): the root of links handed to clients.
    func origin(_ request: Request, _ context: DeskRequestContext) -> String {
        let scheme = forwarded(.forwardedProto, request, context) ?? "http"
        let host = forwarded(.forwardedHost, request, context) ?? request.head.authority ?? "localhost"
        return "\(scheme)://\(host)"
    }
}

extension HTTPField.Name {
    static var forwardedFor: Self { .init("X-Forwarded-For")! }
    static var forwardedProto: Self { .init("X-Forwarded-Proto")! }
    static var forwardedHost: Self { .init("X-Forwarded-Host")! }
}
