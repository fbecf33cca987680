/// The errors the library throws. They know nothing of HTTP: `deskd` maps each case to an
/// RFC 9457 problem in one place, `deskcli` prints them as one plain line.
public enum DeskError: Error, Equatable, Sendable {
    /// Input that breaks a rule; every broken field is listed. The request can never succeed as
    /// written (HTTP `422`).
    case validation([FieldError])
    /// Well-formed input that does not fit the centre's present data: it names a service or
    /// department that does not exist or is retired, a field of the other organisational mode,
    /// a moment before the ticket's due (HTTP `409`: the same request may succeed once the
    /// data changes). Every such field is listed.
    case inconsistent([FieldError])
    /// No such entity (or, for a handler, one they may not see).
    case notFound(entity: String, id: String)
    /// A create with a key that already exists.
    case duplicate(entity: String, id: String)
    /// The change would leave the data inconsistent (e.g. deactivating a department that an
    /// active service still routes through).
    case conflict(String)
    /// The change breaks the rules of the organisational mode; nothing was changed.
    case modeConflicts([ModeConflict])
    /// The caller may see the entity but may not do this to it (not the holder, not allowed to decide, …).
    case forbidden(String)
    /// The action does not apply in the ticket's current state.
    case illegalTransition(action: String, state: String, allowed: [String])
    /// The client's `version` is not the ticket's current one (a concurrent edit).
    case staleVersion(current: Int)
    /// Too many requests from one client (the public lookup).
    case rateLimited
    /// An `Idempotency-Key` already used with another request.
    case idempotencyKeyReused
    /// An `Idempotency-Key` whose first request is still being run (by another instance on the
    /// same database): the retry should come again shortly (HTTP `409` with `Retry-After`).
    case idempotencyKeyInProgress
    /// A file of a type that is not kept, or whose bytes contradict its declared type (HTTP `415`).
    case unsupportedMedia(String)
    /// A file over the size kept (HTTP `413`).
    case tooLarge(String)

    /// A one-line description for logs and for the CLI.
    public var summary: String {
        switch self {
        case .validation(let errors), .inconsistent(let errors):
            return errors.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
        case .notFound(let entity, let id):
            return "\(entity) '\(id)' not found"
        case .duplicate(let entity, let id):
            return "\(entity) '\(id)' already exists"
        case .conflict(let detail):
            return detail
        case .modeConflicts(let conflicts):
            return "\(conflicts.count) conflict(s) with the organisational mode"
        case .forbidden(let detail):
            return detail
        case .illegalTransition(let action, let state, let allowed):
            return "\(action) is not possible in state \(state); allowed: \(allowed.joined(separator: ", "))"
        case .staleVersion(let current):
            return "the ticket has changed (now at version \(current)); reload it and try again"
        case .rateLimited:
            return "too many requests; try again in a minute"
        case .idempotencyKeyReused:
            return "this Idempotency-Key was already used with another request; use a new key for a new request"
        case .idempotencyKeyInProgress:
            return "the first request with this Idempotency-Key is still being handled; retry in a moment to get its answer"
        case .unsupportedMedia(let detail), .tooLarge(let detail):
            return detail
        }
    }
}

/// One invalid field of a request.
public struct FieldError: Codable, Equatable, Sendable {
    public var field: String
    public var message: String

    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }
}

/// Collects field errors while a value is checked, then throws them all at once, so the
/// client learns every problem of a request in one answer.
struct Validator {
    private(set) var errors: [FieldError] = []

    mutating func add(_ field: String, _ message: String) {
        errors.append(FieldError(field, message))
    }

    mutating func check(_ condition: Bool, _ field: String, _ message: @autoclosure () -> String) {
        if !condition { add(field, message()) }
    }

    func finish() throws(DeskError) {
        if !errors.isEmpty { throw DeskError.validation(errors) }
    }

    /// For checks against the centre's present data (references, the mode): `409`, not `422`.
    func finishInconsistent() throws(DeskError) {
        if !errors.isEmpty { throw DeskError.inconsistent(errors) }
    }
}
