import Crypto
import Foundation

/// What a citizen is told about their dossier or feedback, and when: Decree 61/2018 art. 19(9)
/// and 20 (and Decree 118/2025, which replaces it) oblige the centre to tell a citizen that a
/// dossier was received, that it must be supplemented, that it is late with a new date and an
/// apology, that it was stopped or refused, and that its result is ready.
public enum NoticeKind: String, Codable, CaseIterable, Sendable {
    case received
    case supplementRequested = "supplement-requested"
    case apology
    case refused
    case stopped
    case resultReady = "result-ready"
    /// The answer to feedback, an inquiry or a complaint (no result to collect).
    case resolved
    /// The responsible department's progress, and the day it commits to finish by.
    case progress
    /// Feedback forwarded to the body that must act (named in the reason).
    case forwarded
    /// A complaint or denunciation: the guidance and the competent body.
    case redirected
    /// Reopened at the citizen's request, with the new due moment.
    case reopened
    /// A duplicate merged into another item (named in the reason), followed from then on.
    case merged

    /// The notice an intake gives: received, to be supplemented, or refused (form 03); none for
    /// a dossier submitted online (the portal tells its citizen; `receive` tells received).
    public static func intake(_ outcome: IntakeRequest.Outcome) -> NoticeKind? {
        switch outcome {
        case .accepted: .received
        case .incomplete: .supplementRequested
        case .refused: .refused
        case .submitted: nil
        }
    }

    /// The notice an action's change gives, if any. A supplement received tells the citizen
    /// only when it completes an incomplete intake (the dossier is then received); notes,
    /// claims, transfers, returns and ratings tell nothing.
    public static func after(_ action: TicketAction, _ change: TicketChange, serviceKind: Service.Kind) -> NoticeKind? {
        switch action {
        case .requestSupplement: .supplementRequested
        case .supplementReceived: change.original.countingStartAt == nil && change.ticket.countingStartAt != nil ? .received : nil
        case .apologise: .apology
        case .reject, .withdraw: .stopped
        case .resolve: serviceKind == .procedure ? .resultReady : .resolved
        case .progress: .progress
        case .forward: .forwarded
        case .redirect: .redirected
        case .reopen: .reopened
        case .merge: .merged
        case .receive: .received
        case .claim, .transfer, .return, .rate, .note, .reassign, .classify, .accept, .sendBack, .pay, .exempt: nil
        }
    }
}

/// The channels a centre's gateways carry.
public enum NoticeChannel: String, Codable, CaseIterable, Sendable {
    case sms, email, zalo

    /// The applicant's address on this channel: a phone number for SMS and Zalo, an e-mail
    /// address for e-mail; nil when the citizen gave none.
    public func recipient(phone: String?, email: String?) -> String? {
        switch self {
        case .sms, .zalo: phone
        case .email: email
        }
    }
}

/// The facts one message tells — values, no I/O.
public struct NoticeFacts: Equatable, Sendable {
    public var kind: NoticeKind
    public var code: String
    public var serviceName: String
    public var applicantName: String
    public var centreName: String
    /// The moment the appointment (or the new one) falls, in the centre's words.
    public var due: String?
    /// Why: the missing items, a refusal's reasons, an apology's reason, a stop's reason.
    public var reason: String?

    public init(
        kind: NoticeKind, code: String, serviceName: String, applicantName: String, centreName: String, due: String? = nil,
        reason: String? = nil
    ) {
        self.kind = kind
        self.code = code
        self.serviceName = serviceName
        self.applicantName = applicantName
        self.centreName = centreName
        self.due = due
        self.reason = reason
    }
}

/// A message as a channel carries it.
public struct RenderedMessage: Equatable, Sendable {
    public var subject: String?
    public var text: String
}

/// The message templates, in Vietnamese, per channel: SMS short and without diacritics (an
/// unaccented SMS carries 160 characters, an accented one 70), Zalo a few lines, e-mail a letter
/// with a subject.
public enum MessageTemplates {
    public static func render(_ facts: NoticeFacts, channel: NoticeChannel) -> RenderedMessage {
        switch channel {
        case .sms: RenderedMessage(subject: nil, text: sms(facts))
        case .zalo: RenderedMessage(subject: nil, text: zalo(facts))
        case .email: RenderedMessage(subject: subject(facts), text: letter(facts))
        }
    }

    /// The one sentence every channel says.
    static func sentence(_ f: NoticeFacts) -> String {
        switch f.kind {
        case .received:
            "Hồ sơ \(f.code) đã được tiếp nhận" + (f.due.map { "; hẹn trả kết quả \($0)" } ?? "") + "."
        case .supplementRequested:
            "Hồ sơ \(f.code) cần bổ sung, hoàn thiện" + (f.reason.map { ": \($0)" } ?? "") + "."
        case .apology:
            "Hồ sơ \(f.code) bị chậm so với hẹn; \(f.centreName) xin lỗi ông/bà" + (f.due.map { ", hẹn lại \($0)" } ?? "") + "."
        case .refused:
            "Hồ sơ \(f.code) không được tiếp nhận" + (f.reason.map { ": \($0)" } ?? "") + "."
        case .stopped:
            "Hồ sơ \(f.code) đã dừng xử lý" + (f.reason.map { ": \($0)" } ?? "") + "."
        case .resultReady:
            "Hồ sơ \(f.code) đã có kết quả; mời ông/bà đến nhận hoặc nhận theo hình thức đã đăng ký."
        case .resolved:
            "Yêu cầu \(f.code) đã được trả lời" + (f.reason.map { ": \($0)" } ?? "") + "."
        case .progress:
            "Tiến độ xử lý \(f.code)" + (f.reason.map { ": \($0)" } ?? "") + (f.due.map { "; dự kiến hoàn thành ngày \($0)" } ?? "") + "."
        case .forwarded:
            "Phản ánh \(f.code) đã được chuyển đến \(f.reason ?? "cơ quan có thẩm quyền") để xử lý."
        case .redirected:
            "Nội dung \(f.code) là khiếu nại, tố cáo, không thuộc phạm vi tiếp nhận phản ánh, kiến nghị; hướng dẫn"
                + (f.reason.map { ": \($0)" } ?? "") + "."
        case .reopened:
            "Phản ánh \(f.code) đã được mở lại theo đề nghị của ông/bà" + (f.due.map { "; hạn xử lý \($0)" } ?? "") + "."
        case .merged:
            "Phản ánh \(f.code) trùng nội dung và được gộp vào \(f.reason ?? "phản ánh khác"); ông/bà sẽ nhận thông báo kết quả xử lý."
        }
    }

    static func sms(_ f: NoticeFacts) -> String {
        var facts = f
        // Keep an SMS in one or two parts: a long reason is cut, the code never.
        facts.reason = f.reason.map { $0.count > 80 ? String($0.prefix(79)) + "…" : $0 }
        return unaccented("\(f.centreName): " + sentence(facts))
    }

    static func zalo(_ f: NoticeFacts) -> String {
        "\(f.centreName)\nKính gửi ông/bà \(f.applicantName),\n\(sentence(f))\nThủ tục: \(f.serviceName)"
    }

    static func subject(_ f: NoticeFacts) -> String {
        let what =
            switch f.kind {
            case .received: "Đã tiếp nhận hồ sơ"
            case .supplementRequested: "Yêu cầu bổ sung hồ sơ"
            case .apology: "Thư xin lỗi và hẹn lại ngày trả kết quả"
            case .refused: "Từ chối tiếp nhận hồ sơ"
            case .stopped: "Dừng xử lý hồ sơ"
            case .resultReady: "Đã có kết quả giải quyết hồ sơ"
            case .resolved: "Trả lời phản ánh, kiến nghị"
            case .progress: "Tiến độ xử lý"
            case .forwarded: "Chuyển phản ánh đến cơ quan xử lý"
            case .redirected: "Hướng dẫn gửi khiếu nại, tố cáo"
            case .reopened: "Mở lại phản ánh"
            case .merged: "Gộp phản ánh trùng"
            }
        return "[\(f.centreName)] \(what) \(f.code)"
    }

    static func letter(_ f: NoticeFacts) -> String {
        """
        Kính gửi ông/bà \(f.applicantName),

        \(sentence(f))

        Mã hồ sơ: \(f.code)
        Thủ tục, yêu cầu: \(f.serviceName)
        \(f.due.map { "Thời hạn: \($0)\n" } ?? "")
        Ông/bà có thể tra cứu tình trạng hồ sơ bằng mã hồ sơ tại trang tra cứu hoặc tại quầy của \(f.centreName).
        Đây là thư tự động; xin đừng trả lời thư này.

        \(f.centreName)
        """
    }

    /// Vietnamese without diacritics, case kept: "Đã tiếp nhận" → "Da tiep nhan".
    public static func unaccented(_ text: String) -> String {
        text.replacingOccurrences(of: "đ", with: "d").replacingOccurrences(of: "Đ", with: "D")
            .replacingOccurrences(of: "…", with: "...")
            .folding(options: [.diacriticInsensitive, .widthInsensitive], locale: Locale(identifier: "en_US_POSIX"))
    }
}

/// The signature of a webhook: HMAC-SHA256 with the gateway's secret over
/// `"<timestamp>.<body>"`, sent as `X-Desk-Signature: t=<timestamp>,v1=<hex>`. A receiver
/// recomputes it, compares in constant time, and refuses a timestamp older than it tolerates
/// (replays).
public enum WebhookSignature {
    public static func sign(secret: String, timestamp: Int64, body: Data) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
        return "t=\(timestamp),v1=" + Array(mac).hexString
    }

    /// Whether `header` signs `body` with `secret` (constant-time comparison of the MAC).
    public static func verify(header: String, secret: String, body: Data) -> Bool {
        var timestamp: Int64?
        var mac: Data?
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { return false }
            if pair[0] == "t" { timestamp = Int64(pair[1]) }
            if pair[0] == "v1" { mac = Data(hex: pair[1]) }
        }
        guard let timestamp, let mac else { return false }
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: message, using: SymmetricKey(data: Data(secret.utf8)))
    }
}

extension Data {
    /// Bytes from lower- or upper-case hex; nil if `hex` is not an even run of hex digits.
    init?(hex: String) {
        guard hex.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.init(bytes)
    }
}

/// When a failed delivery is tried again: `base` × 2^(attempts − 1), at most an hour; after
/// `maxAttempts` the message is a dead letter an admin can replay.
public struct RetryPolicy: Equatable, Sendable {
    public var base: Duration
    public var maxAttempts: Int

    public init(base: Duration = .seconds(30), maxAttempts: Int = 10) {
        self.base = base
        self.maxAttempts = maxAttempts
    }

    /// The wait after the `attempts`-th failed attempt, in seconds; nil: give up.
    public func delay(afterAttempts attempts: Int) -> Int64? {
        guard attempts < maxAttempts else { return nil }
        let base = max(1, base.components.seconds)
        let factor = Int64(1) << Int64(min(max(attempts - 1, 0), 20))
        return min(base * factor, 3600)
    }
}
