import ArgumentParser
import Testing

@testable import deskd

@Suite("deskd configuration: flags, then environment, then defaults")
struct ConfigurationTests {
    @Test("with nothing given, deskd serves 127.0.0.1:8080 from ./deskd.sqlite with a 64 KiB body limit")
    func defaults() throws {
        let configuration = try DeskdConfiguration(options: try Deskd.parse([]), environment: [:])
        #expect(configuration.databasePath == "./deskd.sqlite" && configuration.host == "127.0.0.1" && configuration.port == 8080)
        #expect(configuration.bodyLimit == 65_536 && configuration.adminTokenFile == nil && !configuration.demo)
        #expect(configuration.uploadLimit == 10_485_760)
    }

    @Test("DESK_* variables are read, and flags win over them")
    func precedence() throws {
        let environment = [
            "DESK_DATABASE": "/var/lib/desk.sqlite", "DESK_HOST": "0.0.0.0", "DESK_PORT": "9000", "DESK_ADMIN_TOKEN_FILE": "/run/token",
            "DESK_BODY_LIMIT": "4096", "DESK_DISPLAY_HEARTBEAT": "2.5", "DESK_UPLOAD_LIMIT": "1000000",
        ]
        let fromEnvironment = try DeskdConfiguration(options: try Deskd.parse([]), environment: environment)
        #expect(fromEnvironment.databasePath == "/var/lib/desk.sqlite" && fromEnvironment.host == "0.0.0.0" && fromEnvironment.port == 9000)
        #expect(fromEnvironment.adminTokenFile == "/run/token" && fromEnvironment.bodyLimit == 4096)
        #expect(fromEnvironment.displayHeartbeat == .milliseconds(2500) && fromEnvironment.uploadLimit == 1_000_000)
        let flags = try DeskdConfiguration(
            options: try Deskd.parse([
                "--database", "x.sqlite", "--port", "8181", "--body-limit", "2048", "--demo", "--upload-limit", "5000",
            ]),
            environment: environment)
        #expect(flags.databasePath == "x.sqlite" && flags.port == 8181 && flags.bodyLimit == 2048 && flags.demo)
        #expect(flags.uploadLimit == 5000)
        #expect(flags.host == "0.0.0.0")
    }

    @Test("an impossible port, body limit or upload limit is refused before anything starts")
    func refused() throws {
        #expect(throws: ValidationError.self) { try DeskdConfiguration(options: try Deskd.parse(["--port", "70000"]), environment: [:]) }
        #expect(throws: ValidationError.self) {
            try DeskdConfiguration(options: try Deskd.parse([]), environment: ["DESK_BODY_LIMIT": "10"])
        }
        #expect(throws: ValidationError.self) {
            try DeskdConfiguration(options: try Deskd.parse(["--body-limit", "100000", "--upload-limit", "99999"]), environment: [:])
        }
        // A huge, negative or odd heartbeat once overflowed the conversion and killed the daemon at start.
        for text in ["1e300", "-1", "0", "nan", "inf", "soon"] {
            #expect(throws: ValidationError.self, "\(text)") {
                try DeskdConfiguration(options: try Deskd.parse([]), environment: ["DESK_DISPLAY_HEARTBEAT": text])
            }
        }
    }
}
