import ArgumentParser
import Foundation
import ServiceDesk

struct CentreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "centre", abstract: "The centre's settings and organisational mode.",
        subcommands: [Show.self, Update.self, SetMode.self, RotateKey.self])

    struct RotateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-key",
            abstract: "Retire the key that signs the forms' QR seals and make a new one (papers signed before still verify).")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let client = try global.client()
            let data = try await client.call("POST", "api/v1/centre/signing-key/rotate")
            if global.json { return Output.json(data) }
            let keys = try client.decode(PublishedKeys.self, from: data).keys
            Output.table(
                ["kid", "created", "retired"],
                keys.map { key in
                    [key.kid, W3CDateTime.format(key.created, in: .gmt), key.retired.map { W3CDateTime.format($0, in: .gmt) } ?? "signing"]
                })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the centre's settings.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let client = try global.client()
            let data = try await client.call("GET", "api/v1/centre")
            if global.json { return Output.json(data) }
            CentreCommand.show(try client.decode(Centre.self, from: data))
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Change the centre's code, name, time zone, cut-off, autonomy group, apology lead or at-risk days, or the issuing body and place printed on its forms."
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: "Agency code, e.g. 000.00.31.H29.") var code: String?
        @Option(help: "Name of the centre.") var name: String?
        @Option(help: "IANA time zone, e.g. Asia/Ho_Chi_Minh.") var timezone: String?
        @Option(help: "Intake cut-off, HH:MM.") var cutoff: String?
        @Option(help: "Financial autonomy group 1–4 (public-service-unit mode).") var autonomyGroup: Int?
        @Option(help: "An apology is issued at the latest this many working days before the due date (default 1).")
        var apologyLeadDays: Int?
        @Option(help: "A ticket is at risk within this many working days of its due moment (default 1).") var atRiskDays: Int?
        @Option(help: "The body the centre belongs to, first line of its forms' header, e.g. 'UBND QUẬN BA ĐÌNH'.") var issuingBody: String?
        @Option(help: "The place name of its forms' date line, e.g. 'Hà Nội'.") var place: String?
        @Option(help: "Public-service-unit mode: the one-stop desk the unit receives dossiers for, printed as 'thay mặt …'.")
        var onBehalfOf: String?
        @Option(help: "The number a citizen calls for help, printed on the supplement request (form 02), e.g. '0236 3822 101'.")
        var contactPhone: String?
        @Option(help: "Feedback: a body asked accepts within this limit, 'N h' or 'N d' in working time (default 8 h).")
        var acceptanceLimit: String?
        @Option(help: "Feedback: a resolved item may be reopened once within this many days (default 10).") var reopenDays: Int?
        @Option(help: "Online reception: a dossier a portal submitted is received within this limit, in working time (default 8 h).")
        var receptionLimit: String?

        func run() async throws {
            var body: [String: AnyEncodable] = [:]
            body["acceptanceLimit"] = acceptanceLimit.map(AnyEncodable.init)
            body["reopenDays"] = reopenDays.map(AnyEncodable.init)
            body["receptionLimit"] = receptionLimit.map(AnyEncodable.init)
            body["apologyLeadDays"] = apologyLeadDays.map(AnyEncodable.init)
            body["atRiskDays"] = atRiskDays.map(AnyEncodable.init)
            body["code"] = code.map(AnyEncodable.init)
            body["name"] = name.map(AnyEncodable.init)
            body["timezone"] = timezone.map(AnyEncodable.init)
            body["intakeCutoff"] = cutoff.map(AnyEncodable.init)
            body["autonomyGroup"] = autonomyGroup.map(AnyEncodable.init)
            body["issuingBody"] = issuingBody.map(AnyEncodable.init)
            body["place"] = place.map(AnyEncodable.init)
            body["onBehalfOf"] = onBehalfOf.map(AnyEncodable.init)
            body["contactPhone"] = contactPhone.map(AnyEncodable.init)
            guard !body.isEmpty else { throw ValidationError("nothing to change: give at least one option") }
            let client = try global.client()
            let data = try await client.call("PATCH", "api/v1/centre", json: body)
            if global.json { return Output.json(data) }
            CentreCommand.show(try client.decode(Centre.self, from: data))
        }
    }

    struct SetMode: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-mode",
            abstract: "Switch the organisational mode; every conflict is printed on its own line and nothing changes if there is one.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "administrative-body or public-service-unit") var mode: String
        @Flag(help: "Only list the conflicts; change nothing.") var dryRun = false
        @Option(help: "Financial autonomy group 1–4, needed to become a public service unit.") var autonomyGroup: Int?
        @Flag(help: "Also list what the switch does to people, quota lines and fees.") var staffing = false

        func validate() throws {
            guard OrganisationalMode(rawValue: mode) != nil else {
                throw ValidationError("mode must be administrative-body or public-service-unit")
            }
        }

        func run() async throws {
            let client = try global.client()
            let request = ModeChangeRequest(mode: mode, dryRun: dryRun, autonomyGroup: autonomyGroup, staffing: staffing ? true : nil)
            let answer = try await client.send("POST", "api/v1/centre/mode", body: try APIClient.encoder.encode(request))
            if global.json { Output.json(answer.data) }
            guard (200..<300).contains(answer.status) else { throw CLIFailure(APIClient.problemText(answer)) }
            if global.json { return }
            let result = try client.decode(ModeChangeResult.self, from: answer.data)
            for conflict in result.conflicts { print(ConflictLine.text(conflict)) }
            if let impact = result.staffing {
                for person in impact.people {
                    print(
                        person.action == "change-category"
                            ? "staff \(person.username) (\(person.name), \(person.department)): change category \(person.employment.rawValue) → \(person.becomes?.rawValue ?? "contract") or contract"
                            : "staff \(person.username) (\(person.name), \(person.department)): leaves the deciding step of \((person.services ?? []).joined(separator: ", "))"
                    )
                }
                for line in impact.quotaLines {
                    print(
                        "quota \(line.id) (\(line.department ?? "the centre"), \(line.headcount) \(line.category.rawValue)): re-issued as \(line.reissuedAs.rawValue), \(line.wording)"
                    )
                }
                for fee in impact.fees {
                    print("fee \(fee.service) charge \(fee.charge) (\(fee.kind.rawValue) \(fee.amount) VND): \(fee.change)")
                }
            }
            if result.dryRun {
                print(
                    result.conflicts.isEmpty
                        ? "dry run: switching \(result.from.rawValue) → \(result.to.rawValue) is possible; nothing changed"
                        : "dry run: \(result.conflicts.count) conflict(s) block switching \(result.from.rawValue) → \(result.to.rawValue); nothing changed"
                )
            } else if result.changed {
                print("mode changed: \(result.from.rawValue) → \(result.to.rawValue)")
            } else {
                print("already \(result.to.rawValue); nothing changed")
            }
        }
    }

    static func show(_ centre: Centre) {
        Output.fields([
            ("code", centre.code), ("name", centre.name), ("mode", centre.mode.rawValue),
            ("autonomy group", centre.autonomyGroup.map(String.init) ?? "-"), ("time zone", centre.timezone),
            ("intake cut-off", centre.intakeCutoff.description),
            ("apology lead", "\(centre.apologyLeadDays) working day(s) before the due date"),
            ("at risk", "within \(centre.atRiskDays) working day(s) of the due moment"),
            ("issuing body", centre.issuingBody ?? "-"), ("place", centre.place ?? "-"), ("on behalf of", centre.onBehalfOf ?? "-"),
            ("contact phone", centre.contactPhone ?? "-"),
            ("acceptance limit", "\(centre.acceptanceLimit) (feedback forwarded to a body)"),
            ("reopen", "within \(centre.reopenDays) day(s) of the resolution, once"),
            ("reception limit", "\(centre.receptionLimit) (dossiers submitted online)"),
        ])
    }
}

/// Lets a command build a JSON body from optional flags.
struct AnyEncodable: Encodable {
    let encodeValue: (any Encoder) throws -> Void
    init<Value: Encodable>(_ value: Value) { encodeValue = value.encode }
    func encode(to encoder: any Encoder) throws { try encodeValue(encoder) }
}
