import ArgumentParser
import Foundation
import ServiceDesk

/// `deskcli`: the admin CLI of ServiceDesk. It talks to `deskd` over HTTP; `init`, `db` and
/// `audit verify` work on the database file directly.
@main
struct DeskCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deskcli",
        abstract: "Administer a ServiceDesk centre: configuration, catalogue, staff, calendar and the database.",
        discussion:
            "Server and token come from --server/--token, then DESK_SERVER/DESK_TOKEN, then the file written by 'deskcli login'. "
            + "Exit codes: 0 success, 1 an error from the server (its detail is printed) or the database, 2 bad usage.",
        subcommands: [
            Login.self, CentreCommand.self, CalendarCommand.self, DeptCommand.self, ServiceCommand.self,
            StaffCommand.self, TicketCommand.self, BookCommand.self, QueueCommand.self, ReportCommand.self, CallCommand.self,
            OutboxCommand.self, SeverityCommand.self, SyncCommand.self,
            AuditCommand.self,
            PrivacyCommand.self,
            DemoCommand.self,
            DBCommand.self, Init.self,
        ])

    /// Parses and runs the command with the exit codes of SPEC §5: 1 for a failure reported
    /// by the server or the database, 2 for bad usage.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let failure as CLIFailure {
            FileHandle.standardError.write(Data("error: \(failure.message)\n".utf8))
            Foundation.exit(1)
        } catch let failure as PostgresStoreError {
            FileHandle.standardError.write(Data("error: \(failure.description)\n".utf8))
            Foundation.exit(1)
        } catch let failure as DeskError {
            // The library's own refusal in a local command (a conflict, a rule broken).
            FileHandle.standardError.write(Data("error: \(failure.summary)\n".utf8))
            Foundation.exit(1)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            // Usage errors (parsing, validation) are 2; anything else that failed at run time is 1.
            Foundation.exit(code == .validationFailure ? 2 : 1)
        }
    }
}

/// A failure to report as one plain line with exit code 1.
struct CLIFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Options every command that talks to `deskd` shares.
struct GlobalOptions: ParsableArguments {
    @Option(help: "deskd base URL (default: DESK_SERVER, the login file, or http://127.0.0.1:8080).")
    var server: String?

    @Option(help: "API token (default: DESK_TOKEN or the login file).")
    var token: String?

    @Flag(help: "Print JSON instead of tables.")
    var json = false

    /// The client for the resolved server and token.
    func client(requireToken: Bool = true) throws -> APIClient {
        let environment = ProcessInfo.processInfo.environment
        let saved = LoginFile.read()
        let server = server ?? environment["DESK_SERVER"] ?? saved?.server ?? "http://127.0.0.1:8080"
        let token = token ?? environment["DESK_TOKEN"] ?? saved?.token
        guard let url = URL(string: server), url.scheme == "http" || url.scheme == "https" else {
            throw ValidationError("--server must be an http:// or https:// URL")
        }
        if requireToken && token == nil {
            throw ValidationError("no token: pass --token, set DESK_TOKEN or run 'deskcli login'")
        }
        return APIClient(base: url, token: token)
    }
}

/// Where the database-file commands find the database.
struct DatabaseOption: ParsableArguments {
    @Option(
        help:
            "SQLite database file, or postgres://USER@HOST[:PORT]/DATABASE where a command says so (default: DESK_DATABASE or ./deskd.sqlite)."
    )
    var database: String?

    var path: String { database ?? ProcessInfo.processInfo.environment["DESK_DATABASE"] ?? "./deskd.sqlite" }
}
