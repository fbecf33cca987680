import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ServiceDesk
import Testing

@testable import deskd

@Suite("Staffing over HTTP")
struct StaffingHTTPTests {
    @Test("the admin records quotas, a supervisor reads them; the plan is JSON or CSV with its growth; careers travel with staff")
    func quotasAndPlan() async throws {
        let app = try await TestApp.make()
        let supervisor = try await app.token(for: .supervisor)
        let quota =
            #"{"department":"mot-cua","category":"civil-servant","headcount":3,"decision":"Quyết định 98/QĐ-UBND","validFrom":"2026-01-01"}"#
        try await app.test { client in
            try await client.execute(uri: "/api/v1/staffing/quotas", method: .post, headers: bearer(supervisor), body: json(quota)) {
                #expect($0.status == .forbidden)
            }
            let line = try await client.execute(
                uri: "/api/v1/staffing/quotas", method: .post, headers: bearer(app.adminToken), body: json(quota)
            ) {
                response in
                #expect(response.status == .created)
                return try response.decode(Quota.self)
            }
            try await client.execute(
                uri: "/api/v1/staffing/quotas/\(line.id)/end", method: .post, headers: bearer(app.adminToken),
                body: json(#"{"validUntil":"2025-12-31"}"#)
            ) { #expect($0.status == .conflict) }
            try await client.execute(uri: "/api/v1/staffing/quotas?validOn=2026-06-01", method: .get, headers: bearer(supervisor)) {
                response in
                let lines = try response.decode([Quota].self)
                #expect(lines.map(\.headcount) == [3])
            }
            let career =
                #"{"username":"hoa.mc","name":"Hoa","role":"officer","department":"mot-cua","employment":"civil-servant","career":{"homeAgency":"Sở Nội vụ","secondedFrom":"2026-01-01","secondedUntil":"2026-06-30"}}"#
            try await client.execute(uri: "/api/v1/staff", method: .post, headers: bearer(app.adminToken), body: json(career)) { response in
                #expect(response.status == .conflict && response.text.contains("12 to 36 months"))
            }
            var csv = bearer(supervisor)
            csv[.accept] = "text/csv"
            try await client.execute(uri: "/api/v1/reports/staffing-plan?period=2026-11&growth=1.2", method: .get, headers: csv) {
                response in
                #expect(response.headers[.contentType] == "text/csv; charset=utf-8" && response.text.contains("neededFte"))
                #expect(response.text.contains("mot-cua") && response.text.contains("biên chế công chức"))
            }
            try await client.execute(
                uri: "/api/v1/reports/staffing-plan?period=2026-11&growth=99", method: .get, headers: bearer(supervisor)
            ) {
                #expect($0.status == .unprocessableContent)
            }
        }
    }
}
