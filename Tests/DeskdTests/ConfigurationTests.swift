import ArgumentParser
import Foundation
import Testing

@testable import deskd

#if canImport(Glibc)
    import Glibc
#endif

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
            "DESK_BODY_LIMIT": "4096", "DESK_DISPLAY_HEARTBEAT": "2.5", "DESK_UPLOAD_LIMIT": "1000000", "DESK_PUBLIC_LIMIT": "600",
        ]
        let fromEnvironment = try DeskdConfiguration(options: try Deskd.parse([]), environment: environment)
        #expect(fromEnvironment.databasePath == "/var/lib/desk.sqlite" && fromEnvironment.host == "0.0.0.0" && fromEnvironment.port == 9000)
        #expect(fromEnvironment.adminTokenFile == "/run/token" && fromEnvironment.bodyLimit == 4096)
        #expect(fromEnvironment.displayHeartbeat == .milliseconds(2500) && fromEnvironment.uploadLimit == 1_000_000)
        #expect(fromEnvironment.publicLookupLimit == 600)
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
        for text in ["0", "-3", "many", "2000000"] {
            #expect(throws: ValidationError.self, "\(text)") {
                try DeskdConfiguration(options: try Deskd.parse([]), environment: ["DESK_PUBLIC_LIMIT": text])
            }
        }
        // A huge, negative or odd heartbeat once overflowed the conversion and killed the daemon at start.
        for text in ["1e300", "-1", "0", "nan", "inf", "soon"] {
            #expect(throws: ValidationError.self, "\(text)") {
                try DeskdConfiguration(options: try Deskd.parse([]), environment: ["DESK_DISPLAY_HEARTBEAT": text])
            }
        }
    }
}

@Suite("deskd connections: idle ones closed")
struct ConnectionTests {
    @Test("a connection that sends nothing is closed after DESK_IDLE_TIMEOUT; bad values refuse to start")
    func idleClosed() async throws {
        for text in ["0", "-5", "99999", "soon"] {
            #expect(throws: ValidationError.self) {
                try DeskdConfiguration(options: try Deskd.parse([]), environment: ["DESK_IDLE_TIMEOUT": text])
            }
        }
        #expect(throws: ValidationError.self) {
            try DeskdConfiguration(options: try Deskd.parse([]), environment: ["DESK_MAX_CONNECTIONS": "1"])
        }
        let scratch = try Scratch()
        let daemon = try RunningDaemon(database: scratch.path("desk.sqlite"), scratch: scratch, environment: ["DESK_IDLE_TIMEOUT": "1"])
        try await daemon.waitUntilReady()
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(daemon.port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(connected == 0)
        // Bounded wait: a read returns 0 (closed by the server) well within 5 s.
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let started = ContinuousClock.now
        var byte: UInt8 = 0
        let read = recv(fd, &byte, 1, 0)
        #expect(read == 0, "the idle connection was not closed")
        #expect(ContinuousClock.now - started < .seconds(4))
        #expect(await daemon.stop() == 0)
    }
}

@Suite("deskd behind a reverse proxy")
struct ProxyTests {
    @Test("X-Forwarded-* are believed from a trusted proxy only: Open311 links and the public lookup's rate-limit key")
    func trusted() async throws {
        let forwarded = [
            "X-Forwarded-Host": "desk.example.vn", "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9, 198.51.100.7",
        ]
        for (trusted, expected) in [(true, "https://desk.example.vn/open311/v2"), (false, "http://127.0.0.1:")] {
            let scratch = try Scratch()
            let daemon = try RunningDaemon(
                database: scratch.path("desk.sqlite"), scratch: scratch, environment: trusted ? ["DESK_TRUSTED_PROXIES": "127.0.0.1"] : [:])
            try await daemon.waitUntilReady()
            let discovery = try await HTTP.send(
                "GET", daemon.baseURL.appendingPathComponent("open311/v2/discovery.json"), headers: forwarded)
            #expect(discovery.text.contains(#""url":"\#(expected)"#), "\(discovery.text)")
            // 30 lookups a minute per client: behind the proxy the forwarded client is limited, not the proxy.
            var statuses: [Int] = []
            for index in 0..<31 {
                let client = trusted && index == 30 ? "203.0.113.10" : "198.51.100.7"
                var headers = forwarded
                headers["X-Forwarded-For"] = "203.0.113.9, \(client)"
                let url = daemon.baseURL.appendingPathComponent("api/v1/public/tickets/000.00.00.H00-261130-0001")
                statuses.append(try await HTTP.send("GET", URL(string: url.absoluteString + "?phone=0912345678")!, headers: headers).status)
            }
            // Trusted: the 31st comes from another forwarded client and is not limited; untrusted: one peer, limited.
            #expect(statuses.last == (trusted ? 404 : 429), "\(statuses)")
            #expect(await daemon.stop() == 0)
        }
    }
}
