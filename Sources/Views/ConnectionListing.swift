import ConntrackAggregation
import ConntrackKernel
import Synchronization

/// The rows one ``ConnectionQuery`` selects while a table read counts: the `limit` idle
/// longest, and how many matched in all. It observes one read, on the read's thread, and
/// is read after that read completes: unchecked, since the two never overlap.
public final class ConnectionListing: ConnectionObserver, @unchecked Sendable {
    public let query: ConnectionQuery
    private let renderer: HostRenderer
    private var selection: TopSelection<ConnectionRow>
    /// Set when its client left: the read it observes then skips it, and its rows go.
    private let abandoned = Atomic(false)

    /// `renderer` gives hosts their names, for `?host=` with a name.
    public init(_ query: ConnectionQuery, renderer: HostRenderer = HostRenderer()) {
        self.query = query
        self.renderer = renderer
        selection = TopSelection(limit: query.limit)
    }

    /// The most rows it holds while a read runs: twice the limit.
    public var maximumRows: Int { 2 * query.limit }

    /// Connections that matched the query, listed or not.
    public var matched: Int { selection.offered }
    /// The listed rows, idle longest first.
    public var rows: [ConnectionRow] { selection.elements }

    public func observe(_ connection: TrackedConnection, entry: ConntrackEntry) {
        guard !abandoned.load(ordering: .relaxed), query.matches(connection, renderer: renderer),
              let row = ConnectionRow(connection, entry: entry) else { return }
        selection.offer(row)
    }

    /// Its client left: stop selecting. Called from any thread; the rows are dropped by the
    /// read's thread at its next entry, or with the listing.
    public func abandon() {
        abandoned.store(true, ordering: .relaxed)
    }
}
