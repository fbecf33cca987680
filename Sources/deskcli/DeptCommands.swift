import ArgumentParser
import Foundation
import ServiceDesk

struct DeptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dept", abstract: "Departments: the centre's units and the outside authorities.",
        subcommands: [List.self, Show.self, Create.self, Update.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List departments.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "internal or authority") var kind: String?
        @Option(help: "true or false") var active: String?

        func run() async throws {
            let client = try global.client()
            let items: [Department] = try await Pages.all(
                client, "api/v1/departments", query: ["kind": kind, "active": active], json: global.json)
            if global.json { return }
            Output.table(
                ["code", "kind", "decides", "active", "name"],
                items.map {
                    [$0.code, $0.kind.rawValue, Output.yesNo($0.decides), Output.yesNo($0.active), $0.name]
                })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one department.")
        @OptionGroup var global: GlobalOptions
        @Argument var code: String

        func run() async throws {
            let client = try global.client()
            let data = try await client.call("GET", "api/v1/departments/\(Path.escape(code))")
            if global.json { return Output.json(data) }
            DeptCommand.show(try client.decode(Department.self, from: data))
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a department.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Slug, e.g. tu-phap.") var code: String
        @Option(help: "Name.") var name: String
        @Option(help: "internal or authority") var kind: String
        @Flag(help: "It may issue decisions (delegated or authorised).") var decides = false
        @Option(help: "How to reach it (person, phone, e-mail): an outside agency's contact for forwarded feedback.") var contact: String?

        func run() async throws {
            let client = try global.client()
            let draft = DepartmentDraft(code: code, name: name, kind: kind, decides: decides, contact: contact)
            let data = try await client.call("POST", "api/v1/departments", json: draft)
            if global.json { return Output.json(data) }
            DeptCommand.show(try client.decode(Department.self, from: data))
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a department; --active false deactivates it.")
        @OptionGroup var global: GlobalOptions
        @Argument var code: String
        @Option var name: String?
        @Option(help: "internal or authority") var kind: String?
        @Option(help: "true or false") var decides: Bool?
        @Option(help: "true or false") var active: Bool?
        @Option(help: "How to reach it (person, phone, e-mail); '' removes it.") var contact: String?

        func run() async throws {
            let patch = DepartmentPatch(name: name, kind: kind, decides: decides, active: active, contact: contact)
            guard name != nil || kind != nil || decides != nil || active != nil || contact != nil else {
                throw ValidationError("nothing to change")
            }
            let client = try global.client()
            let data = try await client.call("PATCH", "api/v1/departments/\(Path.escape(code))", json: patch)
            if global.json { return Output.json(data) }
            DeptCommand.show(try client.decode(Department.self, from: data))
        }
    }

    static func show(_ department: Department) {
        Output.fields([
            ("code", department.code), ("name", department.name), ("kind", department.kind.rawValue),
            ("decides", Output.yesNo(department.decides)), ("active", Output.yesNo(department.active)),
            ("contact", department.contact ?? "-"),
        ])
    }
}

/// Fetches every page of a list (following `nextCursor`).
enum Pages {
    static func all<Item: Codable & Sendable>(
        _ client: APIClient, _ path: String, query: [String: String?] = [:], json: Bool
    ) async throws -> [Item] {
        var items: [Item] = []
        var cursor: String?
        repeat {
            var query = query
            query["cursor"] = cursor
            query["limit"] = "500"
            let page = try client.decode(Page<Item>.self, from: try await client.call("GET", path, query: query))
            items += page.items
            cursor = page.nextCursor
        } while cursor != nil
        if json { Output.json(try APIClient.encoder.encode(items)) }
        return items
    }
}

enum Path {
    static func escape(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? segment
    }
}
