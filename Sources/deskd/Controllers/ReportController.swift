import Foundation
import HTTPTypes
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
            let grouping = query.enumeration("by", ReportGrouping.self) ?? (report == .staffing ? .hour : .none)
            let filter = ReportFilter(
                department: query.string("department"), service: query.string("service"),
                channel: query.enumeration("channel", Ticket.Channel.self))
            let target = query.int("targetWaitMinutes") ?? 15
            let share = query.string("targetShare").map { Double($0) } ?? 0.8
            let growth = query.string("growth").map { Double($0) } ?? 1
            let exact = query.bool("exact") ?? false
            try query.finish()
            guard let growth, growth.isFinite, (0.1...10).contains(growth) else {
                throw DeskError.validation([FieldError("growth", "must be a factor from 0.1 to 10, e.g. 1.2 for 20 % more work")])
            }
            guard (1...600).contains(target) else {
                throw DeskError.validation([FieldError("targetWaitMinutes", "must be 1 to 600 minutes")])
            }
            guard let share, share > 0, share < 1 else {
                throw DeskError.validation([FieldError("targetShare", "must be a share between 0 and 1, e.g. 0.8")])
            }
            let period: ReportPeriod? =
                report == .backlog && query.raw("period") == nil && query.raw("from") == nil && query.raw("to") == nil
                ? nil : try ReportPeriod.parse(period: query.raw("period"), from: query.raw("from"), to: query.raw("to"))
            let table = try await database.report(
                report,
                ReportRequest(
                    period: period, groupBy: grouping, filter: filter, targetWaitMinutes: target, targetShare: share, growth: growth,
                    exact: exact))
            return try table.response(request, context, file: name)
        }
    }
}

extension ReportTable {
    /// The table as the client asks: CSV with `Accept: text/csv` (an attachment `file`.csv when
    /// named), JSON otherwise. Shared by the reports, the tracking book and the scenarios.
    func response(_ request: Request, _ context: DeskRequestContext, file name: String? = nil) throws -> Response {
        guard request.headers[.accept]?.contains("text/csv") == true else {
            return try JSONResponse(self).response(from: request, context: context)
        }
        var headers: HTTPFields = [.contentType: "text/csv; charset=utf-8"]
        if let name { headers[.contentDisposition] = "attachment; filename=\"\(name).csv\"" }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: csv())))
    }
}
