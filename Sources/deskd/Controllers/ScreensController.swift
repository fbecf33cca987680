import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceDesk

/// The centre's screens, served by `deskd` itself from files embedded at build time
/// (`Resources/screens`, docs/screens.md): the hall display, the kiosk, the counter console, the
/// citizen lookup and the supervisor board, with their one stylesheet and scripts. No framework,
/// no build step, nothing fetched from elsewhere: a strict Content-Security-Policy says so to
/// the browser. Tokens are typed into the page and kept in the browser, never in a URL.
struct ScreensController {
    struct File {
        let bytes: ByteBuffer
        let contentType: String
    }

    /// The pages by path; `/tra-cuu` is the citizen's (Vietnamese: "look up").
    static let pages: [String: ByteBuffer] = [
        "hall": ByteBuffer(bytes: PackageResources.hall_html), "kiosk": ByteBuffer(bytes: PackageResources.kiosk_html),
        "counter": ByteBuffer(bytes: PackageResources.counter_html), "tra-cuu": ByteBuffer(bytes: PackageResources.lookup_html),
        "board": ByteBuffer(bytes: PackageResources.board_html),
    ]

    static let assets: [String: File] = [
        "desk.css": File(bytes: ByteBuffer(bytes: PackageResources.desk_css), contentType: "text/css; charset=utf-8"),
        "desk.js": File(bytes: ByteBuffer(bytes: PackageResources.desk_js), contentType: "text/javascript; charset=utf-8"),
        "hall.js": File(bytes: ByteBuffer(bytes: PackageResources.hall_js), contentType: "text/javascript; charset=utf-8"),
        "kiosk.js": File(bytes: ByteBuffer(bytes: PackageResources.kiosk_js), contentType: "text/javascript; charset=utf-8"),
        "counter.js": File(bytes: ByteBuffer(bytes: PackageResources.counter_js), contentType: "text/javascript; charset=utf-8"),
        "lookup.js": File(bytes: ByteBuffer(bytes: PackageResources.lookup_js), contentType: "text/javascript; charset=utf-8"),
        "board.js": File(bytes: ByteBuffer(bytes: PackageResources.board_js), contentType: "text/javascript; charset=utf-8"),
    ]

    /// Only the server's own scripts, styles, images and API; no inline script, no frames of
    /// this page elsewhere. The counter prints forms in a frame of its own whose one inline
    /// stylesheet is allowed by its hash (`FormRenderer.styleHash`).
    static func policy(for page: String) -> String {
        let printsForms = page == "counter" && !FormRenderer.styleHash.isEmpty
        return [
            "default-src 'none'", "script-src 'self'", "style-src 'self'" + (printsForms ? " '\(FormRenderer.styleHash)'" : ""),
            "img-src 'self'", "connect-src 'self'", "frame-src " + (printsForms ? "'self'" : "'none'"), "base-uri 'none'",
            "form-action 'self'", "frame-ancestors 'none'",
        ].joined(separator: "; ")
    }

    func addRoutes(to router: Router<DeskRequestContext>) {
        for (path, bytes) in Self.pages {
            let headers: HTTPFields = [
                .contentType: "text/html; charset=utf-8", .contentSecurityPolicy: Self.policy(for: path),
                HTTPField.Name("X-Content-Type-Options")!: "nosniff", HTTPField.Name("Referrer-Policy")!: "no-referrer",
                .cacheControl: "no-cache",
            ]
            router.get(RouterPath(path)) { _, _ in
                Response(status: .ok, headers: headers, body: .init(byteBuffer: bytes))
            }
        }
        router.get("assets/:name") { _, context in
            let name = try context.parameters.require("name")
            guard let file = Self.assets[name] else { throw DeskError.notFound(entity: "asset", id: name) }
            return Response(
                status: .ok,
                headers: [
                    .contentType: file.contentType, HTTPField.Name("X-Content-Type-Options")!: "nosniff", .cacheControl: "no-cache",
                ],
                body: .init(byteBuffer: file.bytes))
        }
    }
}
