import Foundation

/// The status numbers the National Public Service Portal synchronises (1 new online submission …
/// 10 result returned): one definition for the ticket's view and the synchronisation feed.
public enum PortalStatus {
    public static func of(_ state: Ticket.State, awaiting: Ticket.AwaitingReason?) -> Int {
        switch state {
        case .new: 1
        case .queued: 2
        case .inProgress: 4
        case .awaitingCitizen: awaiting == .payment ? 6 : 5
        case .resolved: 9
        case .returned: 10
        case .rejected: 3
        case .withdrawn: 7
        }
    }

    /// `of` as an SQL expression over the ticket alias `t`, for reports; a test holds the two to
    /// the same answers.
    public static let sql = """
        (CASE t.state WHEN 'new' THEN 1 WHEN 'queued' THEN 2 WHEN 'in-progress' THEN 4
            WHEN 'awaiting-citizen' THEN (CASE t.awaiting_reason WHEN 'payment' THEN 6 ELSE 5 END)
            WHEN 'resolved' THEN 9 WHEN 'returned' THEN 10 WHEN 'rejected' THEN 3 WHEN 'withdrawn' THEN 7 END)
        """

    /// The portal's name of a status.
    public static func name(_ status: Int) -> String {
        switch status {
        case 1: "Mới đăng ký"
        case 2: "Được tiếp nhận"
        case 3: "Không được tiếp nhận"
        case 4: "Đang xử lý"
        case 5: "Yêu cầu bổ sung giấy tờ"
        case 6: "Yêu cầu thực hiện nghĩa vụ tài chính"
        case 7: "Công dân yêu cầu rút hồ sơ"
        case 8: "Dừng xử lý"
        case 9: "Đã xử lý xong"
        case 10: "Đã trả kết quả"
        default: "?"
        }
    }

    /// The portal status a ticket event leaves the dossier in, when the event changed its state
    /// (an intake always does); nil otherwise. From the event's `to` state and, for a wait, the
    /// kind the event that began it names.
    public static func after(action: String, detail: [String: String]) -> Int? {
        guard let to = detail["to"].flatMap(Ticket.State.init) else { return nil }
        if action != "ticket.intake" {
            guard let from = detail["from"].flatMap(Ticket.State.init), from != to else { return nil }
        }
        let wait: Ticket.AwaitingReason? =
            action == "ticket.request-supplement" ? Ticket.AwaitingReason(rawValue: detail["kind"] ?? "supplement") : .supplement
        return of(to, awaiting: to == .awaitingCitizen ? wait : nil)
    }
}

/// One change of a dossier's portal status, as the portal's connector reads it
/// (`GET /api/v1/sync/portal`): the feed entry's id is the audit event's.
public struct PortalStatusChange: Codable, Equatable, Sendable {
    public var id: Int64
    public var code: String
    /// The procedure's code and the catalogue version the dossier was received under.
    public var procedure: String
    public var procedureVersion: Int
    /// The centre's agency code (mã định danh).
    public var agency: String
    public var status: Int
    public var statusName: String
    public var at: Date
    public var receivedAt: Date
    public var dueAt: Date?
    /// The result, once there is one: granted, answered or refused.
    public var result: Ticket.Outcome?
    /// The portal's own code and reference of a dossier filed through it.
    public var portalCode: String?
    public var portalReference: String?
}

/// A page of the feed: the changes after the cursor, and the cursor to ask from next.
public struct PortalFeed: Codable, Equatable, Sendable {
    public var items: [PortalStatusChange]
    /// The last event id read (pass it as `after`); the same as asked when nothing is new.
    public var next: Int64
}

/// What the connector says it stored: a feed entry (its id) and the status it holds for it.
public struct PortalAck: Codable, Sendable {
    public var id: Int64
    public var status: Int

    public init(id: Int64, status: Int) {
        self.id = id
        self.status = status
    }
}

/// A dossier whose status at the portal (as acknowledged) is not ours.
public struct PortalDifference: Codable, Equatable, Sendable {
    public var code: String
    public var ours: Int
    /// Nil: the portal never acknowledged any status of it.
    public var acknowledged: Int?
    public var acknowledgedEvent: Int64?
    /// The feed entry that carries our status.
    public var lastEvent: Int64
}
