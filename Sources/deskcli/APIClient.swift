import Foundation
import ServiceDesk

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A small JSON client over Foundation's URLSession (see docs/architecture.md for why not
/// AsyncHTTPClient). Any answer that is not 2xx becomes a `CLIFailure` carrying the problem's `detail`.
struct APIClient {
    let base: URL
    let token: String?

    struct Answer {
        var status: Int
        var data: Data
    }

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Sends a request and returns the raw answer, whatever its status.
    func send(
        _ method: String, _ path: String, query: [String: String?] = [:], body: Data? = nil, headers: [String: String] = [:]
    ) async throws -> Answer {
        var components = URLComponents(url: base.appendingPathComponent(path), resolvingAgainstBaseURL: false)!
        let items = query.compactMap { key, value in value.map { URLQueryItem(name: key, value: $0) } }.sorted { $0.name < $1.name }
        if !items.isEmpty { components.queryItems = items }
        var request = URLRequest(url: components.url!)
        request.httpMethod = method
        request.timeoutInterval = 30
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        do {
            let (data, response) = try await URLSession.shared.data(for: request)
            return Answer(status: (response as? HTTPURLResponse)?.statusCode ?? 0, data: data)
        } catch {
            throw CLIFailure("cannot reach deskd at \(base.absoluteString): \(error.localizedDescription)")
        }
    }

    /// Sends a request and returns the body of a 2xx answer; otherwise fails with the problem's detail.
    @discardableResult
    func call(
        _ method: String, _ path: String, query: [String: String?] = [:], body: Data? = nil, headers: [String: String] = [:]
    ) async throws -> Data {
        let answer = try await send(method, path, query: query, body: body, headers: headers)
        guard (200..<300).contains(answer.status) else { throw CLIFailure(Self.problemText(answer)) }
        return answer.data
    }

    func call<Body: Encodable>(_ method: String, _ path: String, json body: Body) async throws -> Data {
        try await call(method, path, body: try Self.encoder.encode(body))
    }

    func decode<Value: Decodable>(_ type: Value.Type, from data: Data) throws -> Value {
        do {
            return try Self.decoder.decode(type, from: data)
        } catch {
            throw CLIFailure("unexpected answer from deskd: \(error)")
        }
    }

    /// The plain text of an error answer: the problem's detail, each conflict on its own line.
    static func problemText(_ answer: Answer) -> String {
        struct ProblemBody: Decodable {
            var detail: String?
            var title: String?
            var conflicts: [ModeConflict]?
        }
        guard let problem = try? decoder.decode(ProblemBody.self, from: answer.data) else {
            return "deskd answered \(answer.status)"
        }
        if let conflicts = problem.conflicts, !conflicts.isEmpty {
            return "\(conflicts.count) conflict(s); nothing changed\n" + conflicts.map(ConflictLine.text).joined(separator: "\n")
        }
        return problem.detail ?? problem.title ?? "deskd answered \(answer.status)"
    }
}

enum ConflictLine {
    static func text(_ conflict: ModeConflict) -> String {
        "\(conflict.entity) \(conflict.id): \(conflict.rule): \(conflict.message)"
    }
}

/// The file `deskcli login` writes: server and token, readable by its owner only.
struct LoginFile: Codable {
    var server: String
    var token: String

    static var path: String {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["DESKCLI_CONFIG"] { return explicit }
        let base = environment["XDG_CONFIG_HOME"] ?? (NSHomeDirectory() + "/.config")
        return base + "/deskcli/config.json"
    }

    static func read() -> LoginFile? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(LoginFile.self, from: data)
    }

    func write() throws {
        let url = URL(fileURLWithPath: Self.path)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        _ = FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600])
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
        try APIClient.encoder.encode(self).write(to: url)
    }
}
