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
        router.get("metrics") { _, _ in
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
