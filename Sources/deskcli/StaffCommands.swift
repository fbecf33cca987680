import ArgumentParser
import Foundation
import ServiceDesk

struct StaffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staff", abstract: "Staff members, their roles and their API tokens.",
        subcommands: [List.self, Show.self, Create.self, Update.self, Token.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List staff.")
        @OptionGroup var global: GlobalOptions
        @Option var role: String?
        @Option var department: String?
        @Option(help: "true or false") var active: String?

        func run() async throws {
            let client = try global.client()
            let items: [Staff] = try await Pages.all(
                client, "api/v1/staff", query: ["role": role, "department": department, "active": active], json: global.json)
            if global.json { return }
            Output.table(
                ["username", "role", "department", "employment", "active", "name"],
                items.map {
                    [$0.username, $0.role.rawValue, $0.department ?? "-", $0.employment.rawValue, Output.yesNo($0.active), $0.name]
                })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one staff member.")
        @OptionGroup var global: GlobalOptions
        @Argument var username: String

        func run() async throws {
            let client = try global.client()
            let data = try await client.call("GET", "api/v1/staff/\(Path.escape(username))")
            if global.json { return Output.json(data) }
            StaffCommand.show(try client.decode(Staff.self, from: data))
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a staff member (then give them a token with 'staff token create').")
        @OptionGroup var global: GlobalOptions
        @Argument var username: String
        @Option var name: String
        @Option(help: "admin, supervisor, officer, handler, integration, kiosk or display") var role: String
        @Option(help: "civil-servant, public-employee or contract") var employment: String
        @Option(help: "Department code (required for handlers).") var department: String?

        func run() async throws {
            let client = try global.client()
            let draft = StaffDraft(username: username, name: name, role: role, department: department, employment: employment)
            let data = try await client.call("POST", "api/v1/staff", json: draft)
            if global.json { return Output.json(data) }
            StaffCommand.show(try client.decode(Staff.self, from: data))
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a staff member; --active false deactivates them.")
        @OptionGroup var global: GlobalOptions
        @Argument var username: String
        @Option var name: String?
        @Option var role: String?
        @Option var employment: String?
        @Option(help: "Department code.") var department: String?
        @Flag(help: "Remove the department.") var noDepartment = false
        @Option(help: "true or false") var active: Bool?

        func run() async throws {
            var body: [String: AnyEncodable] = [:]
            body["name"] = name.map(AnyEncodable.init)
            body["role"] = role.map(AnyEncodable.init)
            body["employment"] = employment.map(AnyEncodable.init)
            body["department"] = department.map(AnyEncodable.init)
            if noDepartment { body["department"] = AnyEncodable(String?.none) }
            body["active"] = active.map(AnyEncodable.init)
            guard !body.isEmpty else { throw ValidationError("nothing to change") }
            let client = try global.client()
            let data = try await client.call("PATCH", "api/v1/staff/\(Path.escape(username))", json: body)
            if global.json { return Output.json(data) }
            StaffCommand.show(try client.decode(Staff.self, from: data))
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "API tokens: create (shown once), list, revoke.", subcommands: [Create.self, List.self, Revoke.self])

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Issue a token for a staff member; it is shown only this once.")
            @OptionGroup var global: GlobalOptions
            @Argument var username: String
            @Option(help: "What the token is for, e.g. 'counter 3 PC'.") var label: String?
            @Option(
                help: """
                    api (Authorization: Bearer under /api/v1) or open311 (only as api_key under /open311/v2, \
                    for an integration member; it opens nothing under /api/v1).
                    """)
            var scope: String = "api"

            func validate() throws {
                guard TokenScope(rawValue: scope) != nil else { throw ValidationError("--scope must be api or open311") }
            }

            func run() async throws {
                let client = try global.client()
                let data = try await client.call(
                    "POST", "api/v1/staff/\(Path.escape(username))/tokens", json: ["label": label, "scope": scope])
                if global.json { return Output.json(data) }
                let issued = try client.decode(IssuedToken.self, from: data)
                print("token: \(issued.token)")
                print(
                    "id \(issued.info.id) for \(issued.info.username) (\(issued.info.label), scope \(issued.info.scope.rawValue)); store it now: it is not shown again"
                )
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List a staff member's tokens (never the secrets).")
            @OptionGroup var global: GlobalOptions
            @Argument var username: String

            func run() async throws {
                let client = try global.client()
                let data = try await client.call("GET", "api/v1/staff/\(Path.escape(username))/tokens")
                if global.json { return Output.json(data) }
                let tokens = try client.decode([TokenInfo].self, from: data)
                let format = ISO8601DateFormatter()
                Output.table(
                    ["id", "label", "scope", "created", "revoked"],
                    tokens.map {
                        [
                            $0.id, $0.label, $0.scope.rawValue, format.string(from: $0.createdAt),
                            $0.revokedAt.map(format.string(from:)) ?? "-",
                        ]
                    })
            }
        }

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke a token by its id.")
            @OptionGroup var global: GlobalOptions
            @Argument var id: String

            func run() async throws {
                try await global.client().call("DELETE", "api/v1/tokens/\(Path.escape(id))")
                if !global.json { print("revoked \(id)") }
            }
        }
    }

    static func show(_ staff: Staff) {
        Output.fields([
            ("username", staff.username), ("name", staff.name), ("role", staff.role.rawValue),
            ("department", staff.department ?? "-"), ("employment", staff.employment.rawValue), ("active", Output.yesNo(staff.active)),
        ])
    }
}
