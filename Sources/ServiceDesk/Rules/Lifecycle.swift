/// The ticket state machine of SPEC §2, as data: which action applies in which state and
/// which roles may attempt it. Rules that need more than the state (the holder, the
/// department, the deciding step) are in `TicketRules`.
public enum Lifecycle {
    /// The states each action may start from.
    public static func fromStates(_ action: TicketAction) -> Set<Ticket.State> {
        switch action {
        case .claim: [.queued]
        case .transfer: [.inProgress]
        case .requestSupplement: [.new, .queued, .inProgress]
        case .supplementReceived: [.awaitingCitizen]
        // A dossier accepted and then left waiting on the citizen is refused by a resolution
        // (Decree 61/2018 art. 19(8)), never by a rejection.
        case .resolve: [.inProgress, .awaitingCitizen]
        case .return: [.resolved]
        // Rejection is before acceptance only: an incomplete intake never completed (and, with
        // online reception, a new submission).
        case .reject: [.new, .awaitingCitizen]
        case .withdraw: Ticket.State.open
        case .apologise: Ticket.State.open
        case .rate: [.returned]
        case .note: Set(Ticket.State.allCases)
        case .reassign: [.inProgress]
        case .progress: [.queued, .inProgress]
        case .classify, .redirect, .merge: Ticket.State.open
        case .forward, .accept, .sendBack: [.queued, .inProgress]
        case .reopen: [.resolved, .returned]
        // Paid at intake, while waiting for a payment, during handling, or when collecting the result.
        case .pay, .exempt: Ticket.State.open.union([.resolved])
        case .receive: [.new]
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
        case .progress: [.handler, .officer, .supervisor, .admin]
        case .classify, .forward, .redirect, .merge: [.officer, .supervisor, .admin]
        // A handler answers for its own department; the centre's staff record an outside agency's answer.
        case .accept, .sendBack: [.handler, .officer, .supervisor, .admin]
        // The citizen, through a counter officer, the hotline or the portal that filed it.
        case .reopen: [.officer, .integration, .supervisor, .admin]
        // The cashier at the counter; a portal or payment gateway records an online payment.
        case .pay: [.officer, .integration, .supervisor, .admin]
        case .exempt: [.officer, .supervisor, .admin]
        case .receive: [.officer, .supervisor, .admin]
        }
    }

    /// The actions possible from a state, in a stable order (for the 409 answer).
    public static func allowedActions(from state: Ticket.State) -> [TicketAction] {
        TicketAction.allCases.filter { fromStates($0).contains(state) }
    }
}

/// Who may do what outside a ticket's own actions (SPEC §1 roles): one definition, read by
/// `deskd`'s routes and by the storage use cases alike.
public enum Permissions {
    /// Intake: the counter, portals and apps, supervisors.
    public static let intake: Set<Role> = [.officer, .integration, .supervisor, .admin]
    /// The channels an intake through `/api/v1` may name, by role: staff key in what came by any
    /// channel; a portal or an app (integration) files online requests. `open311` belongs to
    /// `/open311/v2` alone — what it publishes must have come in through it (SPEC §8).
    public static func intakeChannels(for role: Role) -> Set<Ticket.Channel> {
        switch role {
        case .officer, .supervisor, .admin: [.counter, .hotline, .web, .mobile, .post, .email]
        case .integration: [.web, .mobile, .email]
        case .handler, .kiosk, .display: []
        }
    }

    /// The channel of an intake that names none.
    public static func defaultChannel(for role: Role) -> Ticket.Channel {
        role == .integration ? .web : .counter
    }

    /// Reading tickets and the configuration (each ticket further filtered by `canSee`).
    public static let readers: Set<Role> = [.admin, .supervisor, .officer, .handler, .integration]
    /// Department work queues.
    public static let queueReaders: Set<Role> = [.admin, .supervisor, .officer, .handler]
    /// Counter work in the hall: open and close counters, call numbers.
    public static let counterStaff: Set<Role> = [.officer, .supervisor, .admin]
    /// Issuing walk-in numbers.
    public static let numberIssuers: Set<Role> = [.kiosk, .officer, .supervisor, .admin]
    /// The hall display feed.
    public static let display: Set<Role> = [.display, .supervisor, .admin]

    /// Whether `viewer` may see a ticket: staff of the counter and supervisors every ticket, a
    /// handler their department's (or one its department was asked to act on: `askedOf`, the
    /// bodies that still have the item), an integration what it created. Nil: the role may see
    /// no ticket at all (403); false: this one is hidden (404, no existence leak).
    public static func canSee(_ ticket: Ticket, viewer: Staff, askedOf: Set<String> = []) -> Bool? {
        switch viewer.role {
        case .admin, .supervisor, .officer: true
        case .handler:
            (ticket.department != nil && ticket.department == viewer.department) || viewer.department.map(askedOf.contains) == true
        case .integration: ticket.createdBy == viewer.username
        case .kiosk, .display: nil
        }
    }

    /// Supervisors and admins act on any ticket; a handler only on what they hold; an officer
    /// also asks for and receives supplements at the counter.
    static func requireHolder(_ ticket: Ticket, _ actor: Staff, _ action: TicketAction) throws(DeskError) {
        if [.supervisor, .admin].contains(actor.role) { return }
        if actor.role == .officer && [.requestSupplement, .supplementReceived].contains(action) { return }
        guard ticket.holder == actor.username else {
            throw DeskError.forbidden("only the holder (\(ticket.holder ?? "nobody")) or a supervisor may \(action.rawValue) this ticket")
        }
    }
}
