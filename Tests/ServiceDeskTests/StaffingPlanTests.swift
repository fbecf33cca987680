import Foundation
import Testing

@testable import ServiceDesk

@Suite("Staffing: careers, quotas and the staffing plan")
struct StaffingPlanTests {
    static func day(_ text: String) -> LocalDate { LocalDate(text)! }

    @Test("the plan's figures, computed by hand on a fixture")
    func byHand() {
        // Twenty working days, 480 minutes each: 9,600 minutes per FTE, 8,160 available at 0.85.
        let days = (0..<20).map { Self.day("2026-11-02").adding(days: $0) }
        let today = Self.day("2026-11-30")
        let people = [
            Staff(username: "a", name: "A", role: .officer, department: "mot-cua", employment: .civilServant),
            Staff(
                username: "b", name: "B", role: .officer, department: "mot-cua", employment: .contract,
                career: Career(activeFrom: days[10])),  // 10 of 20 days
            Staff(
                username: "c", name: "C", role: .handler, department: "tu-phap", employment: .civilServant,
                career: Career(leftOn: days[5])),  // 5 of 20 days, gone at the end
            Staff(
                username: "d", name: "D", role: .handler, department: "tu-phap", employment: .civilServant,
                career: Career(secondedFrom: Self.day("2025-12-30"), secondedUntil: Self.day("2026-12-29"))),
        ]
        let quotas = [
            Quota(id: 1, department: "mot-cua", category: .civilServant, headcount: 2, decision: "QĐ 1", validFrom: Self.day("2026-01-01")),
            Quota(id: 2, department: "tu-phap", category: .civilServant, headcount: 3, decision: "QĐ 2", validFrom: Self.day("2026-01-01")),
        ]
        let work = ["mot-cua": 6_560, "tu-phap": 16_320, "so-nnmt": 4_080]
        // The one-stop hall, 10 citizens an hour at 6 minutes each in one hour of the day: 1
        // erlang, 1.5 with the growth. One counter cannot keep a queue at all; two call
        // 1 − C(2, 1.5) · e^(−0.5 · 15/6) = 1 − 0.6429 × 0.2865 = 81.6 % within 15 minutes ≥ 80 %:
        // 2 counters × 60 minutes × 20 days = 2,400 counter minutes (the service alone is 1,800).
        let hall = ["mot-cua": [HallHour(hour: 8, arrivalsPerDay: 10, serviceMinutes: 6)]]
        #expect(HallHour.counterMinutes(hall["mot-cua"]!, growth: 1.5, target: WaitTarget(), workingDays: 20) == 2_400)
        // A target of 95 % within 2 minutes needs a third counter: C(3, 1.5) = 0.2368,
        // 1 − 0.2368 × e^(−1.5 · 2/6) = 85.6 % with three, 96.6 % with four.
        #expect(
            HallHour.counterMinutes(hall["mot-cua"]!, growth: 1.5, target: WaitTarget(minutes: 2, share: 0.95), workingDays: 20)
                == 4 * 60 * 20)
        let plan = StaffingPlan.compute(
            quotas: quotas, people: people, work: work, hall: hall, workingDays: days, minutesPerFTE: 9_600, growth: 1.5, today: today,
            mode: .administrativeBody)
        func line(_ department: String, _ category: Employment) -> StaffingPlan? {
            plan.first { $0.department == department && $0.category == category }
        }
        let counter = line("mot-cua", .civilServant)
        #expect(counter?.quota == 2 && counter?.headcount == 1 && counter?.vacancies == 1 && counter?.fte == 1)
        // (6,560 × 1.5 + 2,400) ÷ 8,160 = 1.5 FTE, shared 1 : 0.5 by FTE.
        #expect(counter?.neededFTE == 1 && counter?.surplus == 0 && counter?.workMinutes == 6_560 && counter?.counterMinutes == 2_400)
        let contract = line("mot-cua", .contract)
        #expect(contract?.quota == 0 && contract?.headcount == 1 && contract?.vacancies == -1 && contract?.fte == 0.5)
        #expect(contract?.neededFTE == 0.5 && contract?.wording == "hợp đồng lao động (Nghị định 111/2022/NĐ-CP)")
        let civil = line("tu-phap", .civilServant)
        // C left after 5 of 20 days (0.25), D all of them: 1.25 FTE, one person at the end; 16,320 × 1.5 ÷ 8,160 = 3.
        #expect(civil?.headcount == 1 && civil?.fte == 1.25 && civil?.neededFTE == 3 && civil?.surplus == -1.75)
        #expect(civil?.secondmentsEndingSoon == 1 && civil?.wording == "biên chế công chức")
        // Work without people: all to the mode's own category.
        let nobody = line("so-nnmt", .civilServant)
        #expect(nobody?.headcount == 0 && nobody?.fte == 0 && nobody?.neededFTE == 0.75 && nobody?.surplus == -0.75)
        #expect(plan.count == 4)
        // In public-service-unit mode the same categories are worded as that mode calls them.
        let unit = StaffingPlan.compute(
            quotas: quotas, people: people, work: [:], workingDays: days, minutesPerFTE: 9_600, growth: 1, today: today,
            mode: .publicServiceUnit)
        #expect(unit.first { $0.category == .civilServant }?.wording == "công chức (cơ quan khác cử đến)")
    }

    @Test("a tour at the desk lasts 12 to 36 months; dates that do not fit together are a 409, a bad date a 422")
    func careers() async throws {
        let centre = try await Centre2026()
        func create(_ username: String, _ career: CareerDraft) async throws -> Staff {
            try await centre.database.createStaff(
                StaffDraft(
                    username: username, name: username, role: "officer", department: "mot-cua", employment: "civil-servant", career: career),
                actor: "admin")
        }
        let kept = try await create(
            "tour12",
            CareerDraft(homeAgency: "Sở Tư pháp", secondedFrom: "2026-01-01", secondedUntil: "2026-12-31", activeFrom: "2026-01-01"))
        #expect(kept.career.secondedUntil == Self.day("2026-12-31") && kept.career.homeAgency == "Sở Tư pháp")
        #expect(try await centre.database.staff("tour12").career == kept.career)
        _ = try await create("tour36", CareerDraft(secondedFrom: "2026-01-01", secondedUntil: "2028-12-31"))
        for (name, career) in [
            ("short", CareerDraft(secondedFrom: "2026-01-01", secondedUntil: "2026-12-30")),
            ("long", CareerDraft(secondedFrom: "2026-01-01", secondedUntil: "2029-01-01")),
            ("oneend", CareerDraft(secondedFrom: "2026-01-01")),
            ("backwards", CareerDraft(activeFrom: "2026-05-01", leftOn: "2026-04-01")),
        ] {
            await #expect(throws: DeskError.self, "\(name)") {
                do { _ = try await create(name, career) } catch let error as DeskError {
                    if case .inconsistent = error { throw error }
                    Issue.record("\(name): \(error) is not a 409")
                }
            }
        }
        await #expect(throws: DeskError.validation([FieldError("career.leftOn", "must be a date YYYY-MM-DD")])) {
            _ = try await create("baddate", CareerDraft(leftOn: "2026-02-30"))
        }
        // The named backup is another person on the staff.
        let backed = try await create("backed", CareerDraft(backup: "tour12"))
        let stored = try await centre.database.staff("backed")
        #expect(backed.career.backup == "tour12" && stored.career.backup == "tour12")
        for (backup, reason) in [
            ("nobody", "no staff member 'nobody'"), ("backed", "a member cannot be their own backup"),
            ("cong.tt", "'cong.tt' is a machine account (role integration), not a person"),
        ] {
            await #expect(throws: DeskError.inconsistent([FieldError("career.backup", reason)])) {
                _ = try await centre.database.updateStaff("backed", StaffPatch(career: CareerDraft(backup: backup)), actor: "admin")
            }
        }
        await #expect(throws: DeskError.validation([FieldError("career.backup", "must be a staff member's username")])) {
            _ = try await create("badbackup", CareerDraft(backup: "Not A Name"))
        }
        // Leaving keeps the record.
        let left = try await centre.database.updateStaff(
            "tour12",
            StaffPatch(active: false, career: CareerDraft(homeAgency: "Sở Tư pháp", activeFrom: "2026-01-01", leftOn: "2026-11-16")),
            actor: "admin")
        #expect(!left.active && left.career.leftOn == Self.day("2026-11-16") && left.career.secondedFrom == nil)
    }

    @Test("quotas are recorded, ended, never deleted; the plan counts the lines valid at the period's end and the people then")
    func plan() async throws {
        let centre = try await Centre2026()
        let first = try await centre.database.createQuota(
            QuotaDraft(
                department: "mot-cua", category: "civil-servant", headcount: 4, decision: "Quyết định 12/QĐ-UBND", validFrom: "2026-01-01"),
            actor: "admin")
        _ = try await centre.database.endQuota(first.id, validUntil: Self.day("2026-10-31"), actor: "admin")
        _ = try await centre.database.createQuota(
            QuotaDraft(
                department: "mot-cua", category: "civil-servant", headcount: 3, decision: "Quyết định 98/QĐ-UBND", validFrom: "2026-11-01"),
            actor: "admin")
        await #expect(throws: DeskError.self) {
            try await centre.database.createQuota(
                QuotaDraft(department: "nowhere", category: "contract", headcount: 1, decision: "QĐ", validFrom: "2026-01-01"),
                actor: "admin")
        }
        let all = try await centre.database.quotas()
        let inForce = try await centre.database.quotas(validOn: Self.day("2026-11-15"))
        #expect(all.count == 2 && inForce.count == 1 && inForce.first?.headcount == 3)
        let table = try await centre.database.report(.staffingPlan, ReportRequest(period: ReportPeriod(period: "2026-11")))
        // A plan covers at most a year: a far end is refused at once, not walked (found by the contract).
        await #expect(throws: DeskError.inconsistent([FieldError("to", "a staffing plan covers at most a year (366 days)")])) {
            try await centre.database.staffingPlan(period: ReportPeriod(from: Self.day("2026-12-15"), to: Self.day("9891-02-11")))
        }
        #expect(table.columns.prefix(3) == ["group", "name", "category"])
        let row = try #require(table.rows.first { $0["group"] == .text("mot-cua") && $0["category"] == .text("civil-servant") })
        // The example's Nguyễn Thị Lan and the test centre's thu.mc: two civil servants at the one-stop desk.
        #expect(row["quota"] == .int(3) && row["headcount"] == .int(2) && row["vacancies"] == .int(1))
        #expect(row["wording"] == .text("biên chế công chức") && row["name"] != .null)
    }

    @Test("a mode dry run with staffing names who changes category, who leaves a deciding step, the quota lines and fees; nothing changes")
    func modeImpact() async throws {
        let centre = try await Centre2026()
        _ = try await centre.database.createQuota(
            QuotaDraft(department: "mot-cua", category: "civil-servant", headcount: 3, decision: "QĐ 98/QĐ-UBND", validFrom: "2026-01-01"),
            actor: "admin")
        let result = try await centre.database.changeMode(
            ModeChangeRequest(mode: "public-service-unit", dryRun: true, autonomyGroup: 2, staffing: true), actor: "admin")
        let impact = try #require(result.staffing)
        // Civil servants of internal departments become public employees (or contract staff).
        #expect(
            impact.people.filter { $0.action == "change-category" }.map(\.username) == ["hung.tp", "lan.mc", "thu.mc"]
                && impact.people.allSatisfy { $0.action != "change-category" || $0.becomes == .publicEmployee })
        // The justice department decides without a legal basis making a unit competent: its
        // handlers leave the deciding step of its three procedures (birth, marriage, certification).
        let leaving = impact.people.filter { $0.action == "leave-deciding-step" }
        #expect(leaving.map(\.username) == ["hung.tp", "tuan.tp"] && leaving.first?.services == ["1.000894", "1.001193", "2.000815"])
        #expect(
            impact.quotaLines.map(\.reissuedAs) == [.publicEmployee]
                && impact.quotaLines.first?.wording == "số lượng người làm việc (viên chức)")
        // The phí of certification and of the land procedure (to the budget) may be retained by a
        // unit; the lệ phí stay the budget's.
        #expect(Set(impact.fees.map(\.service)) == ["1.004227", "2.000815"] && impact.fees.allSatisfy { $0.kind == .phi })
        // A dry run changes nothing.
        #expect(try await centre.database.centre().mode == .administrativeBody && !result.changed)
        let without = try await centre.database.changeMode(
            ModeChangeRequest(mode: "public-service-unit", dryRun: true, autonomyGroup: 2), actor: "admin")
        #expect(without.staffing == nil && without.conflicts == result.conflicts)
    }

    @Test("the hall's counters needed come from the numbers issued and served at a department's counters, by Erlang C")
    func hallNeed() async throws {
        let centre = try await Centre2026(at: "2026-11-02 08:00")
        _ = try await centre.database.createCounter(
            CounterDraft(number: 1, name: "Quầy 1", department: "mot-cua", services: ["1.001193"], open: true), actor: "admin")
        _ = try await centre.database.updateCounter(1, CounterPatch(officer: .set("lan.mc")), actor: "lan.mc")
        let officer = try await centre.staff("lan.mc")
        // Monday 2 November, 08:00: ten citizens take a number; each is served in 6 minutes.
        for _ in 0..<10 {
            _ = try await centre.database.issueNumber(IssueRequest(service: "1.001193"), actor: "kiosk-1")
        }
        let at = { (minutes: Int) in String(format: "2026-11-02 %02d:%02d", 8 + minutes / 60, minutes % 60) }
        for index in 0..<10 {
            centre.clock.set(at(index * 6))
            let called = try #require(try await centre.database.callNext(counter: 1, actor: officer))
            _ = try await centre.database.act(.start, on: called.id, QueueActionRequest(), actor: officer)
            centre.clock.set(at(index * 6 + 6))
            _ = try await centre.database.act(.finish, on: called.id, QueueActionRequest(), actor: officer)
        }
        // One day with a hall: 10 arrivals in the 08 hour at 6 minutes = 1 erlang; two counters
        // call 97 % within 15 minutes. 2 counters × 60 minutes × the 21 working days of November.
        func counterMinutes(_ request: ReportRequest) async throws -> ReportValue? {
            let table = try await centre.database.report(.staffingPlan, request)
            return table.rows.first { $0["group"] == .text("mot-cua") && $0["category"] == .text("civil-servant") }?["counterMinutes"]
        }
        let period = ReportPeriod(period: "2026-11")
        #expect(try await counterMinutes(ReportRequest(period: period)) == .int(2 * 60 * 21))
        // 98 % within one minute: C(3, 1) = 0.0909, 1 − 0.0909 × e^(−2/6) = 93.5 %; four counters
        // 1 − 0.0204 × e^(−3/6) = 98.8 %.
        #expect(try await counterMinutes(ReportRequest(period: period, targetWaitMinutes: 1, targetShare: 0.98)) == .int(4 * 60 * 21))
    }

    @Test("two restructuring scenarios are stored, compared side by side, and the live configuration stays as it was")
    func scenarios() async throws {
        let centre = try await Centre2026()
        _ = try await centre.database.createQuota(
            QuotaDraft(department: "mot-cua", category: "civil-servant", headcount: 3, decision: "QĐ 98", validFrom: "2026-01-01"),
            actor: "admin")
        let before = try await centre.database.staffingPlan(period: ReportPeriod(period: "2026-11")!)
        let staffBefore = try await centre.database.staffList(page: try PageRequest(limit: 500)).items
        // The one-stop desk has lan.mc and thu.mc (civil servants); justice has hung.tp.
        let move = try await centre.database.createScenario(
            ScenarioRequest(
                name: "dồn về một cửa", period: "2026-11",
                moves: [.init(from: "tu-phap", to: "mot-cua", category: .civilServant, count: 1)],
                quotaChanges: [.init(department: "mot-cua", category: .civilServant, delta: 1)]),
            actor: "giamsat")
        func line(_ plan: ReportTable, _ group: String) -> [String: ReportValue]? {
            plan.rows.first { $0["group"] == .text(group) && $0["category"] == .text("civil-servant") }
        }
        #expect(line(move.plan, "mot-cua")?["headcount"] == .int(3) && line(move.plan, "mot-cua")?["quota"] == .int(4))
        // Justice keeps no civil servant (no line: no quota, nobody, no work there this month).
        #expect((line(move.plan, "tu-phap")?["headcount"] ?? .int(0)) == .int(0))
        let cut = try await centre.database.createScenario(
            ScenarioRequest(
                name: "tinh giản", period: "2026-11", quotaChanges: [.init(department: "mot-cua", category: .civilServant, delta: -1)]),
            actor: "giamsat")
        #expect(line(cut.plan, "mot-cua")?["quota"] == .int(2) && line(cut.plan, "mot-cua")?["headcount"] == .int(2))
        let compared = try await centre.database.compareScenarios("dồn về một cửa", "tinh giản")
        let row = try #require(compared.rows.first { $0["group"] == .text("mot-cua") && $0["category"] == .text("civil-servant") })
        #expect(row["quotaA"] == .int(4) && row["quotaB"] == .int(2) && row["headcountA"] == .int(3) && row["headcountB"] == .int(2))
        #expect(try await centre.database.scenarios().map(\.name).sorted() == ["dồn về một cửa", "tinh giản"])
        // Refused: a name used, more people than there are, a quota below zero, a department that does not exist.
        for (request, expected) in [
            (ScenarioRequest(name: "tinh giản", period: "2026-11"), "duplicate"),
            (
                ScenarioRequest(name: "b", period: "2026-11", moves: [.init(from: "tu-phap", to: nil, category: .civilServant, count: 5)]),
                "inconsistent"
            ),
            (
                ScenarioRequest(
                    name: "c", period: "2026-11", quotaChanges: [.init(department: "mot-cua", category: .civilServant, delta: -4)]),
                "inconsistent"
            ),
            (
                ScenarioRequest(name: "d", period: "2026-11", moves: [.init(from: "nowhere", to: nil, category: .contract, count: 1)]),
                "inconsistent"
            ),
        ] {
            do {
                _ = try await centre.database.createScenario(request, actor: "giamsat")
                Issue.record("\(request.name) was accepted")
            } catch let error as DeskError {
                switch (error, expected) {
                case (.duplicate, "duplicate"), (.inconsistent, "inconsistent"): break
                default: Issue.record("\(request.name): \(error)")
                }
            }
        }
        // Nothing live changed.
        #expect(try await centre.database.staffingPlan(period: ReportPeriod(period: "2026-11")!) == before)
        let staffAfter = try await centre.database.staffList(page: try PageRequest(limit: 500)).items
        #expect(staffAfter == staffBefore)
        #expect(try await centre.database.quotas().count == 1)
    }
}
