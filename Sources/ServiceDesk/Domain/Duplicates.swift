import Foundation

/// A ticket that may report the same thing as another (docs/tickets.md, duplicates): the same
/// service, received near in time, at the same place or in much the same words.
public struct DuplicateCandidate: Codable, Equatable, Sendable {
    public var code: String
    public var state: Ticket.State
    public var receivedAt: Date
    /// Metres between the two places, when both have coordinates.
    public var distanceMetres: Int?
    /// The share of words the two descriptions (and addresses) have in common, 0–1.
    public var similarity: Double
    /// Why it is suggested: `near` (within the radius), `same-address`, `similar-text`.
    public var reasons: [String]
}

/// The rules that suggest duplicates, pure. A city hotline hears of one broken lamp from many
/// callers; an officer merges what the suggestions show, so every reporter is told the result.
public enum Duplicates {
    /// How far apart in time two reports of one thing may be received.
    public static let window: TimeInterval = 7 * 86_400
    /// How close two places are to be "the same place", in metres.
    public static let radius = 200.0
    /// The share of words two descriptions share to be "much the same words".
    public static let similarText = 0.5

    /// The great-circle distance in metres between two points (haversine, mean Earth radius).
    public static func distance(lat: Double, long: Double, toLat: Double, toLong: Double) -> Double {
        let radians = Double.pi / 180
        let dLat = (toLat - lat) * radians
        let dLong = (toLong - long) * radians
        let a = sin(dLat / 2) * sin(dLat / 2) + cos(lat * radians) * cos(toLat * radians) * sin(dLong / 2) * sin(dLong / 2)
        return 6_371_000 * 2 * atan2(a.squareRoot(), (1 - a).squareRoot())
    }

    /// The words of a text, folded (no case, no diacritics, đ → d), of two letters or more.
    public static func words(_ text: String) -> Set<String> {
        Set(TextFolding.fold(text).split { !$0.isLetter && !$0.isNumber }.map(String.init).filter { $0.count >= 2 })
    }

    /// The Jaccard similarity of two word sets: shared ÷ all; 0 when both are empty.
    public static func similarity(_ first: Set<String>, _ second: Set<String>) -> Double {
        let all = first.union(second).count
        return all == 0 ? 0 : Double(first.intersection(second).count) / Double(all)
    }

    /// Whether `other` is suggested as a duplicate of `ticket`, and why; nil if not. Both must
    /// be of the same service and received within `window` of each other.
    public static func candidate(of ticket: Ticket, _ other: Ticket) -> DuplicateCandidate? {
        guard other.code != ticket.code, other.service == ticket.service,
            abs(other.receivedAt.timeIntervalSince(ticket.receivedAt)) <= window
        else { return nil }
        var reasons: [String] = []
        var metres: Int?
        if let lat = ticket.location?.lat, let long = ticket.location?.long, let toLat = other.location?.lat,
            let toLong = other.location?.long
        {
            let distance = Self.distance(lat: lat, long: long, toLat: toLat, toLong: toLong)
            metres = Int(distance.rounded())
            if distance <= radius { reasons.append("near") }
        }
        let address = ticket.location?.address.map(TextFolding.fold)
        if let address, !address.isEmpty, address == other.location?.address.map(TextFolding.fold) { reasons.append("same-address") }
        let text = { (ticket: Ticket) in words(ticket.description + " " + (ticket.location?.address ?? "")) }
        let shared = similarity(text(ticket), text(other))
        if shared >= similarText { reasons.append("similar-text") }
        guard !reasons.isEmpty else { return nil }
        return DuplicateCandidate(
            code: other.code, state: other.state, receivedAt: other.receivedAt, distanceMetres: metres,
            similarity: (shared * 100).rounded() / 100, reasons: reasons)
    }

    /// The candidates among `others`, nearest first (then the most similar, then the earliest).
    public static func suggest(for ticket: Ticket, among others: [Ticket]) -> [DuplicateCandidate] {
        others.compactMap { candidate(of: ticket, $0) }.sorted {
            ($0.distanceMetres ?? Int.max, -$0.similarity, $0.receivedAt) < ($1.distanceMetres ?? Int.max, -$1.similarity, $1.receivedAt)
        }
    }
}
