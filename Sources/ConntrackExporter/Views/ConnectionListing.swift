/// The rows one ``ConnectionQuery`` selects during a table read: the `limit` idle longest,
/// and how many matched in all.
public struct ConnectionListing: Sendable {
    public let query: ConnectionQuery
    private var selection: TopSelection<ConnectionRow>

    public init(_ query: ConnectionQuery) {
        self.query = query
        selection = TopSelection(limit: query.limit)
    }

    /// Connections that matched the query, listed or not.
    public var matched: Int { selection.offered }
    /// The listed rows, idle longest first.
    public var rows: [ConnectionRow] { selection.elements }

    mutating func offer(_ connection: TrackedConnection, entry: ConntrackEntry) {
        guard query.matches(connection), let row = ConnectionRow(connection, entry: entry) else { return }
        selection.offer(row)
    }
}
