import Foundation
import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceDesk

/// `/healthz`, `/readyz`, `/metrics` and `/openapi.yaml`: no token needed.
struct OperationsController {
    let database: AppDatabase
    let registry: PrometheusCollectorRegistry
    let metrics: DeskMetrics
    /// When set, `/metrics` needs it as a bearer token (an operator's choice: the scrape then
    /// happens from a monitoring host that holds it).
    let metricsToken: String?

    /// The OpenAPI document, embedded at build time from the repository's `openapi.yaml`.
    static let openAPIDocument = ByteBuffer(bytes: PackageResources.openapi_yaml)

    func addRoutes(to router: Router<DeskRequestContext>) {
        router.get("healthz") { _, _ in
            JSONResponse(["status": "ok"])
        }
        router.get("readyz") { _, _ in
            let overview: CalendarOverview
            do {
                try await database.ping()
                overview = try await database.calendarOverview()
            } catch {
                throw Problem(status: .serviceUnavailable, slug: "not-ready", title: "Not ready", detail: "the database does not answer")
            }
            // Ready, but an administrator must hear of a year whose calendar was never loaded (SPEC §3).
            return JSONResponse(Readiness(status: "ready", warnings: overview.warnings))
        }
        router.get("metrics") { request, _ in
            if let metricsToken {
                // Compared in constant time: the token guards what a scrape reveals.
                let given = request.headers[.authorization].map { Array($0.utf8) } ?? []
                let wanted = Array("Bearer \(metricsToken)".utf8)
                guard given.count == wanted.count, zip(given, wanted).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else {
                    throw Problem.unauthorized("metrics need the token of DESK_METRICS_TOKEN")
                }
            }
            try await metrics.refresh(from: database)
            var bytes: [UInt8] = []
            registry.emit(into: &bytes)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        router.get("openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: Self.openAPIDocument))
        }
    }
}

/// The answer of `/readyz`.
struct Readiness: Codable {
    var status: String
    var warnings: [String]
}
