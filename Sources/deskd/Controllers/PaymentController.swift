import Foundation
import HTTPTypes
import Hummingbird
import ServiceDesk

/// A ticket's payments (`GET /api/v1/tickets/{code}/payments`; recorded by the `pay` and
/// `exempt` actions) and a payment gateway's signed callback (`POST /api/v1/payments/callback`).
struct PaymentController {
    let database: AppDatabase
    let secret: String?

    func addRoutes(to group: RouterGroup<DeskRequestContext>) {
        group.get("tickets/:code/payments") { _, context in
            let viewer = try context.require(anyOf: Role.configurationReaders).staff
            return JSONResponse(try await database.paymentLedger(of: try context.parameter("code"), viewer: viewer))
        }
    }

    func addCallback(to group: RouterGroup<DeskRequestContext>) {
        group.post("callback") { request, context in
            guard let secret else { throw Problem.forbidden("no payment gateway is configured (DESK_PAYMENT_SECRET)") }
            var request = request
            let body = Data(try await request.collectBody(upTo: context.bodyLimit).readableBytesView)
            guard let header = request.headers[HTTPField.Name("X-Desk-Signature")!],
                PaymentCallback.verify(header: header, secret: secret, body: body, now: Date())
            else {
                throw Problem(
                    status: .unauthorized, slug: "unauthorized", title: "Authentication required",
                    detail:
                        "X-Desk-Signature must sign the body with the centre's payment secret (t=<unix seconds>,v1=<HMAC-SHA256 hex>), made within \(PaymentCallback.tolerance) s"
                )
            }
            let callback = try JSONCoding.decode(PaymentCallback.self, from: body)
            return JSONResponse(try await database.recordGatewayPayment(callback))
        }
    }
}
