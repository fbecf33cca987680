/// One page of a list, ordered by key; pass `nextCursor` back as `cursor` for the next page.
public struct Page<Item: Codable & Sendable>: Codable, Sendable {
    public var items: [Item]
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    /// Builds a page from up to `limit + 1` rows: the extra row only tells that more exist.
    init(rows: [Item], limit: Int, key: (Item) -> String) {
        if rows.count > limit {
            items = Array(rows.prefix(limit))
            nextCursor = items.last.map(key)
        } else {
            items = rows
            nextCursor = nil
        }
    }
}

/// Keyset pagination parameters shared by every list.
public struct PageRequest: Sendable {
    public static let defaultLimit = 100
    public static let maximumLimit = 500

    public var limit: Int
    /// The key of the last item of the previous page.
    public var cursor: String?

    public init(limit: Int? = nil, cursor: String? = nil) throws(DeskError) {
        let limit = limit ?? Self.defaultLimit
        guard (1...Self.maximumLimit).contains(limit) else {
            throw DeskError.validation([FieldError("limit", "must be between 1 and \(Self.maximumLimit)")])
        }
        self.limit = limit
        self.cursor = cursor
    }
}
