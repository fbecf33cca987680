import ArgumentParser
import Foundation
import ServiceDesk

struct StaffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staff", abstract: "Staff members, their roles, careers and API tokens; the headcount quotas.",
        subcommands: [List.self, Show.self, Create.self, Update.self, Token.self, QuotaCommand.self, ScenarioCommand.self])

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

    /// The career flags shared by create and update (dates YYYY-MM-DD).
    struct CareerOptions: ParsableArguments {
        @Option(help: "The agency that sent them (cơ quan cử).") var homeAgency: String?
        @Option(help: "Working in the field since, YYYY-MM-DD.") var senioritySince: String?
        @Option(help: "A tour at the desk from, YYYY-MM-DD (12–36 months, Decree 118/2025 art. 11).") var secondedFrom: String?
        @Option(help: "The tour's last day, YYYY-MM-DD.") var secondedUntil: String?
        @Option(help: "First day at the centre, YYYY-MM-DD.") var activeFrom: String?
        @Option(help: "First day no longer at the centre, YYYY-MM-DD.") var leftOn: String?
        @Option(help: "The named backup's username: who takes the desk when they are away.") var backup: String?

        var given: Bool { [homeAgency, senioritySince, secondedFrom, secondedUntil, activeFrom, leftOn, backup].contains { $0 != nil } }

        var draft: CareerDraft {
            CareerDraft(
                homeAgency: homeAgency, senioritySince: senioritySince, secondedFrom: secondedFrom, secondedUntil: secondedUntil,
                activeFrom: activeFrom, leftOn: leftOn, backup: backup)
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
        @OptionGroup var career: CareerOptions

        func run() async throws {
            let client = try global.client()
            let draft = StaffDraft(
                username: username, name: name, role: role, department: department, employment: employment,
                career: career.given ? career.draft : nil)
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
        @OptionGroup(title: "Career (any of these replaces the whole record: give every field it should keep)") var career: CareerOptions

        func run() async throws {
            var body: [String: AnyEncodable] = [:]
            if career.given { body["career"] = AnyEncodable(career.draft) }
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
            ("home agency", staff.career.homeAgency ?? "-"), ("in the field since", staff.career.senioritySince?.description ?? "-"),
            (
                "tour at the desk",
                staff.career.secondedFrom.map { "\($0) to \(staff.career.secondedUntil?.description ?? "?")" } ?? "-"
            ),
            ("at the centre", "\(staff.career.activeFrom?.description ?? "…") to \(staff.career.leftOn?.description ?? "…")"),
            ("backup", staff.career.backup ?? "-"),
        ])
    }
}

/// `deskcli staff quota`: the headcount quotas of the competent body's decisions.
struct QuotaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quota", abstract: "Headcount quotas per department and category: list, add, end (never deleted).",
        subcommands: [List.self, Add.self, End.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The quota lines, or those valid on a day.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only the lines valid on this day, YYYY-MM-DD.") var validOn: String?

        func run() async throws {
            let client = try global.client()
            let data = try await client.call("GET", "api/v1/staffing/quotas", query: ["validOn": validOn])
            if global.json { return Output.json(data) }
            let quotas = try client.decode([Quota].self, from: data)
            Output.table(
                ["id", "department", "category", "headcount", "from", "until", "decision"],
                quotas.map {
                    [
                        String($0.id), $0.department ?? "-", $0.category.rawValue, String($0.headcount), $0.validFrom.description,
                        $0.validUntil?.description ?? "-", $0.decision,
                    ]
                })
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a quota line of a decision.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Department code; absent: the centre's own management.") var department: String?
        @Option(help: "civil-servant, public-employee or contract.") var category: String
        @Option(help: "The number of people allowed.") var headcount: Int
        @Option(help: "The decision, e.g. 'Quyết định 123/QĐ-UBND ngày 01/03/2026'.") var decision: String
        @Option(help: "The day it takes effect, YYYY-MM-DD.") var from: String
        @Option(help: "Its last day, YYYY-MM-DD (absent: until replaced).") var until: String?

        func run() async throws {
            let client = try global.client()
            let draft = QuotaDraft(
                department: department, category: category, headcount: headcount, decision: decision, validFrom: from, validUntil: until)
            let data = try await client.call("POST", "api/v1/staffing/quotas", json: draft)
            if global.json { return Output.json(data) }
            let quota = try client.decode(Quota.self, from: data)
            print(
                "quota line \(quota.id): \(quota.headcount) \(quota.category.rawValue) at \(quota.department ?? "the centre") from \(quota.validFrom)"
            )
        }
    }

    struct End: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End a quota line on its last day (a later decision replaces it).")
        @OptionGroup var global: GlobalOptions
        @Argument var id: Int
        @Option(help: "The line's last day, YYYY-MM-DD.") var until: String

        func run() async throws {
            let client = try global.client()
            let data = try await client.call("POST", "api/v1/staffing/quotas/\(id)/end", json: ["validUntil": until])
            if global.json { return Output.json(data) }
            let quota = try client.decode(Quota.self, from: data)
            print("quota line \(quota.id) ends on \(quota.validUntil?.description ?? "-")")
        }
    }
}

/// `deskcli staff scenario`: restructuring what-ifs, answered with the staffing plan they give.
struct ScenarioCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenario", abstract: "Restructuring scenarios: create (stored, never applied), list, show, compare two.",
        subcommands: [Create.self, List.self, Show.self, Compare.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compute and store a scenario: people moved, quotas changed; the live configuration stays as it is.")
        @OptionGroup var global: GlobalOptions
        @Argument var name: String
        @Option(help: "A year (2026), a quarter (2026-Q4) or a month (2026-11).") var period: String
        @Option(help: "The projected growth of the work (default 1).") var growth: Double?
        @Option(help: "The hall's target wait in minutes for the counters needed (default 15).") var targetWait: Int?
        @Option(help: "The share to call within the target wait (default 0.8).") var targetShare: Double?
        @Option(
            name: .customLong("move"),
            help: "FROM:TO:CATEGORY:COUNT, e.g. tu-phap:mot-cua:civil-servant:2 ('-' for the centre); repeatable.")
        var moves: [String] = []
        @Option(name: .customLong("quota"), help: "DEPARTMENT:CATEGORY:DELTA, e.g. mot-cua:civil-servant:-1; repeatable.")
        var quotas: [String] = []

        func run() async throws {
            let department = { (text: Substring) -> String? in text == "-" ? nil : String(text) }
            let moveList = try moves.map { text -> ScenarioRequest.Move in
                let parts = text.split(separator: ":", omittingEmptySubsequences: false)
                guard parts.count == 4, let category = Employment(rawValue: String(parts[2])), let count = Int(parts[3]) else {
                    throw ValidationError("--move must be FROM:TO:CATEGORY:COUNT, not '\(text)'")
                }
                return ScenarioRequest.Move(from: department(parts[0]), to: department(parts[1]), category: category, count: count)
            }
            let quotaList = try quotas.map { text -> ScenarioRequest.QuotaChange in
                let parts = text.split(separator: ":", omittingEmptySubsequences: false)
                guard parts.count == 3, let category = Employment(rawValue: String(parts[1])), let delta = Int(parts[2]) else {
                    throw ValidationError("--quota must be DEPARTMENT:CATEGORY:DELTA, not '\(text)'")
                }
                return ScenarioRequest.QuotaChange(department: department(parts[0]), category: category, delta: delta)
            }
            let request = ScenarioRequest(
                name: name, period: period, growth: growth, targetWaitMinutes: targetWait, targetShare: targetShare,
                moves: moveList.isEmpty ? nil : moveList,
                quotaChanges: quotaList.isEmpty ? nil : quotaList)
            let client = try global.client()
            let data = try await client.call("POST", "api/v1/staffing/scenarios", json: request)
            if global.json { return Output.json(data) }
            ScenarioCommand.show(try client.decode(Scenario.self, from: data).plan)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The stored scenarios, newest first.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let client = try global.client()
            let data = try await client.call("GET", "api/v1/staffing/scenarios")
            if global.json { return Output.json(data) }
            let scenarios = try client.decode([Scenario].self, from: data)
            Output.table(
                ["name", "period", "moves", "quota changes", "by"],
                scenarios.map {
                    [
                        $0.name, $0.request.period, String($0.request.moves?.count ?? 0), String($0.request.quotaChanges?.count ?? 0),
                        $0.createdBy,
                    ]
                })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A stored scenario's plan.")
        @OptionGroup var global: GlobalOptions
        @Argument var name: String

        func run() async throws {
            let client = try global.client()
            let data = try await client.call("GET", "api/v1/staffing/scenarios/\(Path.escape(name))")
            if global.json { return Output.json(data) }
            ScenarioCommand.show(try client.decode(Scenario.self, from: data).plan)
        }
    }

    struct Compare: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Two scenarios side by side (A and B columns).")
        @OptionGroup var global: GlobalOptions
        @Argument var first: String
        @Argument var second: String
        @Flag(help: "As CSV.") var csv = false

        func run() async throws {
            let client = try global.client()
            let query: [String: String?] = ["a": first, "b": second]
            if csv {
                return FileHandle.standardOutput.write(
                    try await client.call("GET", "api/v1/staffing/scenarios/compare", query: query, headers: ["Accept": "text/csv"]))
            }
            let data = try await client.call("GET", "api/v1/staffing/scenarios/compare", query: query)
            if global.json { return Output.json(data) }
            ScenarioCommand.show(try client.decode(ReportTable.self, from: data))
        }
    }

    static func show(_ table: ReportTable) {
        Output.table(table.columns, table.rows.map { row in table.columns.map { (row[$0] ?? .null).description } })
    }
}
