import Foundation
import GRDB
import Synchronization
import Testing

@testable import ServiceDesk

/// A migrated in-memory database with the centre, the admin and the example catalogue.
func exampleDatabase() async throws -> AppDatabase {
    let database = try AppDatabase.inMemory()
    _ = try database.bootstrap()
    _ = try await Demo.load(into: database, actor: "admin")
    return database
}

/// Runs `body` with a folder of its own under the system's temporary folder, removed after.
func withTemporaryFolder<T>(_ body: (URL) async throws -> T) async throws -> T {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("desk-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    return try await body(folder)
}

func count(_ database: AppDatabase, _ sql: String) throws -> Int {
    try database.writer.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
}

@Suite("Storage")
struct StorageTests {
    @Test("a database file runs in WAL mode with synchronous = FULL on the writer")
    func durability() async throws {
        try await withTemporaryFolder { folder in
            let database = try AppDatabase.open(path: folder.appendingPathComponent("d.sqlite").path)
            #expect(try database.synchronousMode() == 2)
            let journal = try database.writer.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
            #expect(journal == "wal")
            try database.close()
        }
    }

    @Test("first start creates the centre and an admin whose token is stored only as a hash; later starts create nothing")
    func bootstrap() async throws {
        let database = try AppDatabase.inMemory()
        let token = try #require(try database.bootstrap().adminToken)
        #expect(token.hasPrefix("sd_") && token.count > 40)
        let centre = try await database.centre()
        #expect(centre.mode == .administrativeBody)
        let admin = try await database.staff("admin")
        #expect(admin.role == .admin && admin.department == nil && admin.employment == .contract)
        let stored = try await database.writer.read { db in try String.fetchAll(db, sql: "SELECT hash FROM token") }
        #expect(stored == [TokenSecret.hash(token)])
        let everything = try await database.writer.read { db in
            try String.fetchAll(db, sql: "SELECT group_concat(id || label || hash || username) FROM token")
        }
        #expect(!everything.joined().contains(token))
        #expect(try await database.authenticate(token: token)?.staff.username == "admin")
        #expect(try database.bootstrap().adminToken == nil)
        #expect(try count(database, "SELECT count(*) FROM staff") == 1)
    }

    @Test("revoked tokens and tokens of inactive staff no longer authenticate")
    func revocation() async throws {
        let database = try await exampleDatabase()
        let issued = try await database.createToken(for: "lan.mc", label: "counter 1", actor: "admin")
        let principal = try await database.authenticate(token: issued.token)
        #expect(principal?.staff.username == "lan.mc")
        // What deskd's middleware asks first, without a read: the answer just given (or nothing,
        // should a second have passed on a loaded machine — never another answer).
        let remembered = database.rememberedPrincipal(token: issued.token)
        #expect(remembered == nil || remembered == principal)
        _ = try await database.revokeToken(issued.info.id, actor: "admin")
        #expect(database.rememberedPrincipal(token: issued.token) == nil)
        #expect(try await database.authenticate(token: issued.token) == nil)
        let second = try await database.createToken(for: "hung.tp", label: nil, actor: "admin")
        #expect(try await database.authenticate(token: second.token)?.staff.role == .handler)
        // The answer just given is remembered (TokenCache); a change of the member shows at once.
        _ = try await database.updateStaff("hung.tp", StaffPatch(role: "supervisor"), actor: "admin")
        #expect(database.rememberedPrincipal(token: second.token) == nil)
        #expect(try await database.authenticate(token: second.token)?.staff.role == .supervisor)
        _ = try await database.updateStaff("hung.tp", StaffPatch(active: false), actor: "admin")
        #expect(try await database.authenticate(token: second.token) == nil)
        #expect(try await database.authenticate(token: "sd_not-a-token") == nil)
        #expect(database.rememberedPrincipal(token: "sd_not-a-token") == nil)
    }

    @Test("a token's answer is remembered for a second against writers outside the process; unknown tokens are never remembered")
    func tokenMemory() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("d.sqlite").path
            let database = try AppDatabase.open(path: path)
            let admin = try #require(try database.bootstrap().adminToken)
            #expect(try await database.authenticate(token: admin)?.staff.username == "admin")
            // Another connection (as another process would) revokes it, unseen by this process's writer.
            let outside = try DatabaseQueue(path: path)
            try await outside.write { db in try db.execute(sql: "UPDATE token SET revoked_at = 1 WHERE username = 'admin'") }
            // Within the second it may still be answered from memory; after it, never.
            try await Task.sleep(for: .nanoseconds(Int64(TokenCache.lifetime)) + .milliseconds(100))
            #expect(try await database.authenticate(token: admin) == nil)
            // An unknown token asks the database each time: a token made outside works at once.
            let made = TokenSecret.generate()
            #expect(try await database.authenticate(token: made) == nil)
            try await outside.write { db in
                try db.execute(
                    sql: "INSERT INTO token (id, username, label, hash, created_at, scope) VALUES ('t-outside', 'admin', 'x', ?, 1, 'api')",
                    arguments: [TokenSecret.hash(made)])
            }
            #expect(try await database.authenticate(token: made)?.tokenId == "t-outside")
            try outside.close()
            try database.close()
        }
    }

    @Test("a token's answer read before a change committed is not kept")
    func tokenMemoryGeneration() throws {
        let cache = TokenCache()
        let principal = Principal(
            staff: Staff(username: "lan.mc", name: "Lan", role: .officer, employment: .contract), tokenId: "t", scope: .api)
        let before = cache.current
        cache.changed()
        cache.keep(principal, hash: "h", generation: before, readAt: 0)
        #expect(cache.principal(hash: "h", now: 1) == nil)
        cache.keep(principal, hash: "h", generation: cache.current, readAt: 0)
        #expect(cache.principal(hash: "h", now: 1) == principal)
        #expect(cache.principal(hash: "h", now: TokenCache.lifetime) == nil)
        cache.changed()
        #expect(cache.principal(hash: "h", now: 1) == nil)
    }

    @Test("a mode change with conflicts changes nothing and lists every conflict")
    func modeChangeBlocked() async throws {
        let database = try await exampleDatabase()
        let before = try count(database, "SELECT count(*) FROM event")
        let dryRun = try await database.changeMode(ModeChangeRequest(mode: "public-service-unit", dryRun: true), actor: "admin")
        #expect(!dryRun.changed)
        let real = try await database.changeMode(ModeChangeRequest(mode: "public-service-unit", autonomyGroup: 2), actor: "admin")
        #expect(!real.changed)
        // giamsat is a civil servant too, but has no department: not bound.
        #expect(real.conflicts.map(\.id).sorted() == ["1.000894", "1.001193", "2.000815", "hung.tp", "lan.mc"])
        #expect(dryRun.conflicts.count == real.conflicts.count + 1)  // the dry run also lacked the autonomy group
        #expect(try await database.centre().mode == .administrativeBody)
        #expect(try count(database, "SELECT count(*) FROM event") == before)
    }

    @Test("a clean mode change switches, sets the autonomy group and is recorded with who did it")
    func modeChangeRecorded() async throws {
        let database = try AppDatabase.inMemory()
        _ = try database.bootstrap()
        let result = try await database.changeMode(ModeChangeRequest(mode: "public-service-unit", autonomyGroup: 3), actor: "admin")
        #expect(result.changed && result.conflicts.isEmpty)
        #expect(try await database.centre().autonomyGroup == 3)
        let event = try #require(try await database.events(entity: "centre", id: Centre.bootstrap.code).last)
        #expect(event.action == "centre.mode" && event.actor == "admin")
        #expect(event.detail.contains("public-service-unit"))
        let back = try await database.changeMode(ModeChangeRequest(mode: "administrative-body"), actor: "admin")
        #expect(back.changed)
        #expect(try await database.centre().autonomyGroup == nil)
    }

    @Test("writes that break the current mode are refused: the entity's own field, or a conflict list for others")
    func writesEnforceMode() async throws {
        let database = try await exampleDatabase()
        await #expect(throws: DeskError.self) {
            try await database.createStaff(
                StaffDraft(username: "vc", name: "Viên chức", role: "handler", department: "tu-phap", employment: "public-employee"),
                actor: "admin")
        }
        do {
            _ = try await database.createStaff(
                StaffDraft(username: "vc", name: "V", role: "handler", department: "tu-phap", employment: "public-employee"), actor: "admin"
            )
        } catch let DeskError.inconsistent(errors) {
            #expect(errors.map(\.field) == ["employment"])
        }
        // tu-phap holds the deciding step of three services: it cannot stop deciding.
        do {
            _ = try await database.updateDepartment("tu-phap", DepartmentPatch(decides: false), actor: "admin")
            Issue.record("expected a conflict")
        } catch let DeskError.modeConflicts(conflicts) {
            #expect(Set(conflicts.map(\.id)) == ["1.000894", "1.001193", "2.000815"])
        }
        #expect(try await database.department("tu-phap").decides)
        await #expect(throws: DeskError.self) {
            try await database.updateService(
                "1.004227", ServicePatch(charges: [ChargeDraft(kind: "service-price", amount: 5000)]), actor: "admin")
        }
        #expect(try await database.service("1.004227").version == 1)
    }

    @Test("a department on an active route cannot be deactivated; once the service is retired it can")
    func deactivation() async throws {
        let database = try await exampleDatabase()
        await #expect(
            throws: DeskError.conflict(
                "department so-xay-dung is on the route of active services 1.009994; change or deactivate them first")
        ) {
            try await database.updateDepartment("so-xay-dung", DepartmentPatch(active: false), actor: "admin")
        }
        _ = try await database.updateService("1.009994", ServicePatch(active: false), actor: "admin")
        #expect(try await database.updateDepartment("so-xay-dung", DepartmentPatch(active: false), actor: "admin").active == false)
        await #expect(throws: DeskError.inconsistent([FieldError("route[1].department", "department 'so-xay-dung' is inactive")])) {
            try await database.updateService("1.009994", ServicePatch(active: true), actor: "admin")
        }
    }

    @Test("service updates bump the version; null clears optional fields")
    func serviceUpdate() async throws {
        let database = try await exampleDatabase()
        let updated = try await database.updateService("1.001193", ServicePatch(queuePrefix: .set(nil), active: true), actor: "admin")
        #expect(updated.queuePrefix == nil && updated.version == 2)
        let unchanged = try await database.updateService("1.001193", ServicePatch(name: "Đăng ký khai sinh"), actor: "admin")
        #expect(unchanged.version == 2)
        let service = try await database.service("1.004227")
        #expect(service.route.map(\.department) == ["mot-cua", "dat-dai", "so-nnmt", "mot-cua"])
        #expect(service.charges.map(\.amount) == [100_000, 500_000])
    }

    @Test("duplicates, unknown codes and unknown departments are reported precisely")
    func errors() async throws {
        let database = try await exampleDatabase()
        await #expect(throws: DeskError.duplicate(entity: "department", id: "mot-cua")) {
            try await database.createDepartment(DepartmentDraft(code: "mot-cua", name: "X", kind: "internal"), actor: "admin")
        }
        await #expect(throws: DeskError.notFound(entity: "service", id: "9.999999")) { try await database.service("9.999999") }
        await #expect(throws: DeskError.inconsistent([FieldError("route[0].department", "no department 'nowhere'")])) {
            try await database.createService(
                ServiceDraft(code: "X", name: "X", kind: "inquiry", timeLimit: "1 d", route: [RouteStepDraft(department: "nowhere")]),
                actor: "admin")
        }
        await #expect(
            throws: DeskError.validation([
                FieldError("department", "is required for a handler: handlers work on their own department's tickets")
            ])
        ) {
            try await database.createStaff(StaffDraft(username: "hh", name: "H", role: "handler", employment: "contract"), actor: "admin")
        }
    }

    @Test("the last active admin cannot demote or deactivate themselves")
    func lastAdmin() async throws {
        let database = try AppDatabase.inMemory()
        _ = try database.bootstrap()
        await #expect(throws: DeskError.self) { try await database.updateStaff("admin", StaffPatch(active: false), actor: "admin") }
        _ = try await database.createStaff(
            StaffDraft(username: "admin2", name: "Second", role: "admin", employment: "contract"), actor: "admin")
        #expect(try await database.updateStaff("admin", StaffPatch(role: "supervisor"), actor: "admin2").role == .supervisor)
    }

    @Test("text is stored trimmed and NFC-normalised")
    func normalisation() async throws {
        let database = try await exampleDatabase()
        let decomposed = "  Nguye\u{0302}\u{0303}n Va\u{0306}n An  "  // NFD input
        let staff = try await database.createStaff(
            StaffDraft(username: "an", name: decomposed, role: "officer", employment: "contract"), actor: "admin")
        #expect(staff.name == "Nguyễn Văn An")
        #expect(staff.name.unicodeScalars.count == "Nguyễn Văn An".precomposedStringWithCanonicalMapping.unicodeScalars.count)
    }

    @Test("events are append-only: the database refuses updates and deletes")
    func appendOnly() async throws {
        let database = try await exampleDatabase()
        #expect(throws: DatabaseError.self) {
            try database.writer.write { db in try db.execute(sql: "UPDATE event SET actor = 'mallory' WHERE id = 1") }
        }
        #expect(throws: DatabaseError.self) {
            try database.writer.write { db in try db.execute(sql: "DELETE FROM event") }
        }
    }

    @Test("the hash chain verifies, and finds an event edited behind the daemon's back")
    func chain() async throws {
        let database = try await exampleDatabase()
        let intact = try database.verifyEventChain()
        #expect(intact.intact && intact.checked > 20)
        try await database.writer.writeWithoutTransaction { db in
            try db.execute(sql: "DROP TRIGGER event_no_update")
            try db.execute(sql: "UPDATE event SET actor = 'mallory' WHERE id = 5")
        }
        let broken = try database.verifyEventChain()
        #expect(broken.brokenAt == 5 && broken.checked == 4)
        #expect(try database.check().healthy == false)
    }

    @Test("lists are paginated by key with a cursor")
    func pagination() async throws {
        let database = try await exampleDatabase()
        let first = try await database.departments(page: try PageRequest(limit: 3))
        #expect(first.items.map(\.code) == ["dat-dai", "mot-cua", "so-nnmt"])
        let second = try await database.departments(page: try PageRequest(limit: 3, cursor: first.nextCursor))
        #expect(second.items.map(\.code) == ["so-xay-dung", "tiep-dan", "tu-phap"])
        let third = try await database.departments(page: try PageRequest(limit: 3, cursor: second.nextCursor))
        #expect(third.items.map(\.code) == ["ubnd-phuong"] && third.nextCursor == nil)
        let authorities = try await database.departments(DepartmentFilter(kind: .authority), page: try PageRequest())
        #expect(authorities.items.map(\.code) == ["so-nnmt", "so-xay-dung", "ubnd-phuong"])
        let viaTuPhap = try await database.services(ServiceFilter(department: "tu-phap"), page: try PageRequest())
        #expect(viaTuPhap.items.map(\.code) == ["1.000894", "1.001193", "2.000815"])
        #expect(throws: DeskError.self) { try PageRequest(limit: 0) }
    }

    @Test("the calendar keeps hours and days; PUT without days keeps the days")
    func calendar() async throws {
        let database = try await exampleDatabase()
        #expect(try await database.calendar().days.count == 14)
        var hours = WorkingCalendar.defaultHours
        hours[.saturday] = [WorkingPeriod(start: TimeOfDay("07:30")!, end: TimeOfDay("11:30")!)]
        let updated = try await database.replaceCalendar(CalendarUpdate(hours: hours), actor: "admin")
        #expect(updated.hours[.saturday]?.count == 1 && updated.days.count == 14)
        await #expect(throws: DeskError.duplicate(entity: "calendar day", id: "2026-09-02")) {
            try await database.addCalendarDay(CalendarDay(date: LocalDate("2026-09-02")!, kind: .holiday, name: "again"), actor: "admin")
        }
        try await database.removeCalendarDay(LocalDate("2026-09-02")!, actor: "admin")
        await #expect(throws: DeskError.notFound(entity: "calendar day", id: "2026-09-02")) {
            try await database.removeCalendarDay(LocalDate("2026-09-02")!, actor: "admin")
        }
    }

    @Test("a backup is a complete, consistent copy")
    func backup() async throws {
        try await withTemporaryFolder { folder in
            let database = try AppDatabase.open(path: folder.appendingPathComponent("live.sqlite").path)
            _ = try database.bootstrap()
            _ = try await Demo.load(into: database, actor: "admin")
            try database.backup(to: folder.appendingPathComponent("copy.sqlite").path)
            let copy = try AppDatabase.open(path: folder.appendingPathComponent("copy.sqlite").path)
            #expect(try count(copy, "SELECT count(*) FROM service") == 7)
            #expect(try copy.check().healthy)
        }
    }

    @Test("group commit: concurrent writes share transactions, a failing one rolls back alone, each answer comes after its commit")
    func groupCommit() async throws {
        try await withTemporaryFolder { folder in
            let database = try AppDatabase.open(path: folder.appendingPathComponent("d.sqlite").path)
            _ = try database.bootstrap()
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<60 {
                    // Every tenth asks for a code that another one also creates: exactly one of each pair wins.
                    let code = index % 10 == 0 ? "dup-\(index / 20)" : "dept-\(index)"
                    group.addTask {
                        do {
                            _ = try await database.createDepartment(
                                DepartmentDraft(code: code, name: "D", kind: "internal"), actor: "admin")
                            return true
                        } catch DeskError.duplicate {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            let stored = try count(database, "SELECT count(*) FROM department")
            #expect(stored == outcomes.filter { $0 }.count)
            #expect(outcomes.filter { !$0 }.count == 3)  // dup-0, dup-1, dup-2 each asked for twice
            #expect(try count(database, "SELECT count(*) FROM event WHERE action = 'department.create'") == stored)
            #expect(try database.verifyEventChain().intact)
            try database.close()
        }
    }

    @Test("group commit: each committed transaction's COMMIT is timed once, on a file with its WAL; a transaction that fails is not")
    func commitsObserved() async throws {
        try await withTemporaryFolder { folder in
            let database = try AppDatabase.open(path: folder.appendingPathComponent("d.sqlite").path)
            let observed = Mutex<[Duration]>([])
            database.observeCommits { duration in observed.withLock { $0.append(duration) } }
            let before = database.writerStatistics
            try await database.write { db in try db.execute(sql: "CREATE TABLE counted (n INTEGER NOT NULL)") }
            for n in 0..<5 {
                try await database.write { db in try db.execute(sql: "INSERT INTO counted (n) VALUES (?)", arguments: [n]) }
            }
            // A transaction whose end-of-batch work fails is rolled back whole and answered with the error.
            await #expect(throws: (any Error).self) {
                try await database.write { db in
                    try db.execute(sql: "INSERT INTO counted (n) VALUES (99)")
                    try database.afterWrites(db) { db in try db.execute(sql: "INSERT INTO no_such_table (n) VALUES (1)") }
                }
            }
            let after = database.writerStatistics
            let durations = observed.withLock { $0 }
            #expect(after.failedBatches - before.failedBatches == 1)
            #expect(durations.count == after.batches - before.batches - 1, "one per transaction committed, none for the failed one")
            #expect((1...6).contains(durations.count))
            #expect(durations.allSatisfy { $0 > .zero }, "a COMMIT on a file writes and syncs its WAL")
            let commitPhase = Duration.nanoseconds(Int64(after.commitNanoseconds - before.commitNanoseconds))
            #expect(durations.reduce(.zero, +) <= commitPhase, "within the commit phase the writer's figures count")
            #expect(try await database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM counted") } == 5)
        }
    }

    /// The depth of the calling thread's stack (Foundation gives at most 128 frames).
    private static func stackDepth() -> Int { Thread.callStackReturnAddresses.count }

    @Test(
        "the commit observer is called as deep in the stack after 3,000 commits as after the first: reading it never wraps it (a closure held as a Mutex's value grew a thunk pair at every read until the stack overflowed)"
    )
    func commitObserverKeepsItsDepth() async throws {
        // The holder itself, told from one place: every call at the same depth.
        let observer = CommitObserver()
        let told = Mutex<[Int]>([])
        observer.set { _ in told.withLock { $0.append(Self.stackDepth()) } }
        for _ in 0..<3_000 { observer.tell(.milliseconds(1)) }
        let depths = told.withLock { $0 }
        #expect(depths.count == 3_000)
        #expect(Set(depths).count == 1, "depth went \(depths.first ?? 0) → \(depths.last ?? 0)")

        // Through the group commit, one transaction per write.
        let database = try AppDatabase.inMemory()
        let seen = Mutex<[Int]>([])
        database.observeCommits { _ in seen.withLock { $0.append(Self.stackDepth()) } }
        try await database.write { db in try db.execute(sql: "CREATE TABLE counted (n INTEGER NOT NULL)") }
        for n in 0..<3_000 {
            try await database.write { db in try db.execute(sql: "INSERT INTO counted (n) VALUES (?)", arguments: [n]) }
        }
        let committed = seen.withLock { $0 }
        #expect(committed.count == 3_001)
        let shallowest = try #require(committed.min())
        #expect(shallowest < 100, "the commit's own stack leaves room to see it grow")
        #expect(try #require(committed.max()) - shallowest <= 8, "first \(committed.prefix(5)), last \(committed.suffix(5))")
    }

    @Test("group commit: work left for the end of the batch runs after every write, in their order; a failed write leaves none")
    func batchTail() async throws {
        try await withTemporaryFolder { folder in
            let database = try AppDatabase.open(path: folder.appendingPathComponent("d.sqlite").path)
            try await database.write { db in
                try db.execute(sql: "CREATE TABLE written (n INTEGER NOT NULL, tail INTEGER NOT NULL)")
            }
            let answers = await withTaskGroup(of: Bool.self) { group in
                for n in 0..<80 {
                    group.addTask {
                        do {
                            try await database.write { db in
                                try db.execute(sql: "INSERT INTO written (n, tail) VALUES (?, 0)", arguments: [n])
                                try database.afterWrites(db) { db in
                                    try db.execute(sql: "INSERT INTO written (n, tail) VALUES (?, 1)", arguments: [n])
                                }
                                if n % 7 == 3 { throw DeskError.conflict("write \(n) fails after asking for its tail") }
                            }
                            return true
                        } catch {
                            return false
                        }
                    }
                }
                return await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            let failed = (0..<80).filter { $0 % 7 == 3 }
            #expect(answers == 80 - failed.count)
            let rows = try await database.read { db in
                try Row.fetchAll(db, sql: "SELECT n, tail FROM written ORDER BY rowid").map { (n: $0["n"] as Int, tail: $0["tail"] as Int) }
            }
            let inside = rows.filter { $0.tail == 0 }.map(\.n)
            let after = rows.filter { $0.tail == 1 }.map(\.n)
            // Every successful write's tail, none of a failed one's, in the order the writes ran.
            #expect(Set(inside) == Set(0..<80).subtracting(failed))
            #expect(after == inside)
            // Each batch's tail after all of its writes, never between two of them: the rows come in
            // blocks, each block of writes followed by the block of their tails, in the same order.
            var blocks: [[Int]] = []
            for (position, row) in rows.enumerated() {
                if position == 0 || rows[position - 1].tail != row.tail { blocks.append([]) }
                blocks[blocks.count - 1].append(row.n)
            }
            #expect(blocks.count % 2 == 0 && rows.first?.tail == 0)
            for pair in stride(from: 0, to: blocks.count - 1, by: 2) { #expect(blocks[pair] == blocks[pair + 1]) }
            #expect(blocks.count / 2 < 60, "the writes shared transactions")
            // Outside a batch (not through the group commit) the work runs at once.
            try await database.writer.write { grdb in
                let db = SQLiteSession(grdb)
                try database.afterWrites(db) { db in try db.execute(sql: "INSERT INTO written (n, tail) VALUES (-1, 1)") }
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM written WHERE n = -1") == 1)
            }
            try database.close()
        }
    }

    @Test(
        "group commit: writes run bare; one that fails before changing anything leaves its batch alone, one that fails after changing rows (of a table, a trigger, a full-text table) is undone alone by redoing its batch with savepoints"
    )
    func bareWrites() async throws {
        try await withTemporaryFolder { folder in
            let database = try AppDatabase.open(path: folder.appendingPathComponent("d.sqlite").path)
            try await database.write { db in
                try db.execute(
                    sql: """
                        CREATE TABLE written (n INTEGER NOT NULL);
                        CREATE TABLE echoed (n INTEGER NOT NULL);
                        CREATE VIEW echo AS SELECT NULL AS n;
                        CREATE TRIGGER echo INSTEAD OF INSERT ON echo BEGIN INSERT INTO echoed (n) VALUES (new.n); END;
                        CREATE VIRTUAL TABLE searched USING fts5 (body);
                        """)
            }
            /// How write `n` behaves: succeeds, fails before changing anything, or fails after
            /// changing rows only through a trigger, only in the full-text table, or in a table.
            enum Kind { case succeeds, failsClean, failsAfterTrigger, failsAfterSearch, failsAfterRow }
            func run(_ kinds: [Kind], from offset: Int = 0) async throws -> (succeeded: Set<Int>, redone: Int) {
                let before = database.writerStatistics.redoneBatches
                let succeeded = try await withThrowingTaskGroup(of: Int?.self) { group in
                    for (position, kind) in kinds.enumerated() {
                        let n = offset + position
                        group.addTask {
                            do {
                                try await database.write { db in
                                    switch kind {
                                    case .succeeds:
                                        try db.execute(sql: "INSERT INTO written (n) VALUES (?)", arguments: [n])
                                        return
                                    case .failsClean:
                                        _ = try db.fetchValue(Int.self, sql: "SELECT count(*) FROM written")
                                        try db.execute(sql: "UPDATE written SET n = n WHERE n = -1")  // changes no row
                                    case .failsAfterTrigger:
                                        // A view stores nothing: the only row is its trigger's (as migration 0032's recounts).
                                        try db.execute(sql: "INSERT INTO echo (n) VALUES (?)", arguments: [n])
                                    case .failsAfterSearch:
                                        try db.execute(sql: "INSERT INTO searched (body) VALUES (?)", arguments: ["write \(n)"])
                                    case .failsAfterRow:
                                        try db.execute(sql: "INSERT INTO written (n) VALUES (?)", arguments: [n])
                                    }
                                    throw DeskError.conflict("write \(n) fails")
                                }
                                return n
                            } catch DeskError.conflict {
                                return nil
                            }
                        }
                    }
                    return try await group.reduce(into: Set<Int>()) { if let n = $1 { $0.insert(n) } }
                }
                return (succeeded, database.writerStatistics.redoneBatches - before)
            }
            func state() async throws -> (written: Set<Int>, echoed: Int, searched: Int) {
                try await database.read { db in
                    (
                        Set(try Int.fetchAll(db, sql: "SELECT n FROM written")),
                        try Int.fetchOne(db, sql: "SELECT count(*) FROM echoed") ?? -1,
                        try Int.fetchOne(db, sql: "SELECT count(*) FROM searched") ?? -1
                    )
                }
            }

            // Only clean failures: no batch is redone, and every success is kept.
            let clean = (0..<60).map { $0 % 3 == 0 ? Kind.failsClean : .succeeds }
            let first = try await run(clean)
            #expect(first.succeeded == Set((0..<60).filter { clean[$0] == .succeeds }))
            #expect(first.redone == 0, "a write that changed nothing is answered without redoing its batch")
            #expect(try await state().written == first.succeeded)

            // Then each kind of failure after a change, with successes and clean failures, shuffled:
            // each failure leaves nothing, each success is kept, once.
            var kept = first.succeeded
            var offset = 1000
            for failure in [Kind.failsAfterTrigger, .failsAfterSearch, .failsAfterRow] {
                let kinds = (0..<60).map { [Kind.succeeds, .succeeds, .failsClean, failure][$0 % 4] }.shuffled()
                let ran = try await run(kinds, from: offset)
                let expected = Set(kinds.indices.filter { kinds[$0] == .succeeds }.map { $0 + offset })
                #expect(ran.succeeded == expected, "\(failure)")
                kept.formUnion(expected)
                let after = try await state()
                #expect(after.written == kept, "\(failure)")
                #expect(after.echoed == 0 && after.searched == 0, "nothing of a failed write stays: \(failure)")
                #expect(ran.redone >= 1, "a write that failed after changing rows had its batch redone: \(failure)")
                #expect(ran.redone <= 15)
                offset += 1000
            }
            try database.close()
        }
    }

    @Test("group commit: a write that ends the batch's transaction fails its batch, and nothing after it commits on its own")
    func transactionLost() async throws {
        try await withTemporaryFolder { folder in
            let database = try AppDatabase.open(path: folder.appendingPathComponent("d.sqlite").path)
            try await database.write { db in try db.execute(sql: "CREATE TABLE written (n INTEGER NOT NULL)") }
            let before = database.writerStatistics
            // A batch of three, the second of which ends the transaction (as SQLite does on a full disk).
            let gate = DispatchSemaphore(value: 0)
            let holding = DispatchSemaphore(value: 0)
            let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
                group.addTask {
                    // Holds the writer (its own thread, not the pool's), so that the three below share the next batch.
                    let held =
                        (try? await database.write { _ -> Void in
                            holding.signal()
                            _ = gate.wait(timeout: .now() + 15)
                        }) != nil
                    return (-1, held)
                }
                // Until the writer holds (at most 10 s).
                for _ in 0..<1000 {
                    if holding.wait(timeout: .now()) == .success { break }
                    try? await Task.sleep(for: .milliseconds(10))
                }
                for n in 0..<3 {
                    group.addTask {
                        let written =
                            (try? await database.write { db -> Void in
                                try db.execute(sql: "INSERT INTO written (n) VALUES (?)", arguments: [n])
                                if n == 1 { try db.execute(sql: "ROLLBACK") }
                            }) != nil
                        return (n, written)
                    }
                }
                // Until all three wait for the next batch (at most 10 s).
                for _ in 0..<1000 {
                    guard case .sqlite(_, let committer) = database.engine, committer.waiting < 3 else { break }
                    try? await Task.sleep(for: .milliseconds(10))
                }
                gate.signal()
                return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
            }
            #expect(outcomes[-1] == true)
            #expect(outcomes[0] == false && outcomes[1] == false && outcomes[2] == false)
            #expect(database.writerStatistics.failedBatches - before.failedBatches == 1)
            #expect(try await database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM written") } == 0)
            // The writer goes on.
            try await database.write { db in try db.execute(sql: "INSERT INTO written (n) VALUES (9)") }
            #expect(try await database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM written") } == 1)
            try database.close()
        }
    }

    @Test("the writer runs a batch at a raised priority where the process may raise it; a raise is given back as found")
    func writerPriority() async throws {
        let database = try AppDatabase.inMemory()
        let which = __priority_which_t(PRIO_PROCESS.rawValue)
        let during = try await database.write { _ in getpriority(which, 0) }
        // Root (as CI runs) may raise it; anyone else keeps the thread's own nice value.
        if geteuid() == 0 { #expect(during == WriterPriority.boost) } else { #expect(during > WriterPriority.boost) }
        let before = getpriority(which, 0)
        let raised = WriterPriority.raise()
        if geteuid() == 0 { #expect(getpriority(which, 0) == WriterPriority.boost) }
        raised.restore()
        #expect(getpriority(which, 0) == before)
    }

    @Test(
        "concurrent intakes: every dossier and applicant of the burst is found by its words (search rows written at the end of each batch)")
    func searchAfterBurst() async throws {
        let database = try await exampleDatabase()
        let admin = try await database.staff("admin")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<60 {
                group.addTask {
                    let request = IntakeRequest(
                        service: "HD-TTHC", channel: "web", applicant: ApplicantDraft(name: "Trần Thị Số\(n)", phone: "0912345678"),
                        description: "Đèn đường hỏng ở ngõ \(n)x")
                    _ = try await database.intake(request, actor: admin)
                }
            }
            try await group.waitForAll()
        }
        for n in [0, 17, 59] {
            var query = TicketQuery()
            query.text = "ngo \(n)x"
            let byWords = try await database.tickets(query, page: try PageRequest(limit: 10), viewer: admin)
            #expect(byWords.items.count == 1 && byWords.items[0].ticket.description == "Đèn đường hỏng ở ngõ \(n)x")
            query.text = "tran thi so\(n)"
            let byName = try await database.tickets(query, page: try PageRequest(limit: 10), viewer: admin)
            #expect(byName.items.count == 1 && byName.items[0].ticket.description == "Đèn đường hỏng ở ngõ \(n)x")
        }
        #expect(try count(database, "SELECT count(*) FROM ticket_search") == 60)
        #expect(try count(database, "SELECT count(*) FROM applicant_search") == 60)
    }

    @Test(
        "closing the database folds the WAL into the file — emptying it when the daemon closes, without waiting for a daemon's write when a command closes beside it: a copy of the file alone then holds every committed write"
    )
    func closeFoldsTheWAL() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("d.sqlite").path
            let database = try AppDatabase.open(path: path)
            _ = try database.bootstrap()
            for number in 1...20 {
                _ = try await database.createDepartment(
                    DepartmentDraft(code: "phong-\(number)", name: "Phòng \(number)", kind: "internal"), actor: "admin")
            }
            #expect(try database.close(emptyingWAL: true))
            let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
            #expect(wal == 0)
            // What an operator who copies only the file after stopping deskd gets.
            let copy = folder.appendingPathComponent("copy.sqlite").path
            try FileManager.default.copyItem(atPath: path, toPath: copy)
            let copied = try AppDatabase.open(path: copy, schema: .requireCurrent)
            #expect(try count(copied, "SELECT count(*) FROM department WHERE code LIKE 'phong-%'") == 20)
            #expect(try copied.verifyEventChain().intact)
            // A local command's close beside a running daemon that is in the middle of a write: the
            // committed frames are folded into the file without waiting for the daemon's write lock
            // (emptying the WAL would wait for it until the 5 s busy timeout).
            _ = try await copied.createDepartment(DepartmentDraft(code: "phong-21", name: "Phòng 21", kind: "internal"), actor: "admin")
            var holding = Configuration()
            holding.allowsUnsafeTransactions = true  // its write lock held across two accesses
            let daemon = try DatabaseQueue(path: copy, configuration: holding)
            try await daemon.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }
            let started = ContinuousClock.now
            #expect(try copied.close())
            #expect(ContinuousClock.now - started < .seconds(4))
            try await daemon.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
            try daemon.close()
            let second = folder.appendingPathComponent("second.sqlite").path
            try FileManager.default.copyItem(atPath: copy, toPath: second)
            let secondCopy = try AppDatabase.open(path: second, schema: .requireCurrent)
            #expect(try count(secondCopy, "SELECT count(*) FROM department WHERE code LIKE 'phong-%'") == 21)
            try secondCopy.close()
        }
    }

    @Test(
        "the WAL is folded into the file beside the writer, not by it, and starts again from its beginning under a long run of writes"
    )
    func checkpointsBesideTheWriter() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("d.sqlite").path
            let database = try AppDatabase.open(path: path)
            // 150 commits of 100 pages each: 15,000 pages, 60 MB, were the WAL never started again.
            for batch in 0..<150 { try await Self.fill(database, rows: 100, after: batch * 100) }
            let checkpointer = try #require(database.checkpointer)
            try await checkpointer.paused {}  // a checkpoint under way has ended
            let statistics = checkpointer.statistics
            // SQLite's own auto-checkpoint on the writer would have left these at zero.
            #expect(statistics.checkpoints >= 5, "\(statistics)")
            #expect(statistics.failed == 0)
            // The writer copies only what is left; most is copied beside it.
            #expect(statistics.onWriter < statistics.checkpoints, "\(statistics)")
            // The WAL started again: its file is as long as its longest run, a few thousand pages.
            let wal = try #require(FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int)
            #expect(wal < Int(Checkpointer.restartLength * 2) * 4096, "WAL \(wal) bytes")
            #expect(try count(database, "SELECT count(*) FROM filler") == 15_000)
            #expect(try database.close(emptyingWAL: true))
            #expect(try Self.fileSize(path + "-wal") == 0)
        }
    }

    @Test(
        "each frame of the WAL reaches the file in one write, its header and page joined; the file and its WAL copied after the commits, as a crash leaves them, hold every committed row"
    )
    func walFramesJoined() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("d.sqlite").path
            let database = try AppDatabase.open(path: path)
            try await Self.fill(database, rows: 10, after: 0)
            let before = try #require(try database.logWrites())
            // 40 commits of 25 one-page rows: some 1,100 frames, the WAL started again at least once.
            for batch in 0..<40 { try await Self.fill(database, rows: 25, after: 10 + batch * 25) }
            let after = try #require(try database.logWrites())
            let joined = after.framesJoined - before.framesJoined
            #expect(joined >= 1_000, "\(before) → \(after)")
            // What is not a joined frame is a WAL header, written at each start of the log.
            #expect(after.writes - before.writes - joined <= 40, "\(before) → \(after)")
            // The file and its WAL as they are, the checkpointer held still: SQLite's recovery reads
            // the WAL's frames again and keeps each only if its checksum, over header and page,
            // holds — a frame written wrong would lose its commit and every one after it.
            let checkpointer = try #require(database.checkpointer)
            let copy = folder.appendingPathComponent("copy.sqlite").path
            try await checkpointer.paused {
                try FileManager.default.copyItem(atPath: path, toPath: copy)
                try FileManager.default.copyItem(atPath: path + "-wal", toPath: copy + "-wal")
            }
            #expect(try Self.fileSize(copy + "-wal") > 0)
            let crashed = try DatabaseQueue(path: copy)
            let found = try await crashed.read { db in
                try [
                    Int.fetchOne(db, sql: "SELECT count(*) FROM filler").map(String.init),
                    Int.fetchOne(db, sql: "SELECT max(id) FROM filler").map(String.init),
                    String.fetchOne(db, sql: "PRAGMA integrity_check"),
                ]
            }
            #expect(found == ["1010", "1010", "ok"])
            try crashed.close()
            try database.close()
        }
    }

    @Test("emptying the WAL after a purge or a key rotation waits for a checkpoint under way beside the writer instead of failing")
    func emptyingTheWALBesideTheCheckpointer() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("d.sqlite").path
            let database = try AppDatabase.open(path: path)
            // Each commit of 1,100 pages hands the checkpointer a checkpoint at once, and the WAL is
            // emptied right after, while it runs: a checkpoint on the writer then fails at once
            // (SQLITE_BUSY) unless it waits.
            for batch in 0..<20 {
                try await Self.fill(database, rows: 1100, after: batch * 1100)
                try await database.emptyWAL()
                #expect(try Self.fileSize(path + "-wal") == 0)
            }
            #expect(database.checkpointer.map { $0.statistics.checkpoints } ?? 0 > 0)
            #expect(try count(database, "SELECT count(*) FROM filler") == 22_000)
            try database.close()
        }
    }

    @Test(
        "a reader keeps its mapping of the file across another connection's commit: the read after a write sees it without faulting the file in again, and the file growing or shrinking is followed"
    )
    func readersKeepTheirMapping() async throws {
        #if os(Linux)
            try await withTemporaryFolder { folder in
                let path = folder.appendingPathComponent("d.sqlite").path
                let database = try AppDatabase.open(path: path)
                // ~16 MB of rows of one page each, in the file itself (not the WAL): a reader maps them.
                try await Self.fill(database, rows: 4000, after: 0)
                try await database.emptyWAL()
                /// The rows' total size and the page faults of the reading thread while it scanned them.
                /// A blocking read (not `async`): its reader is back in the pool when it returns, so
                /// the next scan gets the same connection — an `async` read may release it a moment
                /// after its caller resumes, and the next read then opens a second reader.
                func scan() throws -> (bytes: Int, faults: Int) {
                    try database.writer.read { db in
                        let before = Self.minorFaultsOfThisThread()
                        let bytes = try Int.fetchOne(db, sql: "SELECT sum(length(body)) FROM filler") ?? 0
                        return (bytes, Self.minorFaultsOfThisThread() - before)
                    }
                }
                let first = try scan()
                #expect(first.bytes == 4000 * 3900)
                // The first scan maps the file and faults its pages in (the kernel maps up to 16 pages a fault).
                #expect(first.faults >= 100)
                try await database.writer.write { db in try db.execute(sql: "INSERT INTO filler VALUES (4001, zeroblob(100))") }
                let afterWrite = try scan()
                #expect(afterWrite.bytes == 4000 * 3900 + 100)
                // SQLite alone would unmap at this read's start and fault every page in again.
                #expect(afterWrite.faults < first.faults / 10, "faults: \(first.faults) then \(afterWrite.faults)")
                // The file grows: the rows past the old mapping are read too.
                try await database.writer.write { db in
                    try db.execute(sql: "INSERT INTO filler SELECT id + 5000, body FROM filler WHERE id <= 2000")
                }
                try await database.emptyWAL()
                #expect(try scan().bytes == 6000 * 3900 + 100)
                // … through a mapping of the grown file, never past the end of the old one. (Another
                // reader the pool opened meanwhile, under a loaded suite, may still map the file as it
                // was; none maps past its end. Once, in CI's full suite, no reader mapped the file at
                // all after the growth — read with `pread`, as SQLite does without a mapping: correct,
                // as the bytes above say.)
                let grown = try Self.fileSize(path)
                let mappings = try Self.mappedLengths(of: path)
                #expect(
                    (mappings.isEmpty || mappings.contains(grown)) && mappings.allSatisfy { $0 <= grown },
                    "mapped \(mappings), file \(grown)")
                // The file shrinks under the mapping (VACUUM, then a checkpoint): nothing past its end is read.
                try await database.writer.write { db in try db.execute(sql: "DELETE FROM filler WHERE id > 100") }
                try await database.writer.writeWithoutTransaction { db in try db.execute(sql: "VACUUM") }
                try await database.emptyWAL()
                let size = try Self.fileSize(path)
                #expect(size < 4 << 20)
                #expect(try scan().bytes == 100 * 3900)
                // No mapping reaches past the file's end. (Whether the reader maps the shrunk file anew
                // or reads it with `pread` varies: in the full suite it was once the second — correct
                // either way.)
                let mapped = try Self.mappedLengths(of: path)
                #expect(mapped.allSatisfy { $0 <= size }, "mapped \(mapped), file \(size)")
                try database.close()
            }
        #endif
    }

    #if os(Linux)
        /// Minor page faults of the calling thread so far: `getrusage(RUSAGE_THREAD)` (1 on Linux; glibc
        /// declares the name only for GNU sources, which Swift's import does not see).
        static func minorFaultsOfThisThread() -> Int {
            var usage = rusage()
            getrusage(1, &usage)
            return usage.ru_minflt
        }

        /// The lengths of this process's mappings of the file at `path` (`/proc/self/maps`).
        static func mappedLengths(of path: String) throws -> [Int] {
            try String(contentsOfFile: "/proc/self/maps", encoding: .utf8).split(separator: "\n").compactMap { line in
                guard line.hasSuffix(" " + path), let range = line.split(separator: " ").first else { return nil }
                let bounds = range.split(separator: "-").compactMap { Int($0, radix: 16) }
                return bounds.count == 2 ? bounds[1] - bounds[0] : nil
            }
        }
    #endif

    /// Commits `rows` rows of one page each to `filler` (made on first use), numbered after `first`.
    static func fill(_ database: AppDatabase, rows: Int, after first: Int) async throws {
        try await database.writer.write { db in
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS filler(id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
            try db.execute(
                sql: """
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
                    INSERT INTO filler SELECT ? + i, zeroblob(3900) FROM n
                    """, arguments: [rows, first])
        }
    }

    static func fileSize(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
    }
}
