import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceDesk

/// An RFC 9457 problem: the one shape of every error answer of `deskd`.
struct Problem: HTTPResponseError, Encodable {
    var status: HTTPResponse.Status
    /// A short identifier; the `type` URI is `urn:servicedesk:problem:<slug>`.
    var slug: String
    var title: String
    var detail: String
    var errors: [FieldError]? = nil
    var conflicts: [ModeConflict]? = nil
    /// For an illegal transition: the ticket's state and the actions possible from it.
    var state: String? = nil
    var allowedActions: [String]? = nil
    /// For a stale `version`: the ticket's current one.
    var currentVersion: Int? = nil
    var headers: HTTPFields = [:]

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail, errors, conflicts, state, allowedActions, currentVersion
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("urn:servicedesk:problem:\(slug)", forKey: .type)
        try container.encode(title, forKey: .title)
        try container.encode(status.code, forKey: .status)
        try container.encode(detail, forKey: .detail)
        try container.encodeIfPresent(errors, forKey: .errors)
        try container.encodeIfPresent(conflicts, forKey: .conflicts)
        try container.encodeIfPresent(state, forKey: .state)
        try container.encodeIfPresent(allowedActions, forKey: .allowedActions)
        try container.encodeIfPresent(currentVersion, forKey: .currentVersion)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        let data = try APIJSON.encoder.encode(self)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func unauthorized(_ detail: String) -> Problem {
        Problem(
            status: .unauthorized, slug: "unauthorized", title: "Authentication required", detail: detail,
            headers: [.wwwAuthenticate: "Bearer"])
    }

    static func forbidden(_ detail: String) -> Problem {
        Problem(status: .forbidden, slug: "forbidden", title: "Not allowed", detail: detail)
    }

    static func badRequest(_ detail: String, errors: [FieldError]? = nil) -> Problem {
        Problem(status: .badRequest, slug: "malformed-request", title: "Malformed request", detail: detail, errors: errors)
    }

    static func validation(_ errors: [FieldError]) -> Problem {
        Problem(
            status: .unprocessableContent, slug: "validation", title: "Invalid input",
            detail: errors.map { "\($0.field): \($0.message)" }.joined(separator: "; "), errors: errors)
    }

    /// Maps anything a handler throws to a problem; this is the only place that knows how
    /// library errors become HTTP statuses.
    static func from(_ error: any Error) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let error as DeskError:
            return from(error)
        case let error as DecodingError:
            return from(error)
        case let gap as EngineGap:
            // A database on PostgreSQL, asked for what only SQLite does so far (docs/postgresql.md).
            return Problem(
                status: .notImplemented, slug: "not-on-this-engine", title: "Not available on this database", detail: gap.description)
        case is NIOTooManyBytesError:
            return Problem(
                status: .contentTooLarge, slug: "body-too-large", title: "Request body too large",
                detail: "the request body exceeds the configured limit")
        case let error as HTTPError:
            return Problem(
                status: error.status, slug: slug(for: error.status), title: error.status.reasonPhrase,
                detail: error.body ?? error.status.reasonPhrase)
        case let error as any HTTPResponseError:
            return Problem(
                status: error.status, slug: slug(for: error.status), title: error.status.reasonPhrase, detail: error.status.reasonPhrase)
        default:
            return Problem(
                status: .internalServerError, slug: "internal", title: "Internal error",
                detail: "the server failed to answer; the error is in its log")
        }
    }

    static func from(_ error: DeskError) -> Problem {
        switch error {
        case .validation(let errors):
            return validation(errors)
        case .inconsistent(let errors):
            return Problem(
                status: .conflict, slug: "inconsistent", title: "Does not fit the centre's present data",
                detail: errors.map { "\($0.field): \($0.message)" }.joined(separator: "; "), errors: errors)
        case .notFound(let entity, let id):
            return Problem(status: .notFound, slug: "not-found", title: "Not found", detail: "\(entity) '\(id)' not found")
        case .duplicate(let entity, let id):
            return Problem(status: .conflict, slug: "duplicate", title: "Already exists", detail: "\(entity) '\(id)' already exists")
        case .conflict(let detail):
            return Problem(status: .conflict, slug: "conflict", title: "Conflict", detail: detail)
        case .modeConflicts(let conflicts):
            return Problem(
                status: .conflict, slug: "mode-conflict", title: "Conflicts with the organisational mode",
                detail: conflicts.map { "\($0.entity) \($0.id): \($0.message)" }.joined(separator: "; "), conflicts: conflicts)
        case .forbidden(let detail):
            return forbidden(detail)
        case .illegalTransition(_, let state, let allowed):
            return Problem(
                status: .conflict, slug: "illegal-transition", title: "Not possible in this state", detail: error.summary,
                state: state, allowedActions: allowed)
        case .staleVersion(let current):
            return Problem(
                status: .conflict, slug: "stale-version", title: "Changed by someone else", detail: error.summary, currentVersion: current)
        case .rateLimited:
            return Problem(
                status: .tooManyRequests, slug: "rate-limited", title: "Too many requests", detail: error.summary,
                headers: [.retryAfter: "60"])
        case .idempotencyKeyReused:
            return Problem(
                status: .conflict, slug: "idempotency-key-reused", title: "Idempotency key reused", detail: error.summary)
        case .idempotencyKeyInProgress:
            return Problem(
                status: .conflict, slug: "idempotency-key-in-progress", title: "Idempotency key in use", detail: error.summary,
                headers: [.retryAfter: "1"])
        case .unsupportedMedia(let detail):
            return Problem(status: .unsupportedMediaType, slug: "unsupported-media", title: "File type not kept", detail: detail)
        case .tooLarge(let detail):
            return Problem(status: .contentTooLarge, slug: "body-too-large", title: "Request body too large", detail: detail)
        }
    }

    /// Malformed JSON is `400`; well-formed JSON with a wrong type or a missing value is a
    /// validation error of that field (`422`).
    static func from(_ error: DecodingError) -> Problem {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .typeMismatch(let type, let context):
            return validation([
                FieldError(path(context.codingPath).isEmpty ? "body" : path(context.codingPath), "must be \(describe(type))")
            ])
        case .valueNotFound(let type, let context):
            return validation([
                FieldError(path(context.codingPath).isEmpty ? "body" : path(context.codingPath), "must be \(describe(type)), not null")
            ])
        case .keyNotFound(let key, let context):
            return validation([FieldError(path(context.codingPath + [key]), "is required")])
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return badRequest("the body is not valid JSON (UTF-8)")
            }
            return validation([FieldError(path(context.codingPath), context.debugDescription)])
        @unknown default:
            return badRequest("the body could not be read")
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Bool.Type: "true or false"
        case is Double.Type: "a number"
        // A dictionary is a Collection too, but JSON calls it an object.
        case _ where String(describing: type).hasPrefix("Dictionary"): "an object"
        default: "an \(type is any Collection.Type ? "array" : "object")"
        }
    }

    static func slug(for status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "not-found"
        case .methodNotAllowed: "method-not-allowed"
        case .badRequest: "malformed-request"
        case .contentTooLarge: "body-too-large"
        case .unauthorized: "unauthorized"
        case .forbidden: "forbidden"
        default: "http-\(status.code)"
        }
    }
}

/// How the API reads a request body: camelCase keys as declared, RFC 3339 timestamps (answers are
/// written by `APIJSON`).
enum JSONCoding {
    /// Timestamps in a body are RFC 3339 with or without fractional seconds (JavaScript's
    /// `toISOString` sends milliseconds).
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let instant = W3CDateTime.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "must be an RFC 3339 timestamp with a time zone, e.g. 2026-12-01T09:00:00+07:00")
            }
            return instant
        }
        return decoder
    }()

    /// Decodes a request body; an empty body is a 400 like malformed JSON.
    static func decode<Value: Decodable>(_ type: Value.Type, from body: Data) throws -> Value {
        guard !body.isEmpty else { throw Problem.badRequest("the request needs a JSON body") }
        return try decoder.decode(Value.self, from: body)
    }
}

/// A JSON answer with a status.
struct JSONResponse<Value: Encodable & Sendable>: ResponseGenerator {
    var value: Value
    var status: HTTPResponse.Status = .ok

    init(_ value: Value, status: HTTPResponse.Status = .ok) {
        self.value = value
        self.status = status
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        // `APIJSON.encoder`'s bytes, written by `DirectJSON`.
        let data = try APIJSON.encode(value)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension Request {
    /// Decodes the (already size-checked) JSON body; errors become problems.
    func decodeJSON<Value: Decodable>(_ type: Value.Type, context: DeskRequestContext) async throws -> Value {
        var request = self
        let buffer = try await request.collectBody(upTo: context.bodyLimit)
        return try JSONCoding.decode(Value.self, from: Data(buffer.readableBytesView))
    }
}
