import ArgumentParser
import Foundation
import ServiceDesk

struct ServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service", abstract: "The catalogue: procedures, feedback, inquiry and complaint types.",
        subcommands: [List.self, Show.self, Create.self, Update.self, Import.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List services.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "procedure, feedback, inquiry or complaint") var kind: String?
        @Option(help: "Only services whose route passes through this department.") var department: String?
        @Option(help: "true or false") var active: String?

        func run() async throws {
            let client = try global.client()
            let items: [Service] = try await Pages.all(
                client, "api/v1/services", query: ["kind": kind, "department": department, "active": active], json: global.json)
            if global.json { return }
            Output.table(
                ["code", "kind", "limit", "route", "queue", "active", "name"],
                items.map {
                    [
                        $0.code, $0.kind.rawValue, $0.timeLimit.description, ServiceCommand.route($0), $0.queuePrefix ?? "-",
                        Output.yesNo($0.active), $0.name,
                    ]
                })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one service with its route and charges.")
        @OptionGroup var global: GlobalOptions
        @Argument var code: String

        func run() async throws {
            let client = try global.client()
            let data = try await client.call("GET", "api/v1/services/\(Path.escape(code))")
            if global.json { return Output.json(data) }
            ServiceCommand.show(try client.decode(Service.self, from: data))
        }
    }

    /// The flags shared by create and update.
    struct Fields: ParsableArguments {
        @Option var name: String?
        @Option(help: "procedure, feedback, inquiry or complaint") var kind: String?
        @Option(help: "'N d' (working days) or 'N h' (working hours).") var timeLimit: String?
        @Option(help: "'dept[:allowance] > dept[:allowance] …', e.g. 'mot-cua:1 d > tnmt:8 d'.") var route: String?
        @Option(help: "Index of the deciding route step (0 = first).") var decidingStep: Int?
        @Option(help: "Legal basis making the centre's unit competent.") var legalBasis: String?
        @Option(help: "The field (lĩnh vực) it belongs to, e.g. 'Hộ tịch': its dossiers go into that field's tracking book.")
        var field: String?
        @Option(help: "restart or pause") var supplementRule: String?
        @Option(help: "Whether a paper dossier after the centre's cut-off counts from the next working day: on, off or default.")
        var cutoff: CutoffSetting?
        @Option(name: .customLong("charge"), help: "kind:amount[:remittance], e.g. le-phi:50000; repeatable.") var charges: [String] = []
        @Option(help: "Walk-in queue letter, e.g. A.") var queuePrefix: String?
        @Option(name: .customLong("keyword"), help: "An Open311 keyword (tag or synonym); repeatable.") var keywords: [String] = []
        @Option(help: "A JSON file with the service's Open311 attributes (a list; see docs/open311.md).") var attributes: String?
        @Option(
            name: .customLong("component"),
            help: "A dossier component CODE:NAME[:originals:copies][:optional], e.g. 'TP1:Tờ khai:1:0'; repeatable (docs/dossiers.md).")
        var components: [String] = []
        @Option(help: "Offered online: partial or full (toàn trình); 'none' (update) takes it off line.") var online: String?

        func componentList() throws -> [DossierComponent]? {
            guard !components.isEmpty else { return nil }
            return try components.map { text in
                let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                let numbers = parts.count >= 4 ? (Int(parts[2]), Int(parts[3])) : (0, 1)
                guard parts.count >= 2, let originals = numbers.0, let copies = numbers.1 else {
                    throw ValidationError("--component must be CODE:NAME[:originals:copies][:optional], not '\(text)'")
                }
                return DossierComponent(
                    code: parts[0], name: parts[1], required: parts.last != "optional", originals: originals, copies: copies)
            }
        }

        func attributeDrafts() throws -> [ServiceAttributeDraft]? {
            guard let attributes else { return nil }
            guard let data = FileManager.default.contents(atPath: attributes) else { throw ValidationError("cannot read \(attributes)") }
            do {
                return try JSONDecoder().decode([ServiceAttributeDraft].self, from: data)
            } catch {
                throw ValidationError("\(attributes) is not a JSON list of attributes (see docs/open311.md)")
            }
        }

        func chargeDrafts() throws -> [ChargeDraft] {
            try charges.map { text in
                guard let charge = CatalogueImport.charge(text) else {
                    throw ValidationError("--charge must be kind:amount[:remittance], e.g. le-phi:50000, not '\(text)'")
                }
                return charge
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a service.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Procedure code, e.g. 1.004227.") var code: String
        @OptionGroup var fields: Fields

        func run() async throws {
            var draft = ServiceDraft(
                code: code, name: fields.name, kind: fields.kind, timeLimit: fields.timeLimit,
                route: fields.route.map(CatalogueImport.route), decidingStep: fields.decidingStep, legalBasis: fields.legalBasis,
                supplementRule: fields.supplementRule, cutoff: fields.cutoff?.value, charges: try fields.chargeDrafts(),
                queuePrefix: fields.queuePrefix,
                keywords: fields.keywords, attributes: try fields.attributeDrafts(), field: fields.field)
            draft.components = try fields.componentList()
            draft.online = fields.online
            let client = try global.client()
            let data = try await client.call("POST", "api/v1/services", json: draft)
            if global.json { return Output.json(data) }
            ServiceCommand.show(try client.decode(Service.self, from: data))
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a service (its version goes up); --active false retires it.")
        @OptionGroup var global: GlobalOptions
        @Argument var code: String
        @OptionGroup var fields: Fields
        @Option(help: "true or false") var active: Bool?
        @Flag(help: "Remove the deciding step.") var noDecidingStep = false
        @Flag(help: "Remove every keyword.") var noKeywords = false

        func run() async throws {
            var body: [String: AnyEncodable] = [:]
            body["name"] = fields.name.map(AnyEncodable.init)
            body["kind"] = fields.kind.map(AnyEncodable.init)
            body["timeLimit"] = fields.timeLimit.map(AnyEncodable.init)
            body["route"] = fields.route.map { AnyEncodable(CatalogueImport.route($0)) }
            body["decidingStep"] = fields.decidingStep.map(AnyEncodable.init)
            if noDecidingStep { body["decidingStep"] = AnyEncodable(Int?.none) }
            body["legalBasis"] = fields.legalBasis.map(AnyEncodable.init)
            body["field"] = fields.field.map(AnyEncodable.init)
            body["supplementRule"] = fields.supplementRule.map(AnyEncodable.init)
            if let cutoff = fields.cutoff { body["cutoff"] = AnyEncodable(cutoff.value) }
            if !fields.charges.isEmpty { body["charges"] = AnyEncodable(try fields.chargeDrafts()) }
            body["queuePrefix"] = fields.queuePrefix.map(AnyEncodable.init)
            if !fields.keywords.isEmpty { body["keywords"] = AnyEncodable(fields.keywords) }
            if noKeywords { body["keywords"] = AnyEncodable([String]()) }
            body["attributes"] = try fields.attributeDrafts().map(AnyEncodable.init)
            body["active"] = active.map(AnyEncodable.init)
            body["components"] = try fields.componentList().map(AnyEncodable.init)
            if let online = fields.online { body["online"] = AnyEncodable(online == "none" ? nil : online) }
            guard !body.isEmpty else { throw ValidationError("nothing to change") }
            let client = try global.client()
            let data = try await client.call("PATCH", "api/v1/services/\(Path.escape(code))", json: body)
            if global.json { return Output.json(data) }
            ServiceCommand.show(try client.decode(Service.self, from: data))
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a catalogue from JSON ({departments, services}) or CSV, with a per-row report.",
            discussion: """
                CSV columns: code,name,kind,timeLimit,route[,decidingStep,legalBasis,field,supplementRule,charges,queuePrefix,keywords,active].
                Each row is created on its own; rows that already exist are skipped (or updated with --update).
                Exit code 1 if any row failed. See docs/catalogue.md.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "A .json or .csv file.") var file: String
        @Flag(help: "Update services (and departments) that already exist instead of skipping them.") var update = false

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
            let parsed =
                file.lowercased().hasSuffix(".csv")
                ? CatalogueImport.parseCSV(String(decoding: data, as: UTF8.self)) : CatalogueImport.parseJSON(data)
            var report = ImportReport()
            for issue in parsed.issues { report.failed(issue.location, issue.message) }
            let client = try global.client()
            for entry in parsed.departments {
                let label = "\(entry.location) department \(entry.draft.code ?? "?")"
                let answer = try await client.send("POST", "api/v1/departments", body: try APIClient.encoder.encode(entry.draft))
                if answer.status == 409 && update, let code = entry.draft.code {
                    let patch = DepartmentPatch(
                        name: entry.draft.name, kind: entry.draft.kind, decides: entry.draft.decides, active: entry.draft.active)
                    let again = try await client.send(
                        "PATCH", "api/v1/departments/\(Path.escape(code))", body: try APIClient.encoder.encode(patch))
                    record(&report, label, again, updating: true)
                } else {
                    record(&report, label, answer, updating: false)
                }
            }
            for entry in parsed.services {
                let label = "\(entry.location) service \(entry.draft.code ?? "?")"
                let answer = try await client.send("POST", "api/v1/services", body: try APIClient.encoder.encode(entry.draft))
                if answer.status == 409 && update, let code = entry.draft.code {
                    var patch = entry.draft
                    patch.code = nil
                    let again = try await client.send(
                        "PATCH", "api/v1/services/\(Path.escape(code))", body: try APIClient.encoder.encode(patch))
                    record(&report, label, again, updating: true)
                } else {
                    record(&report, label, answer, updating: false)
                }
            }
            try report.finish(json: global.json, dryRun: false)
        }

        func record(_ report: inout ImportReport, _ label: String, _ answer: APIClient.Answer, updating: Bool) {
            switch answer.status {
            case 200..<300: updating ? report.updated(label) : report.created(label)
            case 409 where !updating: report.skipped(label, "already exists (use --update to change it)")
            default: report.failed(label, APIClient.problemText(answer))
            }
        }
    }

    static func route(_ service: Service) -> String {
        service.route.enumerated().map { index, step in
            step.department + (step.allowance.map { ":\($0)" } ?? "") + (index == service.decidingStep ? "*" : "")
        }.joined(separator: " > ")
    }

    static func show(_ service: Service) {
        Output.fields([
            ("code", service.code), ("name", service.name), ("kind", service.kind.rawValue),
            ("time limit", service.timeLimit.description), ("supplement rule", service.supplementRule.rawValue),
            ("cut-off", (service.appliesCutoff ? "on" : "off") + (service.cutoff == nil ? " (default)" : "")),
            ("deciding step", service.decidingStep.map { "\($0) (\(service.route[$0].department))" } ?? "none"),
            ("legal basis", service.legalBasis ?? "-"), ("field", service.field ?? "-"), ("queue prefix", service.queuePrefix ?? "-"),
            ("keywords", service.keywords.isEmpty ? "-" : service.keywords.joined(separator: ", ")),
            ("online", service.online?.rawValue ?? "no (counter only)"),
            ("active", Output.yesNo(service.active)), ("version", String(service.version)),
        ])
        Swift.print("")
        Output.table(
            ["step", "department", "allowance", "task"],
            service.route.enumerated().map {
                [String($0.offset), $0.element.department, $0.element.allowance?.description ?? "-", $0.element.task ?? ""]
            })
        if !service.charges.isEmpty {
            Swift.print("")
            Output.table(
                ["charge", "amount (VND)", "remittance", "label"],
                service.charges.map {
                    [$0.kind.rawValue, String($0.amount), $0.remittance.rawValue, $0.label ?? ""]
                })
        }
        if !service.components.isEmpty {
            Swift.print("")
            Output.table(
                ["component", "name", "required", "originals", "copies"],
                service.components.map { [$0.code, $0.name, Output.yesNo($0.required), String($0.originals), String($0.copies)] })
        }
        if !service.attributes.isEmpty {
            Swift.print("")
            Output.table(
                ["order", "attribute", "datatype", "required", "description", "values"],
                service.attributes.sorted { $0.order < $1.order }.map {
                    [
                        String($0.order), $0.code, $0.variable ? $0.datatype.rawValue : "(information)", Output.yesNo($0.required),
                        $0.description ?? "", $0.values.map(\.key).joined(separator: ", "),
                    ]
                })
        }
    }
}

/// `--cutoff on|off|default`: a service's intake cut-off setting (`default` clears it).
enum CutoffSetting: String, ExpressibleByArgument, CaseIterable {
    case on, off, `default`

    var value: Bool? {
        switch self {
        case .on: true
        case .off: false
        case .default: nil
        }
    }
}
