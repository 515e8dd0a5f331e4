/// What one read of the conntrack table produced: the per-host counts, and the connections
/// each curl view's query selected from the same entries.
public struct TableRead: Sendable {
    public let table: ConnectionStateTable
    /// One per query the read was asked to run, in order.
    public let listings: [ConnectionListing]
    /// TCP entries the dumps returned, counted or not (ignored hosts, state NONE).
    public let tcpEntries: Int
    /// Entries of other protocols the dumps returned (none when the kernel filtered them).
    public let otherProtocolEntries: Int
}

extension TableRead {
    /// Builds a read entry by entry: each entry is classified once, counted, and offered
    /// to every query.
    struct Builder {
        private var table: ConnectionStateTable
        private var listings: [ConnectionListing]
        private var tcpEntries = 0
        private var otherProtocolEntries = 0

        init(table: ConnectionStateTable, queries: [ConnectionQuery]) {
            self.table = table
            listings = queries.map(ConnectionListing.init)
        }

        mutating func add(_ entry: ConntrackEntry) {
            if entry.isTCP { tcpEntries += 1 } else { otherProtocolEntries += 1 }
            guard let connection = table.add(entry) else { return }
            for index in listings.indices { listings[index].offer(connection, entry: entry) }
        }

        var read: TableRead { TableRead(table: table, listings: listings, tcpEntries: tcpEntries,
                                       otherProtocolEntries: otherProtocolEntries) }
    }
}
