import Foundation
import GRDB
import ServiceDesk
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real binaries, as a newcomer following the README would run them. Serialized: each
/// test starts its own daemon, and two at once would only compete for the two cores.
@Suite("End to end: the real deskd and deskcli", .serialized)
struct EndToEndTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static func example(_ name: String) -> String { repository.appendingPathComponent("examples/\(name)").path }

    @Test("the README walkthrough: start, log in, import, dry-run a mode switch with real conflicts, see nothing change")
    func walkthrough() async throws {
        let scratch = try Scratch()
        let daemon = try RunningDaemon(database: scratch.path("desk.sqlite"), scratch: scratch)
        try await daemon.waitUntilReady()
        let token = try #require(daemon.printedAdminToken)
        #expect(daemon.standardOutput == "admin token: \(token)\n", "stdout carries only the token line")
        let server = daemon.baseURL.absoluteString

        let login = try await deskcli(["login", "--server", server, "--token", token], scratch: scratch)
        #expect(login.status == 0, "\(login.error)")
        let attributes = try FileManager.default.attributesOfItem(atPath: scratch.path("deskcli.json"))
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        let catalogue = try await deskcli(["service", "import", Self.example("catalogue.json")], scratch: scratch)
        #expect(catalogue.status == 0, "\(catalogue.error)")
        #expect(catalogue.output.contains("created 14, updated 0, skipped 0, failed 0"))
        let holidays = try await deskcli(["calendar", "import", Self.example("holidays-2026.ics")], scratch: scratch)
        #expect(holidays.status == 0 && holidays.output.contains("created 14"), "\(holidays.output)")
        let staff = try await deskcli(
            [
                "staff", "create", "lan", "--name", "Nguyễn Thị Lan", "--role", "officer", "--department", "mot-cua", "--employment",
                "civil-servant",
            ],
            scratch: scratch)
        #expect(staff.status == 0, "\(staff.error)")
        // A member sent for a tour at the desk, with the named backup who takes it when away.
        let seconded = try await deskcli(
            [
                "staff", "create", "mai", "--name", "Trần Mai", "--role", "officer", "--department", "mot-cua", "--employment", "contract",
                "--home-agency",
                "Sở Tư pháp", "--seconded-from", "2026-01-01", "--seconded-until", "2026-12-31", "--backup", "lan",
            ],
            scratch: scratch)
        #expect(
            seconded.status == 0 && seconded.output.contains("2026-01-01 to 2026-12-31") && seconded.output.contains("backup")
                && seconded.output.contains("lan"), "\(seconded.output)\(seconded.error)")
        let noBackup = try await deskcli(["staff", "update", "mai", "--backup", "nobody"], scratch: scratch)
        #expect(noBackup.status == 1 && noBackup.error.contains("no staff member 'nobody'"), "\(noBackup.error)")

        let dryRun = try await deskcli(["centre", "set-mode", "public-service-unit", "--dry-run"], scratch: scratch)
        #expect(dryRun.status == 0)
        let conflictLines = dryRun.output.split(separator: "\n").filter {
            $0.contains(": service.") || $0.contains(": staff.") || $0.contains(": centre.")
        }
        #expect(conflictLines.count == 5, "\(dryRun.output)")
        #expect(dryRun.output.contains("staff lan: staff.employment"))
        let quota = try await deskcli(
            [
                "staff", "quota", "add", "--department", "mot-cua", "--category", "civil-servant", "--headcount", "2", "--decision",
                "QĐ 98", "--from", "2026-01-01",
            ],
            scratch: scratch)
        #expect(quota.status == 0 && quota.output.hasPrefix("quota line 1: 2 civil-servant at mot-cua"), "\(quota.output)\(quota.error)")
        for (name, extra) in [("as-is", [String]()), ("cut", ["--quota", "mot-cua:civil-servant:-1"])] {
            let created = try await deskcli(["staff", "scenario", "create", name, "--period", "2026-11"] + extra, scratch: scratch)
            #expect(created.status == 0 && created.output.contains("mot-cua"), "\(created.output)\(created.error)")
        }
        let compared = try await deskcli(["staff", "scenario", "compare", "as-is", "cut", "--csv"], scratch: scratch)
        #expect(compared.status == 0 && compared.output.contains("quotaA,quotaB"), "\(compared.output)\(compared.error)")
        let badMove = try await deskcli(["staff", "scenario", "create", "x", "--period", "2026-11", "--move", "a:b"], scratch: scratch)
        #expect(badMove.status == 2 && badMove.error.contains("--move must be FROM:TO:CATEGORY:COUNT"))
        let people = try await deskcli(["centre", "set-mode", "public-service-unit", "--dry-run", "--staffing"], scratch: scratch)
        #expect(
            people.status == 0 && people.output.contains("staff lan (")
                && people.output.contains("change category civil-servant → public-employee or contract"), "\(people.output)")

        let attempt = try await deskcli(["centre", "set-mode", "public-service-unit", "--autonomy-group", "2"], scratch: scratch)
        #expect(attempt.status == 1)
        #expect(attempt.error.contains("4 conflict(s); nothing changed"), "\(attempt.error)")
        let centre = try await deskcli(["centre", "show", "--json"], scratch: scratch)
        let shown = try JSONDecoder().decode(Centre.self, from: Data(centre.output.utf8))
        #expect(shown.mode == .administrativeBody && shown.autonomyGroup == nil)

        let usage = try await deskcli(["dept", "create", "only-a-code"], scratch: scratch)
        #expect(usage.status == 2)
        let refused = try await deskcli(["dept", "create", "Bad Code", "--name", "X", "--kind", "internal"], scratch: scratch)
        #expect(refused.status == 1)
        #expect(refused.error.hasPrefix("error: code: must be a slug"), "\(refused.error)")

        let list = try await deskcli(["service", "list"], scratch: scratch)
        #expect(list.output.contains("Cấp giấy phép xây dựng nhà ở riêng lẻ"))
        #expect(await daemon.stop() == 0)
    }

    @Test("--admin-token-file writes only the token, mode 0600; a restart creates nothing and the token still works")
    func tokenFileAndRestart() async throws {
        let scratch = try Scratch()
        let database = scratch.path("desk.sqlite")
        let tokenFile = scratch.path("admin.token")
        let first = try RunningDaemon(database: database, scratch: scratch, arguments: ["--admin-token-file", tokenFile])
        try await first.waitUntilReady()
        #expect(first.standardOutput.isEmpty)
        let token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .newlines)
        #expect(token.hasPrefix("sd_"))
        let permissions = try FileManager.default.attributesOfItem(atPath: tokenFile)[.posixPermissions] as? NSNumber
        #expect(permissions?.intValue == 0o600)
        #expect(await first.stop() == 0)

        try FileManager.default.removeItem(atPath: tokenFile)
        let second = try RunningDaemon(database: database, scratch: scratch, arguments: ["--admin-token-file", tokenFile])
        try await second.waitUntilReady()
        #expect(!FileManager.default.fileExists(atPath: tokenFile))
        #expect(second.standardOutput.isEmpty)
        let me = try await HTTP.get(second.baseURL.appendingPathComponent("api/v1/me"), token: token)
        #expect(me.status == 200)
        #expect(await second.stop() == 0)
    }

    @Test("over the wire: problems, body limit, readiness, metrics and the OpenAPI document")
    func overTheWire() async throws {
        let scratch = try Scratch()
        let daemon = try RunningDaemon(
            database: scratch.path("desk.sqlite"), scratch: scratch, arguments: ["--body-limit", "4096", "--demo"])
        try await daemon.waitUntilReady()
        let token = try #require(daemon.printedAdminToken)
        let api = daemon.baseURL.appendingPathComponent("api/v1")

        let services = try await HTTP.get(api.appendingPathComponent("services"), token: token)
        #expect(services.status == 200 && services.text.contains("1.004227"), "--demo loads the example catalogue")
        let big = Data(#"{"code":"big","kind":"internal","name":"\#(String(repeating: "x", count: 8000))"}"#.utf8)
        let tooLarge = try await HTTP.send("POST", api.appendingPathComponent("departments"), token: token, body: big)
        #expect(tooLarge.status == 413 && tooLarge.contentType == "application/problem+json")
        let malformed = try await HTTP.send("POST", api.appendingPathComponent("departments"), token: token, body: Data("{".utf8))
        #expect(malformed.status == 400 && malformed.contentType == "application/problem+json")
        let noToken = try await HTTP.get(api.appendingPathComponent("centre"))
        #expect(noToken.status == 401)
        #expect(try await HTTP.get(daemon.baseURL.appendingPathComponent("readyz")).status == 200)
        let metrics = try await HTTP.get(daemon.baseURL.appendingPathComponent("metrics"))
        #expect(metrics.text.contains("hb_requests"), "\(metrics.text.prefix(400))")
        #expect(metrics.text.contains("http_route=\"/api/v1/services\""))
        let document = try await HTTP.get(daemon.baseURL.appendingPathComponent("openapi.yaml"))
        #expect(document.text.hasPrefix("openapi: 3.1.0"))
        #expect(await daemon.stop() == 0)
    }

    @Test(
        "under a run of intakes the daemon folds its WAL into the file beside the writer: /metrics counts the checkpoints, the WAL stays bounded, a stop leaves it empty",
        .disabled(if: TestEngine.onPostgres, "the file's write-ahead log")
    )
    func checkpointsOverTheWire() async throws {
        let scratch = try Scratch()
        let database = scratch.path("desk.sqlite")
        let daemon = try RunningDaemon(database: database, scratch: scratch, arguments: ["--demo"])
        try await daemon.waitUntilReady()
        let token = try #require(daemon.printedAdminToken)
        let tickets = daemon.baseURL.appendingPathComponent("api/v1/tickets")
        func value(_ name: String) async throws -> Double {
            let metrics = try await HTTP.get(daemon.baseURL.appendingPathComponent("metrics")).text
            return metrics.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ")[1]) } ?? 0
        }
        // The demo's catalogue and hall, loaded at start, may have made some already.
        let before = try await value(#"desk_wal_checkpoints_total{by="checkpointer"}"#)
        // ~8 pages of the WAL each: 400 intakes are several checkpoints' worth.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for number in 0..<50 {
                        let body = Data(
                            #"{"service":"HD-TTHC","channel":"web","applicant":{"name":"Nguyễn Văn Thử \#(worker)-\#(number)","phone":"0912345678"},"description":"Phản ánh \#(worker)-\#(number): đèn đường hỏng"}"#
                                .utf8)
                        let answer = try await HTTP.send("POST", tickets, token: token, body: body)
                        #expect(answer.status == 201, "\(answer.text)")
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await value(#"desk_wal_checkpoints_total{by="checkpointer"}"#) - before >= 2)
        #expect(try await value(#"desk_wal_checkpoint_seconds_total{by="checkpointer"}"#) > 0)
        #expect(try await value("desk_wal_checkpoints_failed_total") == 0)
        let wal = try #require(FileManager.default.attributesOfItem(atPath: database + "-wal")[.size] as? Int)
        #expect(wal < 8000 * 4096, "WAL \(wal) bytes")
        #expect(await daemon.stop() == 0)
        #expect(try FileManager.default.attributesOfItem(atPath: database + "-wal")[.size] as? Int == 0)
    }

    @Test(
        "database commands: init, check, backup while running, and audit verify catching an edit behind the daemon's back",
        .disabled(if: TestEngine.onPostgres, "deskcli init and backup of a file, an edit of the file"))
    func databaseCommands() async throws {
        let scratch = try Scratch()
        let database = scratch.path("desk.sqlite")
        let initialised = try await deskcli(["init", "--database", database, "--token-file", scratch.path("t")], scratch: scratch)
        #expect(initialised.status == 0, "\(initialised.error)")
        let again = try await deskcli(["init", "--database", database], scratch: scratch)
        #expect(again.status == 1 && again.error.contains("already initialised"))

        let daemon = try RunningDaemon(database: database, scratch: scratch)
        try await daemon.waitUntilReady()
        #expect(daemon.printedAdminToken == nil, "the daemon creates nothing on an initialised database")
        let token = try String(contentsOfFile: scratch.path("t"), encoding: .utf8).trimmingCharacters(in: .newlines)
        let imported = try await deskcli(
            ["service", "import", Self.example("catalogue.json"), "--server", daemon.baseURL.absoluteString, "--token", token],
            scratch: scratch)
        #expect(imported.status == 0)
        let backup = try await deskcli(["db", "backup", scratch.path("copy.sqlite"), "--database", database], scratch: scratch)
        #expect(backup.status == 0, "\(backup.error)")
        #expect(await daemon.stop() == 0)

        let check = try await deskcli(["db", "check", "--database", scratch.path("copy.sqlite")], scratch: scratch)
        #expect(check.status == 0 && check.output.contains("intact"), "\(check.output)\(check.error)")
        let verify = try await deskcli(["audit", "verify", "--database", database], scratch: scratch)
        #expect(verify.status == 0 && verify.output.contains("audit chain intact"), "\(verify.output)")

        // Someone edits an event with sqlite, behind the daemon's back.
        let queue = try DatabaseQueue(path: database)
        try await queue.write { db in
            try db.execute(sql: "DROP TRIGGER event_no_update")
            try db.execute(sql: "UPDATE event SET actor = 'mallory' WHERE id = 3")
        }
        try queue.close()
        let tampered = try await deskcli(["audit", "verify", "--database", database], scratch: scratch)
        #expect(tampered.status == 1)
        #expect(tampered.error.contains("event 3 was altered"), "\(tampered.error)")
        let missing = try await deskcli(["db", "check", "--database", scratch.path("nothing.sqlite")], scratch: scratch)
        #expect(missing.status == 1 && missing.error.contains("no database"))
    }
}

/// The configuration commands of deskcli that the walkthrough does not use.
@Suite("End to end: deskcli configuration commands", .serialized)
struct CLIConfigurationTests {
    @Test("centre update, calendar hours and days, dept/service/staff create and update, token list and revoke")
    func commands() async throws {
        let scratch = try Scratch()
        let daemon = try RunningDaemon(database: scratch.path("desk.sqlite"), scratch: scratch)
        try await daemon.waitUntilReady()
        let admin = try #require(daemon.printedAdminToken)
        func cli(_ arguments: [String], status: Int32 = 0) async throws -> CLIResult {
            let result = try await deskcli(arguments + ["--server", daemon.baseURL.absoluteString, "--token", admin], scratch: scratch)
            #expect(result.status == status, "deskcli \(arguments.joined(separator: " ")): \(result.output)\(result.error)")
            return result
        }
        let centre = try await cli(["centre", "update", "--code", "000.00.31.H29", "--name", "Trung tâm Hải Châu", "--cutoff", "15:30"])
        #expect(centre.output.contains("000.00.31.H29") && centre.output.contains("15:30"))
        _ = try await cli(["centre", "update", "--cutoff", "25:00"], status: 1)

        let hours = try await cli(["calendar", "hours", "--day", "saturday=07:30-11:30"])
        #expect(hours.output.contains("saturday   07:30–11:30"))
        _ = try await cli(["calendar", "hours", "--day", "funday=07:30-11:30"], status: 2)
        _ = try await cli(["calendar", "holiday", "add", "2026-09-02", "Quốc khánh"])
        _ = try await cli(["calendar", "holiday", "add", "2026-08-22", "Làm bù", "--workday"])
        _ = try await cli(["calendar", "holiday", "add", "2026-09-02", "again"], status: 1)
        let shown = try await cli(["calendar", "show", "--year", "2026"])
        #expect(shown.output.contains("2026-08-22  saturday   workday  Làm bù"))
        _ = try await cli(["calendar", "holiday", "remove", "2026-09-02"])
        _ = try await cli(["calendar", "holiday", "remove", "2026-09-02"], status: 1)
        let csv = try await cli(["calendar", "import", EndToEndTests.example("holidays-2027.csv")])
        #expect(csv.output.contains("created 3"))

        _ = try await cli(["dept", "create", "mot-cua", "--name", "Một cửa", "--kind", "internal"])
        _ = try await cli(["dept", "create", "tu-phap", "--name", "Tư pháp", "--kind", "internal", "--decides"])
        _ = try await cli(["dept", "update", "mot-cua", "--name", "Bộ phận Một cửa"])
        let service = try await cli([
            "service", "create", "1.001193", "--name", "Đăng ký khai sinh", "--kind", "procedure", "--time-limit", "1 d",
            "--route", "mot-cua:2 h > tu-phap:6 h", "--deciding-step", "1", "--charge", "le-phi:0", "--queue-prefix", "A",
        ])
        #expect(service.output.contains("tu-phap") && service.output.contains("version:         1"))
        _ = try await cli(
            [
                "service", "create", "X.1", "--name", "X", "--kind", "procedure", "--time-limit", "1 d", "--route", "mot-cua", "--charge",
                "gift",
            ], status: 2)
        let updated = try await cli(["service", "update", "1.001193", "--time-limit", "2 d"])
        #expect(updated.output.contains("2 d") && updated.output.contains("version:         2"))
        _ = try await cli(["dept", "update", "tu-phap", "--decides", "false"], status: 1)  // it holds a deciding step
        let list = try await cli(["service", "list", "--department", "tu-phap", "--json"])
        #expect(try APIJSON.decoder.decode([Service].self, from: Data(list.output.utf8)).map(\.code) == ["1.001193"])

        _ = try await cli([
            "staff", "create", "hung", "--name", "Lê Hùng", "--role", "handler", "--department", "tu-phap", "--employment", "civil-servant",
        ])
        _ = try await cli(
            [
                "staff", "create", "vc", "--name", "Viên chức", "--role", "handler", "--department", "tu-phap", "--employment",
                "public-employee",
            ], status: 1)
        let moved = try await cli(["staff", "update", "hung", "--role", "supervisor", "--no-department"])
        #expect(
            moved.output.contains("supervisor")
                && moved.output.split(separator: "\n").contains { $0.hasPrefix("department:") && $0.hasSuffix(" -") })
        let issued = try await cli(["staff", "token", "create", "hung", "--label", "máy quầy", "--json"])
        let token = try APIJSON.decoder.decode(IssuedToken.self, from: Data(issued.output.utf8))
        let tokens = try await cli(["staff", "token", "list", "hung"])
        #expect(tokens.output.contains(token.info.id) && !tokens.output.contains(token.token))
        // Used first, so the daemon remembers who it is (TokenCache): the revocation still holds at once.
        #expect(try await HTTP.get(daemon.baseURL.appendingPathComponent("api/v1/me"), token: token.token).status == 200)
        _ = try await cli(["staff", "token", "revoke", token.info.id])
        #expect(try await HTTP.get(daemon.baseURL.appendingPathComponent("api/v1/me"), token: token.token).status == 401)
        #expect(await daemon.stop() == 0)
    }
}
