import Foundation
import Testing

@testable import ServiceDesk

@Suite("Lifecycle: every illegal transition and every forbidden role is refused and changes nothing")
struct LifecycleTests {
    /// Brings a fresh inquiry (one step, at tiep-dan; no deciding step) into `state`.
    static func ticket(in state: Ticket.State, centre: Centre2026) async throws -> String {
        if state == .rejected {
            // Rejection is before acceptance only: an incomplete intake never completed.
            let code = try await centre.intake("HD-TTHC", outcome: "incomplete", missing: ["Giấy chứng sinh"]).receipt.code
            try await centre.act(.reject, code, by: "lan.mc", ActionRequest(note: "sai thẩm quyền"))
            return code
        }
        if state == .new {
            // A dossier a portal submits waits for reception.
            return try await OnlineReceptionTests.submit(centre).receipt.code
        }
        let code = try await centre.intake("HD-TTHC").receipt.code
        switch state {
        case .new, .queued: break
        case .inProgress: try await centre.act(.claim, code, by: "hoa.pa")
        case .awaitingCitizen: try await centre.act(.requestSupplement, code, by: "lan.mc", ActionRequest(missing: ["Giấy chứng sinh"]))
        case .resolved, .returned:
            try await centre.act(.claim, code, by: "hoa.pa")
            try await centre.act(.resolve, code, by: "hoa.pa", ActionRequest(note: "không đủ điều kiện", outcome: "refused"))
            if state == .returned { try await centre.act(.return, code, by: "lan.mc") }
        case .rejected: break
        case .withdrawn: try await centre.act(.withdraw, code, by: "lan.mc")
        }
        return code
    }

    @Test("actions outside their from-states are 409 naming the state and the allowed actions", arguments: Ticket.State.allCases)
    func illegalTransitions(state: Ticket.State) async throws {
        let centre = try await Centre2026()
        let code = try await Self.ticket(in: state, centre: centre)
        let before = try await centre.database.ticket(code, viewer: try await centre.staff("admin")).ticket
        #expect(before.state == state)
        for action in TicketAction.allCases where !Lifecycle.fromStates(action).contains(state) {
            do {
                // The admin may attempt every action: only the state can refuse it.
                try await centre.act(action, code, by: "admin", ActionRequest(note: "x", outcome: "granted", rating: "satisfied"))
                Issue.record("\(action) from \(state) was accepted")
            } catch DeskError.illegalTransition(let name, let current, let allowed) {
                #expect(name == action.rawValue && current == state.rawValue)
                #expect(allowed == Lifecycle.allowedActions(from: state).map(\.rawValue))
            }
        }
        let after = try await centre.database.ticket(code, viewer: try await centre.staff("admin")).ticket
        #expect(after == before)
    }

    @Test("roles outside an action's roles are 403 in a state where the action applies", arguments: TicketAction.allCases)
    func forbiddenRoles(action: TicketAction) async throws {
        let centre = try await Centre2026()
        let state = Lifecycle.fromStates(action).sorted { $0.rawValue < $1.rawValue }.first!
        let code = try await Self.ticket(in: state, centre: centre)
        let people: [Role: String] = [
            .supervisor: "giamsat", .officer: "lan.mc", .handler: "hoa.pa", .integration: "cong.tt", .kiosk: "kiosk-1",
        ]
        let before = try await centre.database.ticket(code, viewer: try await centre.staff("admin")).ticket
        for (role, username) in people where !Lifecycle.roles(action).contains(role) {
            await #expect(throws: DeskError.self, "\(role) may not \(action)") {
                try await centre.act(action, code, by: username, ActionRequest(note: "x", outcome: "granted", rating: "satisfied"))
            }
        }
        let after = try await centre.database.ticket(code, viewer: try await centre.staff("admin")).ticket
        #expect(after == before)
        #expect(try centre.database.verifyEventChain().intact)
    }
}
