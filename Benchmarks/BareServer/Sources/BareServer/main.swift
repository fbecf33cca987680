// BareServer PATH PORT alone|group
// POST /items stores the JSON body in one table (WAL, synchronous = FULL) and answers 201.
// `alone` commits every request in its own transaction; `group` commits the requests that
// arrive while a commit is in flight together, in one transaction (group commit).
import Foundation
import GRDB
import Hummingbird
import Synchronization

let arguments = CommandLine.arguments
let path = arguments.count > 1 ? arguments[1] : "bare.sqlite"
let port = arguments.count > 2 ? Int(arguments[2]) ?? 8090 : 8090
let grouped = arguments.count > 3 && arguments[3] == "group"

let pool = try DatabasePool(path: path)
try pool.writeWithoutTransaction { db in
    try db.execute(sql: "PRAGMA synchronous = FULL")
    try db.execute(sql: "CREATE TABLE IF NOT EXISTS item (id INTEGER PRIMARY KEY, body TEXT NOT NULL, at INTEGER NOT NULL)")
}

/// The smallest group commit: pending inserts go in the next transaction.
final class Batcher: Sendable {
    let pending = Mutex<(bodies: [(String, CheckedContinuation<Void, any Error>)], busy: Bool)>(([], false))

    func insert(_ body: String) async throws {
        try await withCheckedThrowingContinuation { continuation in
            let start = pending.withLock { state in
                state.bodies.append((body, continuation))
                if state.busy { return false }
                state.busy = true
                return true
            }
            if start { Task { await self.drain() } }
        }
    }

    func drain() async {
        while true {
            let batch = pending.withLock { state in
                let batch = state.bodies
                state.bodies = []
                if batch.isEmpty { state.busy = false }
                return batch
            }
            if batch.isEmpty { return }
            do {
                try await pool.write { db in
                    for (body, _) in batch {
                        try db.execute(sql: "INSERT INTO item (body, at) VALUES (?, ?)", arguments: [body, Int(Date().timeIntervalSince1970)])
                    }
                }
                for (_, continuation) in batch { continuation.resume() }
            } catch {
                for (_, continuation) in batch { continuation.resume(throwing: error) }
            }
        }
    }
}

let batcher = Batcher()
let router = Router()
router.post("items") { request, context -> Response in
    var request = request
    let body = String(buffer: try await request.collectBody(upTo: 65536))
    if grouped {
        try await batcher.insert(body)
    } else {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO item (body, at) VALUES (?, ?)", arguments: [body, Int(Date().timeIntervalSince1970)])
        }
    }
    return Response(status: .created, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"ok":true}"#)))
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
