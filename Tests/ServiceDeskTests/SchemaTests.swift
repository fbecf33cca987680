import Foundation
import Testing

@testable import ServiceDesk

@Suite("Schema")
struct SchemaTests {
    static let schemaFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("schema")

    @Test(
        "the embedded migrations are exactly the files of schema/ (SQLite) and schema/postgres/ (PostgreSQL), in order, byte for byte",
        arguments: [("", Schema.migrations), ("postgres", Schema.postgres)])
    func embeddedMatchesFolder(_ folder: String, _ migrations: [Schema.Migration]) throws {
        let folder = Self.schemaFolder.appendingPathComponent(folder)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(migrations.map { $0.name + ".sql" } == files)
        for migration in migrations {
            let text = try String(contentsOf: folder.appendingPathComponent(migration.name + ".sql"), encoding: .utf8)
            #expect(migration.sql == text, "\(migration.name) differs from its file")
        }
    }

    @Test("migration files are numbered NNNN_name.sql without gaps", arguments: [Schema.migrations, Schema.postgres])
    func numbering(_ migrations: [Schema.Migration]) {
        for (index, migration) in migrations.enumerated() {
            let number = String(format: "%04d", index + 1)
            #expect(migration.name.hasPrefix(number + "_"), "\(migration.name) should start with \(number)_")
        }
    }

    @Test("a fresh database has every migration applied")
    func migrated() throws {
        let database = try AppDatabase.inMemory()
        #expect(try database.appliedMigrations() == Schema.migrations.map(\.name))
    }
}
