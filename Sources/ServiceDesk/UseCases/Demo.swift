import Foundation

/// The example centre of `examples/` (embedded in the binary): departments, services,
/// the 2026 holiday calendar and a few staff members, so a newcomer sees a living centre.
public enum Demo {
    public struct Summary: Sendable {
        public var departments: Int
        public var services: Int
        public var days: Int
        public var staff: Int
    }

    public static var catalogueJSON: Data { Data(PackageResources.catalogue_json) }
    public static var holidaysICS: String { String(decoding: PackageResources.holidays_2026_ics, as: UTF8.self) }

    static let staff: [StaffDraft] = [
        StaffDraft(username: "giamsat", name: "Trần Minh Giám", role: "supervisor", employment: "civil-servant"),
        StaffDraft(username: "lan.mc", name: "Nguyễn Thị Lan", role: "officer", department: "mot-cua", employment: "civil-servant"),
        StaffDraft(username: "hung.tp", name: "Lê Văn Hùng", role: "handler", department: "tu-phap", employment: "civil-servant"),
        StaffDraft(username: "mai.dd", name: "Phạm Thị Mai", role: "handler", department: "dat-dai", employment: "contract"),
        StaffDraft(username: "kiosk-1", name: "Kiosk sảnh chính", role: "kiosk", employment: "contract"),
    ]

    /// Loads everything; stops at the first error (the example files are tested to load cleanly).
    public static func load(into database: AppDatabase, actor: String) async throws -> Summary {
        let catalogue = CatalogueImport.parseJSON(catalogueJSON)
        for entry in catalogue.departments { _ = try await database.createDepartment(entry.draft, actor: actor) }
        for entry in catalogue.services { _ = try await database.createService(entry.draft, actor: actor) }
        let days = CalendarImport.parseICS(holidaysICS).days
        for day in days { _ = try await database.addCalendarDay(day, actor: actor) }
        for draft in staff { _ = try await database.createStaff(draft, actor: actor) }
        return Summary(departments: catalogue.departments.count, services: catalogue.services.count, days: days.count, staff: staff.count)
    }
}
