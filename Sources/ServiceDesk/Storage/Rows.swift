import Foundation
import GRDB

// Mapping between the domain values and their rows. All SQL lives in Storage/ (SPEC §10:
// the door to PostgreSQL stays open behind `AppDatabase`).

extension Date {
    /// Instants are stored as whole seconds since the Unix epoch.
    var storedSeconds: Int64 { Int64(timeIntervalSince1970.rounded(.down)) }
    init(storedSeconds: Int64) { self.init(timeIntervalSince1970: TimeInterval(storedSeconds)) }
}

extension Centre {
    init(row: Row) {
        self.init(
            code: row["code"], name: row["name"],
            mode: OrganisationalMode(rawValue: row["mode"]) ?? .administrativeBody,
            autonomyGroup: row["autonomy_group"], timezone: row["timezone"],
            intakeCutoff: TimeOfDay(row["intake_cutoff"] as String) ?? Centre.defaultCutoff,
            apologyLeadDays: row["apology_lead_days"] ?? 1, atRiskDays: row["at_risk_days"] ?? 1,
            issuingBody: row["issuing_body"], place: row["place"], onBehalfOf: row["on_behalf_of"],
            contactPhone: row["contact_phone"])
        acceptanceLimit = (row["acceptance_limit"] as String?).flatMap(TimeLimit.init) ?? Centre.defaultAcceptanceLimit
        reopenDays = row["reopen_days"] ?? 10
        receptionLimit = (row["reception_limit"] as String?).flatMap(TimeLimit.init) ?? Centre.defaultAcceptanceLimit
    }
}

extension Department {
    init(row: Row) {
        self.init(
            code: row["code"], name: row["name"], kind: Kind(rawValue: row["kind"]) ?? .internal,
            decides: row["decides"], active: row["active"], contact: row["contact"])
    }
}

extension Staff {
    init(row: Row) {
        self.init(
            username: row["username"], name: row["name"], role: Role(rawValue: row["role"]) ?? .display,
            department: row["department"], employment: Employment(rawValue: row["employment"]) ?? .contract,
            active: row["active"],
            career: Career(
                homeAgency: row["home_agency"], senioritySince: (row["seniority_since"] as String?).flatMap(LocalDate.init),
                secondedFrom: (row["seconded_from"] as String?).flatMap(LocalDate.init),
                secondedUntil: (row["seconded_until"] as String?).flatMap(LocalDate.init),
                activeFrom: (row["active_from"] as String?).flatMap(LocalDate.init),
                leftOn: (row["left_on"] as String?).flatMap(LocalDate.init), backup: row["backup"]))
    }
}

extension TokenInfo {
    init(row: Row) {
        self.init(
            id: row["id"], username: row["username"], label: row["label"],
            scope: TokenScope(rawValue: row["scope"]) ?? .api, createdAt: Date(storedSeconds: row["created_at"]),
            revokedAt: (row["revoked_at"] as Int64?).map(Date.init(storedSeconds:)))
    }
}

extension Service {
    /// The stored attribute list; most services have none, and intake reads the service every
    /// time, so the JSON decoder runs only when there is something to decode.
    static func attributes(_ text: String?) -> [ServiceAttribute] {
        guard let text, text != "[]" else { return [] }
        return (try? APIJSON.decoder.decode([ServiceAttribute].self, from: Data(text.utf8))) ?? []
    }

    /// A service row without its route and charges (filled in by `AppDatabase.services`).
    init(row: Row) {
        let kind = Kind(rawValue: row["kind"]) ?? .procedure
        self.init(
            code: row["code"], name: row["name"], kind: kind,
            timeLimit: TimeLimit(row["time_limit"] as String) ?? .days(1), route: [],
            decidingStep: row["deciding_step"], legalBasis: row["legal_basis"],
            supplementRule: SupplementRule(rawValue: row["supplement_rule"]), cutoff: row["applies_cutoff"], charges: [],
            queuePrefix: row["queue_prefix"],
            keywords: (row["keywords"] as String? ?? "").split(separator: ",").map(String.init),
            attributes: Self.attributes(row["attributes"]),
            active: row["active"], version: row["version"], field: row["field"])
        if let text = row["components"] as String?, text != "[]" {
            components = (try? APIJSON.decoder.decode([DossierComponent].self, from: Data(text.utf8))) ?? []
        }
        online = (row["online_level"] as String?).flatMap(OnlineLevel.init)
    }
}

extension RouteStep {
    init(row: Row) {
        self.init(department: row["department"], allowance: (row["allowance"] as String?).flatMap(TimeLimit.init), task: row["task"])
    }
}

extension Charge {
    init?(row: Row) {
        guard let kind = Kind(rawValue: row["kind"]), let remittance = Remittance(rawValue: row["remittance"]) else { return nil }
        self.init(kind: kind, amount: row["amount"], remittance: remittance, label: row["label"])
    }
}
