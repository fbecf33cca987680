import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceDesk

/// `/api/v1/reports/{report}` (SPEC §6): JSON by default, CSV with `Accept: text/csv`.
struct ReportController {
    let database: AppDatabase

    func addRoutes(to group: RouterGroup<DeskRequestContext>) {
        group.get("reports/:report") { request, context in
            try context.require(.supervisor, .admin)
            let name = try context.parameter("report")
            guard let report = AppDatabase.ReportName(rawValue: name) else { throw DeskError.notFound(entity: "report", id: name) }
            var query = Query(request)
            let grouping = query.enumeration("by", ReportGrouping.self) ?? .none
            try query.finish()
            let period: ReportPeriod? =
                report == .backlog && query.string("period") == nil && query.string("from") == nil
                ? nil : try ReportPeriod.parse(period: query.string("period"), from: query.string("from"), to: query.string("to"))
            let table = try await database.report(report, period: period, groupBy: grouping)
            if request.headers[.accept]?.contains("text/csv") == true {
                return Response(
                    status: .ok,
                    headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(name).csv\""],
                    body: .init(byteBuffer: ByteBuffer(string: table.csv())))
            }
            return try JSONResponse(table).response(from: request, context: context)
        }
    }
}
