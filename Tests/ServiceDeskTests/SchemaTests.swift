import Foundation
import Testing

@testable import ServiceDesk

@Suite("Schema")
struct SchemaTests {
    static let schemaFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("schema")

    @Test("the embedded migrations are exactly the files of schema/, in order, byte for byte")
    func embeddedMatchesFolder() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.schemaFolder.path)
            .filter { $0.hasSuffix(".sql") }.sorted()
        #expect(Schema.migrations.map { $0.name + ".sql" } == files)
        for migration in Schema.migrations {
            let text = try String(contentsOf: Self.schemaFolder.appendingPathComponent(migration.name + ".sql"), encoding: .utf8)
            #expect(migration.sql == text, "\(migration.name) differs from its file")
        }
    }

    @Test("migration files are numbered NNNN_name.sql without gaps")
    func numbering() {
        for (index, migration) in Schema.migrations.enumerated() {
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
