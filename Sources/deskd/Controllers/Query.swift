import Foundation
import Hummingbird
import Logging
import ServiceDesk

/// Reads query parameters with field-level errors instead of silently ignoring bad ones.
struct Query {
    let parameters: Parameters
    private var errors: [FieldError] = []

    init(_ request: Request) {
        parameters = request.uri.queryParameters
    }

    /// Free text (a code, a search): sent empty it is as if absent. Typed parameters — integers,
    /// booleans, enumerations, dates — are read with `raw`, so an empty value is an error.
    func string(_ name: String) -> String? {
        parameters.get(name).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// An integer; sent empty it is an error (the document's `integer` has no empty value).
    mutating func int(_ name: String) -> Int? {
        guard let text = raw(name) else { return nil }
        guard let value = Int(text) else {
            errors.append(FieldError(name, "must be an integer"))
            return nil
        }
        return value
    }

    /// `true`/`false` (or `1`/`0`); sent empty it is an error.
    mutating func bool(_ name: String) -> Bool? {
        guard let text = raw(name) else { return nil }
        switch text.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default:
            errors.append(FieldError(name, "must be true or false"))
            return nil
        }
    }

    /// A parameter as sent, even empty (nil only when absent).
    func raw(_ name: String) -> String? {
        parameters.get(name)
    }

    /// An enumeration value; a parameter sent empty is an error like any other value not listed
    /// (the document's enum does not include "").
    mutating func enumeration<Value: RawRepresentable & CaseIterable>(_ name: String, _ type: Value.Type) -> Value?
    where Value.RawValue == String {
        guard let text = raw(name) else { return nil }
        guard let value = Value(rawValue: text) else {
            errors.append(FieldError(name, "must be one of \(Value.allCases.map(\.rawValue).joined(separator: ", "))"))
            return nil
        }
        return value
    }

    /// A moment given as an RFC 3339 timestamp or a local date `YYYY-MM-DD` (its start, or
    /// with `endOfDay` the start of the next day, so `receivedTo=2026-11-30` includes that day).
    mutating func instant(_ name: String, database: AppDatabase, endOfDay: Bool, datesOnly: Bool = false) async throws -> Date? {
        guard let text = raw(name) else { return nil }
        if datesOnly && LocalDate(text) == nil {
            errors.append(FieldError(name, "must be a date YYYY-MM-DD"))
            return nil
        }
        if let date = LocalDate(text) {
            let centre = try await database.centre()
            let clock = LocalClock(identifier: centre.timezone) ?? LocalClock(timeZone: .gmt)
            return clock.instant(endOfDay ? date.adding(days: 1) : date, minute: 0)
        }
        if let instant = W3CDateTime.parse(text) { return instant }
        errors.append(FieldError(name, "must be a date YYYY-MM-DD or an RFC 3339 timestamp"))
        return nil
    }

    /// `limit` and `cursor`, shared by every list.
    mutating func page() throws -> PageRequest {
        let limit = int("limit")
        try finish()
        return try PageRequest(limit: limit, cursor: string("cursor"))
    }

    func finish() throws {
        if !errors.isEmpty { throw DeskError.validation(errors) }
    }
}

extension Role {
    /// Staff who may read the configuration (catalogue, departments, calendar, centre) and
    /// tickets: everyone but the kiosk and the hall display, which see only their own feeds
    /// (`Permissions.readers`).
    static let configurationReaders: [Role] = Role.allCases.filter(Permissions.readers.contains)
}

extension DeskRequestContext {
    @discardableResult
    func require(anyOf roles: [Role]) throws -> Principal {
        let principal = try caller
        guard roles.contains(principal.staff.role) else {
            throw Problem.forbidden(
                "role \(principal.staff.role.rawValue) may not do this; it needs \(roles.map(\.rawValue).joined(separator: " or "))")
        }
        return principal
    }

    func parameter(_ name: String) throws -> String {
        try parameters.require(name)
    }
}
