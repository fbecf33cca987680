import Foundation
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// Where `swift build` put the real binaries.
enum Binaries {
    static let directory: URL = {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/debug"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("deskd").path) } ?? candidates[1]
    }()

    static var deskd: URL { directory.appendingPathComponent("deskd") }
    static var deskcli: URL { directory.appendingPathComponent("deskcli") }
}

/// A temporary folder removed at the end of the test.
final class Scratch {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("deskd-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// The ports `freePort` handed out in this test process: the kernel hands a port just released
/// out again, and two tests starting servers at once would otherwise both get it (one server's
/// bind then fails while its test talks to the other's).
private let portsHandedOut = Mutex(Set<Int>())

/// A free TCP port on 127.0.0.1 (bound, read back, released), never one handed out before in this
/// process.
func freePort() throws -> Int {
    for _ in 0..<100 {
        let port = try anyFreePort()
        if portsHandedOut.withLock({ $0.insert(port).inserted }) { return port }
    }
    throw POSIXError(.EADDRINUSE)
}

private func anyFreePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EMFILE) }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// The real `deskd` binary on a free loopback port with a temporary database; stopped with
/// SIGTERM (or SIGKILL after 10 s) when the test ends.
final class RunningDaemon {
    let process = Process()
    let port: Int
    let stdoutPath: String
    let stderrPath: String

    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    init(database: String, scratch: Scratch, arguments: [String] = [], environment extra: [String: String] = [:]) throws {
        port = try freePort()
        stdoutPath = scratch.path("deskd-\(port).out")
        stderrPath = scratch.path("deskd-\(port).err")
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = Binaries.deskd
        process.arguments = ["--database", try TestEngine.database(for: database), "--port", String(port)] + arguments
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        var environment = ProcessInfo.processInfo.environment
        environment["DESK_LOG_LEVEL"] = "warning"
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        try process.run()
    }

    var standardOutput: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }

    /// Waits until `/healthz` answers (at most 90 s: several daemons loading the demo at once on
    /// two cores beside the whole suite took over 40 s in CI, still running; on PostgreSQL, whose
    /// `--demo` seeds its history a statement at a time, 240 s).
    func waitUntilReady() async throws {
        let deadline = Date().addingTimeInterval(TestEngine.onPostgres ? 240 : 90)
        while Date() < deadline {
            if let answer = try? await HTTP.get(baseURL.appendingPathComponent("healthz")), answer.status == 200 { return }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CLIRunError(
            "deskd did not become ready: \(exitDescription)\n\((try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "")")
    }

    /// How the process ended, or that it still runs — a daemon that died at its start with nothing
    /// on standard error was killed by a signal, or stopped as asked (SIGTERM: exit 0).
    var exitDescription: String {
        guard !process.isRunning else { return "still running after the wait (pid \(process.processIdentifier))" }
        switch process.terminationReason {
        case .exit: return "exited with status \(process.terminationStatus) (pid \(process.processIdentifier))"
        case .uncaughtSignal: return "killed by signal \(process.terminationStatus) (pid \(process.processIdentifier))"
        @unknown default: return "ended (pid \(process.processIdentifier))"
        }
    }

    /// The token printed on first start.
    var printedAdminToken: String? {
        standardOutput.split(separator: "\n").first { $0.hasPrefix("admin token: ") }.map { String($0.dropFirst("admin token: ".count)) }
    }

    /// SIGTERM, then the exit status (SIGKILL and -1 if it does not stop within 10 s).
    @discardableResult
    func stop() async -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return -1
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
    }
}

struct CLIRunError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The result of running the real `deskcli`.
struct CLIResult {
    var status: Int32
    var output: String
    var error: String
}

/// Runs the real `deskcli` binary (bounded to 60 s).
func deskcli(_ arguments: [String], environment extra: [String: String] = [:], scratch: Scratch) async throws -> CLIResult {
    let process = Process()
    process.executableURL = Binaries.deskcli
    // A daemon's file stands for its database on PostgreSQL (TestEngine): so does `--database` of it.
    process.arguments = arguments.enumerated().map { index, argument in
        index > 0 && arguments[index - 1] == "--database" ? TestEngine.known(argument) : argument
    }
    var environment = ProcessInfo.processInfo.environment
    environment["DESKCLI_CONFIG"] = scratch.path("deskcli.json")
    environment.removeValue(forKey: "DESK_TOKEN")
    environment.removeValue(forKey: "DESK_SERVER")
    for (key, value) in extra { environment[key] = value }
    process.environment = environment
    let id = UUID().uuidString
    let out = scratch.path("cli-\(id).out")
    let err = scratch.path("cli-\(id).err")
    _ = FileManager.default.createFile(atPath: out, contents: nil)
    _ = FileManager.default.createFile(atPath: err, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Two minutes: a whole-database command (a copy to PostgreSQL and its comparison of every
    // table and rollup) took over one beside the full suite on two cores; alone, ~5 s.
    let deadline = Date().addingTimeInterval(120)
    while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
    if process.isRunning {
        process.terminate()
        throw CLIRunError("deskcli \(arguments.joined(separator: " ")) did not finish in 120 s")
    }
    return CLIResult(
        status: process.terminationStatus, output: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
        error: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
}

/// A minimal HTTP client for the end-to-end tests.
enum HTTP {
    struct Answer {
        var status: Int
        var body: Data
        var contentType: String?
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    static func get(_ url: URL, token: String? = nil) async throws -> Answer {
        try await send("GET", url, token: token)
    }

    static func send(
        _ method: String, _ url: URL, token: String? = nil, body: Data? = nil, headers: [String: String] = [:]
    ) async throws -> Answer {
        var request = URLRequest(url: url)
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpMethod = method
        // Generous: an answer takes milliseconds, but the whole suite runs at once on two cores,
        // beside several PostgreSQL servers, and a request waiting its turn is not a failure.
        request.timeoutInterval = 60
        request.httpBody = body
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body, !body.isEmpty, headers["Content-Type"] == nil {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        return Answer(status: http?.statusCode ?? 0, body: data, contentType: http?.value(forHTTPHeaderField: "Content-Type"))
    }
}
