import Foundation

/// Writes a token alone to a file only its owner can read (mode 0600), for scripts that
/// start `deskd --admin-token-file` or run `deskcli init --token-file`.
public enum AdminTokenFile {
    public static func write(_ token: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        // Create (or truncate) with 0600 before any byte is written, so the token is never readable by others.
        _ = FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600])
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
        try Data((token + "\n").utf8).write(to: url)
    }
}
