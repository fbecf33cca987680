import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import ServiceDesk
import Testing

@testable import deskd

@Suite("OpenAPI contract")
struct ContractTests {
    static let documentURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("openapi.yaml")

    /// `METHOD /path` for every operation of the document's `paths`.
    static func documentedOperations() throws -> Set<String> {
        let text = try String(contentsOf: documentURL, encoding: .utf8)
        var operations = Set<String>()
        var inPaths = false
        var path: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "paths:" {
                inPaths = true
                continue
            }
            guard inPaths else { continue }
            if !line.hasPrefix(" ") && !line.isEmpty { break }  // the next top-level key
            if line.hasPrefix("  /") && !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())  // "  /x:" → "/x"
            } else if let path, line.hasPrefix("    ") && !line.hasPrefix("     ") {
                let key = line.trimmingCharacters(in: .whitespaces).dropLast()
                if ["get", "post", "put", "patch", "delete"].contains(String(key)) {
                    operations.insert("\(key.uppercased()) \(path)")
                }
            }
        }
        return operations
    }

    @Test("the routes the server registers and the operations of openapi.yaml are the same")
    func routesMatchDocument() async throws {
        let router = buildRouter(DeskdConfiguration(), database: try AppDatabase.inMemory(), registry: PrometheusCollectorRegistry())
        let registered = Set(router.routes.map { "\($0.method) \($0.path)" })
        let documented = try Self.documentedOperations()
        #expect(registered.subtracting(documented).sorted() == [], "registered but not documented")
        #expect(documented.subtracting(registered).sorted() == [], "documented but not registered")
        #expect(registered.count > 20)
    }

    @Test("the server serves the repository's openapi.yaml byte for byte")
    func servesDocument() async throws {
        let app = try await TestApp.make()
        let expected = try String(contentsOf: Self.documentURL, encoding: .utf8)
        try await app.test { client in
            try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/yaml")
                #expect(response.text == expected)
            }
        }
    }
}
