import Foundation
import NIOSSL
import PostgresNIO

/// Where a centre's PostgreSQL database is, as its operators write it:
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=MODE]` (`postgresql://` too).
/// Without a password in the URL, `PGPASSWORD` is used, as libpq does. `sslmode` as libpq reads
/// it: `disable`; `prefer` (the default: TLS when the server offers it); `require` (TLS or no
/// connection; like libpq, the certificate is not checked); `verify-full` (TLS with the server's
/// certificate checked against the system's authorities and the host name).
public struct PostgresLocation: Sendable, Equatable {
    public enum TLSMode: String, Sendable {
        case disable, prefer, require
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    /// Whether a `--database` value names PostgreSQL rather than a SQLite file.
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    public init(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(PostgresStoreError) {
        guard Self.isPostgres(text), let url = URLComponents(string: text) else {
            throw PostgresStoreError("not a PostgreSQL URL: expected postgres://USER@HOST[:PORT]/DATABASE")
        }
        // An IPv6 literal comes in brackets ([::1]); the resolver wants it without.
        guard var host = url.percentEncodedHost, !host.isEmpty else { throw PostgresStoreError("the PostgreSQL URL names no host") }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        // The percent-encoded parts, decoded once (a password may hold a '%').
        guard let user = url.percentEncodedUser?.removingPercentEncoding, !user.isEmpty else {
            throw PostgresStoreError("the PostgreSQL URL names no user (postgres://USER@HOST/DATABASE)")
        }
        let database = String(url.percentEncodedPath.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw PostgresStoreError("the PostgreSQL URL names no database (postgres://USER@HOST/DATABASE)")
        }
        var mode = TLSMode.prefer
        for item in url.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let parsed = TLSMode(rawValue: value) else {
                    throw PostgresStoreError("sslmode must be disable, prefer, require or verify-full, not '\(item.value ?? "")'")
                }
                mode = parsed
            default:
                throw PostgresStoreError("unknown parameter '\(item.name)' in the PostgreSQL URL (only sslmode)")
            }
        }
        if let port = url.port, !(1...65535).contains(port) { throw PostgresStoreError("the PostgreSQL port must be 1 to 65535") }
        guard let decodedDatabase = database.removingPercentEncoding else {
            throw PostgresStoreError("the PostgreSQL URL's database name is not well encoded")
        }
        self.host = host
        self.port = url.port ?? 5432
        self.username = user
        self.password = url.percentEncodedPassword.flatMap { $0.removingPercentEncoding } ?? environment["PGPASSWORD"]
        self.database = decodedDatabase
        self.tls = mode
    }

    /// The URL without its password, for messages and logs.
    public var redacted: String { "postgres://\(username)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)" }

    /// TLS as `sslmode` asks: nil for none; the server's certificate checked only for `verify-full`
    /// (libpq's `prefer` and `require` do not check it).
    private var tlsConfiguration: TLSConfiguration? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch tls {
        case .disable: return nil
        case .prefer, .require: configuration.certificateVerification = .none
        case .verifyFull: break
        }
        return configuration
    }

    func configuration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch (self.tls, tlsConfiguration) {
        case (.prefer, let configuration?): tls = .prefer(try NIOSSLContext(configuration: configuration))
        case (_, let configuration?): tls = .require(try NIOSSLContext(configuration: configuration))
        case (_, nil): tls = .disable
        }
        return PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
    }

    /// The same server for a pool of connections (`PostgresEngine`), in the schema `public`
    /// whatever the role's own search path says.
    func clientConfiguration(maximumConnections: Int) -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS =
            switch (self.tls, tlsConfiguration) {
            case (.prefer, let configuration?): .prefer(configuration)
            case (_, let configuration?): .require(configuration)
            case (_, nil): .disable
            }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.additionalStartupParameters = [("search_path", "public")]
        configuration.options.maximumConnections = maximumConnections
        return configuration
    }
}

/// A failure of the PostgreSQL storage, as one plain sentence.
public struct PostgresStoreError: Error, CustomStringConvertible, Equatable, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
