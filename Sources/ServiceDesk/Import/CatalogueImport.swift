import Foundation
import SwiftCSV

/// A catalogue file: departments first (services route through them), then services.
public struct Catalogue: Codable, Sendable {
    public var departments: [DepartmentDraft]
    public var services: [ServiceDraft]

    public init(departments: [DepartmentDraft] = [], services: [ServiceDraft] = []) {
        self.departments = departments
        self.services = services
    }
}

/// Reads a service catalogue from JSON or CSV (`deskcli service import`). Each entry keeps
/// its place in the file so that the import report can say "row 4: timeLimit: …".
public enum CatalogueImport {
    public struct Entry<Draft: Sendable>: Sendable {
        public var location: String
        public var draft: Draft
    }

    public struct Result: Sendable {
        public var departments: [Entry<DepartmentDraft>]
        public var services: [Entry<ServiceDraft>]
        public var issues: [ImportIssue]
    }

    /// JSON: either `{"departments": [...], "services": [...]}` or an array of services, in
    /// the shapes of `POST /api/v1/departments` and `POST /api/v1/services`.
    public static func parseJSON(_ data: Data) -> Result {
        let decoder = JSONDecoder()
        if let catalogue = try? decoder.decode(Catalogue.self, from: data) {
            return Result(
                departments: catalogue.departments.enumerated().map { Entry(location: "departments[\($0.offset)]", draft: $0.element) },
                services: catalogue.services.enumerated().map { Entry(location: "services[\($0.offset)]", draft: $0.element) },
                issues: [])
        }
        do {
            let services = try decoder.decode([ServiceDraft].self, from: data)
            return Result(
                departments: [], services: services.enumerated().map { Entry(location: "services[\($0.offset)]", draft: $0.element) },
                issues: [])
        } catch {
            return Result(
                departments: [], services: [],
                issues: [
                    ImportIssue(
                        location: "file",
                        message: "not a catalogue: expected {\"departments\": [...], \"services\": [...]} or an array of services")
                ])
        }
    }

    /// CSV with a header row and the columns `code, name, kind, timeLimit, route` and
    /// optionally `decidingStep, legalBasis, field, supplementRule, charges, queuePrefix, keywords, active`.
    /// `route` is `dept[:allowance] > dept[:allowance] …` (e.g. `mot-cua:1 d > tnmt:8 d`);
    /// `charges` is `kind:amount[:remittance]` lines separated by `;` (e.g. `le-phi:50000`);
    /// `keywords` are separated by `;`. Open311 attributes are imported from JSON only.
    public static func parseCSV(_ text: String) -> Result {
        var services: [Entry<ServiceDraft>] = []
        var issues: [ImportIssue] = []
        let csv: CSV<Named>
        do {
            csv = try CSV<Named>(string: text, delimiter: .comma, loadColumns: false)
        } catch {
            return Result(departments: [], services: [], issues: [ImportIssue(location: "file", message: "not readable as CSV: \(error)")])
        }
        let required = ["code", "name", "kind", "timeLimit", "route"]
        let missing = required.filter { !csv.header.contains($0) }
        guard missing.isEmpty else {
            return Result(
                departments: [], services: [],
                issues: [ImportIssue(location: "row 1", message: "the header lacks the column(s) \(missing.joined(separator: ", "))")])
        }
        for (index, row) in csv.rows.enumerated() {
            let location = "row \(index + 2)"
            func field(_ name: String) -> String? {
                guard let value = row[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
                return value
            }
            var rowIssues: [String] = []
            let route = Self.route(field("route") ?? "")
            var charges: [ChargeDraft] = []
            for line in (field("charges") ?? "").split(separator: ";") {
                guard let charge = Self.charge(String(line)) else {
                    rowIssues.append(
                        "charges: '\(line.trimmingCharacters(in: .whitespaces))' must be kind:amount[:remittance], e.g. le-phi:50000")
                    continue
                }
                charges.append(charge)
            }
            var decidingStep: Int?
            if let text = field("decidingStep") {
                decidingStep = Int(text)
                if decidingStep == nil { rowIssues.append("decidingStep: must be a step number (0 for the first step)") }
            }
            var active: Bool?
            if let text = field("active")?.lowercased() {
                active = ["true", "yes", "1"].contains(text) ? true : ["false", "no", "0"].contains(text) ? false : nil
                if active == nil { rowIssues.append("active: must be true or false") }
            }
            if !rowIssues.isEmpty {
                issues += rowIssues.map { ImportIssue(location: location + (field("code").map { " (\($0))" } ?? ""), message: $0) }
                continue
            }
            let draft = ServiceDraft(
                code: field("code"), name: field("name"), kind: field("kind"), timeLimit: field("timeLimit"),
                route: route, decidingStep: decidingStep, legalBasis: field("legalBasis"),
                supplementRule: field("supplementRule"), charges: charges, queuePrefix: field("queuePrefix"),
                keywords: field("keywords").map { $0.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) } },
                active: active, field: field("field"))
            services.append(Entry(location: location, draft: draft))
        }
        return Result(departments: [], services: services, issues: issues)
    }

    /// `dept[:allowance] > dept[:allowance] …`, e.g. `mot-cua:1 d > tnmt:8 d`.
    public static func route(_ text: String) -> [RouteStepDraft] {
        text.split(separator: ">").map { part in
            let pieces = part.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            return RouteStepDraft(department: pieces.first ?? "", allowance: pieces.count > 1 ? pieces[1] : nil)
        }
    }

    /// `kind:amount[:remittance]`, e.g. `le-phi:50000` or `phi:20000:retained`; nil when malformed.
    public static func charge(_ text: String) -> ChargeDraft? {
        let pieces = text.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
        guard (2...3).contains(pieces.count), let amount = Int(pieces[1]) else { return nil }
        return ChargeDraft(kind: pieces[0], amount: amount, remittance: pieces.count > 2 ? pieces[2] : nil)
    }
}
