/// The ticket state machine of SPEC §2, as data: which action applies in which state and
/// which roles may attempt it. Rules that need more than the state (the holder, the
/// department, the deciding step) are checked by the use case.
public enum Lifecycle {
    /// The states each action may start from.
    public static func fromStates(_ action: TicketAction) -> Set<Ticket.State> {
        switch action {
        case .claim: [.queued]
        case .transfer: [.inProgress]
        case .requestSupplement: [.queued, .inProgress]
        case .supplementReceived: [.awaitingCitizen]
        case .resolve: [.inProgress]
        case .return: [.resolved]
        case .reject: [.queued, .awaitingCitizen]
        case .withdraw: [.queued, .inProgress, .awaitingCitizen]
        case .apologise: [.queued, .inProgress, .awaitingCitizen]
        case .rate: [.returned]
        case .note: Set(Ticket.State.allCases)
        case .reassign: [.inProgress]
        }
    }

    /// The roles that may attempt each action (admin may do everything a supervisor may).
    public static func roles(_ action: TicketAction) -> Set<Role> {
        switch action {
        case .claim, .transfer, .resolve: [.handler, .supervisor, .admin]
        case .requestSupplement, .supplementReceived: [.handler, .officer, .supervisor, .admin]
        case .return, .reject, .withdraw: [.officer, .supervisor, .admin]
        case .apologise, .reassign: [.supervisor, .admin]
        case .rate: [.officer, .integration, .supervisor, .admin]
        case .note: [.officer, .handler, .integration, .supervisor, .admin]
        }
    }

    /// The actions possible from a state, in a stable order (for the 409 answer).
    public static func allowedActions(from state: Ticket.State) -> [TicketAction] {
        TicketAction.allCases.filter { fromStates($0).contains(state) }
    }
}
