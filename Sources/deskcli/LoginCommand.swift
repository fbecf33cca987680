import ArgumentParser
import Foundation
import ServiceDesk

struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a token against deskd and save server and token for later commands (file mode 0600).")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let client = try global.client()
        let me = try client.decode(Staff.self, from: try await client.call("GET", "api/v1/me"))
        try LoginFile(server: client.base.absoluteString, token: client.token!).write()
        if global.json {
            Output.json(try APIClient.encoder.encode(me))
        } else {
            print("logged in to \(client.base.absoluteString) as \(me.username) (\(me.role.rawValue)); saved to \(LoginFile.path)")
        }
    }
}
