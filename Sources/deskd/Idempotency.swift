import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceDesk

/// `Idempotency-Key` on creating `POST`s (SPEC §4): a retry with the same key and body gets
/// the first answer again and creates nothing; the same key with another body is `409`.
/// Keys are per caller and remembered for 24 hours. Only successful answers are kept: a
/// failed request changed nothing, so retrying it simply runs it again.
/// Token creation does not take part: its answer carries the secret, which is never stored.
enum Idempotency {
    static let header = HTTPField.Name("Idempotency-Key")!
    static let replayed = HTTPField.Name("Idempotency-Replayed")!

    /// Decodes the body as `Draft`, then either replays the remembered answer or runs `create`
    /// and remembers its answer.
    static func create<Draft: Decodable, Value: Encodable & Sendable>(
        _ request: Request, context: DeskRequestContext, database: AppDatabase, as draft: Draft.Type,
        _ create: (Draft) async throws -> Value
    ) async throws -> Response {
        var request = request
        let buffer = try await request.collectBody(upTo: context.bodyLimit)
        let body = Data(buffer.readableBytesView)
        guard let key = request.headers[header] else {
            return try respond(try await create(try JSONCoding.decode(Draft.self, from: body)), request: request, context: context)
        }
        try validate(key)
        let username = try context.caller.staff.username
        let fingerprint = AppDatabase.fingerprint(method: request.method.rawValue, path: request.uri.path, body: body)
        // Check, create and remember as one step per caller and key: concurrent retries to this
        // process wait for the first and replay its answer; one sent to another instance on the
        // same database finds the key claimed in the database (intake does all three in its own
        // transaction instead).
        return try await locks.withLock("\(username)\u{0}\(key)") {
            try await replayOrCreate(
                key: key, username: username, fingerprint: fingerprint, body: body, database: database, logger: context.logger,
                as: draft, create)
        }
    }

    static let locks = KeyedLock()

    /// How long a retry waits for another instance's first request with its key before it is told
    /// to come again (409 `idempotency-key-in-progress`, `Retry-After: 1`).
    static let patience: Duration = .seconds(5)

    private static func replayOrCreate<Draft: Decodable, Value: Encodable & Sendable>(
        key: String, username: String, fingerprint: String, body: Data, database: AppDatabase, logger: Logger,
        as draft: Draft.Type, _ create: (Draft) async throws -> Value
    ) async throws -> Response {
        let deadline = ContinuousClock.now + patience
        while true {
            switch try await database.claimIdempotencyKey(username: username, key: key, fingerprint: fingerprint) {
            case .answered(let earlier):
                return replay(earlier)
            case .inProgress:
                // The first request runs elsewhere: watch its row with reads (a claim is a write,
                // which would queue behind the very create it waits for) until it is answered, or
                // given back — then claim again.
                while true {
                    guard ContinuousClock.now < deadline else { throw DeskError.idempotencyKeyInProgress }
                    try await Task.sleep(for: .milliseconds(100))
                    guard let row = try await database.idempotentAnswer(username: username, key: key) else { break }
                    guard row.fingerprint == fingerprint else { throw DeskError.idempotencyKeyReused }
                    if !row.isClaim { return replay(row) }
                }
            case .mine(let claim):
                let encoded: Data
                do {
                    let value = try await create(try JSONCoding.decode(Draft.self, from: body))
                    encoded = try APIJSON.encode(value)
                } catch {
                    // Nothing was created: the key is free for a retry to run again.
                    try? await database.releaseIdempotencyKey(username: username, key: key, claim: claim)
                    throw error
                }
                // The create has committed: its answer is the client's whatever becomes of the
                // bookkeeping. Storing it is tried three times; if it still fails, the claim stays
                // (retries are told to come again until it lapses) and the failure is logged.
                let answer = IdempotentAnswer(fingerprint: fingerprint, status: 201, body: encoded)
                for attempt in 1...3 {
                    do {
                        try await database.storeIdempotentAnswer(username: username, key: key, answer: answer, claim: claim)
                        break
                    } catch {
                        if attempt == 3 {
                            logger.error(
                                "an Idempotency-Key's answer could not be stored", metadata: ["key": "\(key)", "error": "\(error)"])
                        } else {
                            try? await Task.sleep(for: .milliseconds(50 * attempt))
                        }
                    }
                }
                return Response(
                    status: .created, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: encoded)))
            }
        }
    }

    /// The first answer again, marked as such.
    static func replay(_ earlier: IdempotentAnswer) -> Response {
        Response(
            status: HTTPResponse.Status(code: earlier.status), headers: [.contentType: "application/json", replayed: "true"],
            body: .init(byteBuffer: ByteBuffer(bytes: earlier.body)))
    }

    static func validate(_ key: String) throws {
        // Printable ASCII, U+0020 to U+007E (HTTP strips spaces at either end).
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else {
            throw DeskError.validation([FieldError("Idempotency-Key", "must be 1 to 255 printable ASCII characters")])
        }
    }

    static func respond<Value: Encodable & Sendable>(_ value: Value, request: Request, context: DeskRequestContext) throws -> Response {
        try JSONResponse(value, status: .created).response(from: request, context: context)
    }
}

/// A mutual exclusion per key, for async code: the first caller of a key runs, later ones wait
/// in order. Entries live only while held.
actor KeyedLock {
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// Runs `body` (in the caller's context, not on the actor) holding `key`.
    nonisolated func withLock<T: Sendable>(_ key: String, _ body: () async throws -> T) async throws -> T {
        await lock(key)
        do {
            let result = try await body()
            await unlock(key)
            return result
        } catch {
            await unlock(key)
            throw error
        }
    }

    func lock(_ key: String) async {
        guard waiting[key] != nil else {
            waiting[key] = []
            return
        }
        await withCheckedContinuation { waiting[key, default: []].append($0) }
    }

    func unlock(_ key: String) {
        guard var queue = waiting[key], !queue.isEmpty else {
            waiting[key] = nil
            return
        }
        let next = queue.removeFirst()
        waiting[key] = queue
        next.resume()
    }
}
