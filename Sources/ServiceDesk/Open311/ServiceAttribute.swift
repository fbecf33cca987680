import Foundation

/// An Open311 attribute of a catalogue service (GeoReport v2 service definition): an extra
/// field a request must or may carry, or (`variable` false) a text shown to the citizen.
public struct ServiceAttribute: Codable, Equatable, Sendable {
    public enum Datatype: String, Codable, CaseIterable, Sendable {
        /// One line of text.
        case string
        case number
        /// A W3C datetime.
        case datetime
        /// Text that may contain line breaks.
        case text
        /// Exactly one key of `values`.
        case singlevaluelist
        /// One or more keys of `values`.
        case multivaluelist

        var isList: Bool { self == .singlevaluelist || self == .multivaluelist }
    }

    /// What is posted as `attribute[code]`; letters, digits, `_` and `-` (clients put it in form keys raw).
    public var code: String
    public var datatype: Datatype
    /// `false`: not an input but a message to show (its `description`).
    public var variable: Bool
    public var required: Bool
    /// Display order, 1 first, unique within the service.
    public var order: Int
    /// The prompt or instructions.
    public var description: String?
    /// A hint for the input format.
    public var datatypeDescription: String?
    /// The choices of the two list types.
    public var values: [Choice]

    public struct Choice: Codable, Equatable, Sendable {
        /// What the client posts.
        public var key: String
        /// The label shown.
        public var name: String

        public init(key: String, name: String) {
            self.key = key
            self.name = name
        }
    }

    public init(
        code: String, datatype: Datatype, variable: Bool = true, required: Bool = false, order: Int,
        description: String? = nil, datatypeDescription: String? = nil, values: [Choice] = []
    ) {
        self.code = code
        self.datatype = datatype
        self.variable = variable
        self.required = required
        self.order = order
        self.description = description
        self.datatypeDescription = datatypeDescription
        self.values = values
    }

    static let maxStringLength = 1000
    static let maxTextLength = 4000

    /// The stored values of one posted attribute (nil: absent and allowed), or an error in
    /// `validator`. Empty values count as absent (Open311: "optional" means an empty value is the
    /// same as none; FixMyStreet posts an unselected list as "").
    func checked(_ posted: [String], into validator: inout Validator) -> [String]? {
        let field = "attribute[\(code)]"
        let values = posted.map(Text.clean).filter { !$0.isEmpty }
        guard variable else {
            validator.check(values.isEmpty, field, "is information only and takes no value")
            return nil
        }
        guard !values.isEmpty else {
            validator.check(!required, field, "is required (\(description ?? datatype.rawValue))")
            return nil
        }
        guard datatype == .multivaluelist || values.count == 1 else {
            validator.add(field, "takes one value, got \(values.count)")
            return nil
        }
        let value = values[0]
        switch datatype {
        case .string:
            guard value.count <= Self.maxStringLength, !value.contains(where: \.isNewline) else {
                validator.add(field, "must be one line of at most \(Self.maxStringLength) characters")
                return nil
            }
        case .text:
            guard value.count <= Self.maxTextLength else {
                validator.add(field, "must be at most \(Self.maxTextLength) characters")
                return nil
            }
        case .number:
            guard let number = Double(value), number.isFinite else {
                validator.add(field, "must be a number, e.g. 12.5")
                return nil
            }
        case .datetime:
            guard let instant = W3CDateTime.parse(value) else {
                validator.add(field, "must be a W3C datetime with a time zone, e.g. 2026-11-30T09:00:00+07:00")
                return nil
            }
            return [W3CDateTime.format(instant, in: TimeZone(identifier: "UTC")!)]
        case .singlevaluelist, .multivaluelist:
            let keys = Set(self.values.map(\.key))
            if let wrong = values.first(where: { !keys.contains($0) }) {
                validator.add(field, "'\(wrong)' is not one of the keys \(self.values.map(\.key).joined(separator: ", "))")
                return nil
            }
            var seen = Set<String>()
            return values.filter { seen.insert($0).inserted }
        }
        return values
    }

    static func isValidCode(_ code: String) -> Bool {
        (1...64).contains(code.count) && code.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }

    /// Rules of a service's attribute list.
    static func validate(_ attributes: [ServiceAttribute], into validator: inout Validator) {
        var codes = Set<String>()
        var orders = Set<Int>()
        for (index, attribute) in attributes.enumerated() {
            let field = "attributes[\(index)]"
            validator.check(
                isValidCode(attribute.code), "\(field).code",
                "must be 1 to 64 letters, digits, '_' or '-' (it is posted as attribute[code])")
            validator.check(codes.insert(attribute.code).inserted, "\(field).code", "'\(attribute.code)' appears twice")
            validator.check(attribute.order > 0, "\(field).order", "must be a positive integer")
            validator.check(orders.insert(attribute.order).inserted, "\(field).order", "\(attribute.order) is used twice")
            validator.check(
                attribute.variable || !attribute.required, "\(field).required", "an information-only attribute cannot be required")
            validator.check(
                attribute.variable || attribute.description != nil, "\(field).description",
                "an information-only attribute shows its description")
            if attribute.datatype.isList {
                validator.check(!attribute.values.isEmpty, "\(field).values", "a \(attribute.datatype.rawValue) needs its values")
            } else {
                validator.check(attribute.values.isEmpty, "\(field).values", "only the list datatypes have values")
            }
            var keys = Set<String>()
            for (position, choice) in attribute.values.enumerated() {
                validator.check(
                    !choice.key.isEmpty && choice.key.unicodeScalars.count <= 100, "\(field).values[\(position)].key",
                    "must be 1 to 100 characters")
                validator.check(keys.insert(choice.key).inserted, "\(field).values[\(position)].key", "'\(choice.key)' appears twice")
                validator.check(
                    !choice.name.isEmpty && choice.name.unicodeScalars.count <= 200, "\(field).values[\(position)].name",
                    "must be 1 to 200 characters")
            }
            for (name, text) in [("description", attribute.description), ("datatypeDescription", attribute.datatypeDescription)] {
                validator.check((text?.unicodeScalars.count ?? 0) <= 1000, "\(field).\(name)", "must be at most 1000 characters")
            }
        }
        validator.check(attributes.count <= 100, "attributes", "at most 100 attributes per service")
    }
}

/// `attributes` of `POST /api/v1/services` and of a catalogue import; fields arrive as text so a
/// wrong datatype is reported against its field (the rules are checked with the service's). `order` defaults to the position (1 first),
/// `variable` to true, `required` to false.
public struct ServiceAttributeDraft: Codable, Sendable {
    public var code: String?
    public var datatype: String?
    public var variable: Bool?
    public var required: Bool?
    public var order: Int?
    public var description: String?
    public var datatypeDescription: String?
    public var values: [ServiceAttribute.Choice]?

    public init(
        code: String?, datatype: String?, variable: Bool? = nil, required: Bool? = nil, order: Int? = nil,
        description: String? = nil, datatypeDescription: String? = nil, values: [ServiceAttribute.Choice]? = nil
    ) {
        self.code = code
        self.datatype = datatype
        self.variable = variable
        self.required = required
        self.order = order
        self.description = description
        self.datatypeDescription = datatypeDescription
        self.values = values
    }

    static func validated(_ drafts: [ServiceAttributeDraft], into validator: inout Validator) -> [ServiceAttribute] {
        drafts.enumerated().compactMap { index, draft -> ServiceAttribute? in
            let datatype = ServiceAttribute.Datatype(rawValue: draft.datatype ?? "")
            validator.check(
                datatype != nil, "attributes[\(index)].datatype",
                "must be one of \(ServiceAttribute.Datatype.allCases.map(\.rawValue).joined(separator: ", "))")
            guard let datatype else { return nil }
            return ServiceAttribute(
                code: Text.clean(draft.code ?? ""), datatype: datatype, variable: draft.variable ?? true,
                required: draft.required ?? false, order: draft.order ?? index + 1, description: Text.clean(draft.description),
                datatypeDescription: Text.clean(draft.datatypeDescription),
                values: (draft.values ?? []).map { .init(key: Text.clean($0.key), name: Text.clean($0.name)) })
        }
    }
}
