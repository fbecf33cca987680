import GRDB

extension AppDatabase {
    /// Open and closed tickets by state and current department, for `/metrics`.
    public func ticketCounts() async throws -> [(state: String, department: String, count: Int)] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT state, coalesce(department, '-') AS department, count(*) AS n FROM ticket GROUP BY state, department"
            )
            .map { ($0["state"], $0["department"], $0["n"]) }
        }
    }
}
