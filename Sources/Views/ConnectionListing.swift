import ConntrackAggregation
import ConntrackKernel

/// The rows one ``ConnectionQuery`` selects while a table read counts: the `limit` idle
/// longest, and how many matched in all. It observes one read, on the read's thread, and
/// is read after that read completes: unchecked, since the two never overlap.
public final class ConnectionListing: ConnectionObserver, @unchecked Sendable {
    public let query: ConnectionQuery
    private var selection: TopSelection<ConnectionRow>

    public init(_ query: ConnectionQuery) {
        self.query = query
        selection = TopSelection(limit: query.limit)
    }

    /// The most rows it holds while a read runs: twice the limit.
    public var maximumRows: Int { 2 * query.limit }

    /// Connections that matched the query, listed or not.
    public var matched: Int { selection.offered }
    /// The listed rows, idle longest first.
    public var rows: [ConnectionRow] { selection.elements }

    public func observe(_ connection: TrackedConnection, entry: ConntrackEntry) {
        guard query.matches(connection), let row = ConnectionRow(connection, entry: entry) else { return }
        selection.offer(row)
    }
}
