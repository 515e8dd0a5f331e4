/// Reads the conntrack table: one dump per call, every entry classified once for the
/// gauges and any curl views' queries.
public protocol TableSource {
    func read(queries: [ConnectionQuery]) throws(SystemError) -> TableRead
}

/// The ``TableSource`` of the running exporter, over a ``ConntrackSocket``.
///
/// Not thread-safe: reads run one at a time (the scrape queue's).
public final class TableReader: TableSource {
    private let socket: ConntrackSocket
    private let ignore: IgnoreList
    private let mode: HostLabelMode
    private let idleThreshold: UInt32
    /// Hosts in the last read, to size the next one's dictionary.
    private var lastHostCount = 0

    public init(socket: ConntrackSocket, ignore: IgnoreList, mode: HostLabelMode, idleThreshold: UInt32) {
        self.socket = socket
        self.ignore = ignore
        self.mode = mode
        self.idleThreshold = idleThreshold
    }

    /// Reads the local addresses, the TCP timeouts and the whole table now.
    public func read(queries: [ConnectionQuery] = []) throws(SystemError) -> TableRead {
        let labeler = HostLabeler(local: try LocalAddresses.read(), ignore: ignore, mode: mode)
        let table = ConnectionStateTable(classifier: ConnectionClassifier(labeler: labeler, timeouts: TCPTimeouts.read()),
                                         idleThreshold: idleThreshold, expectedHosts: lastHostCount)
        var builder = TableRead.Builder(table: table, queries: queries)
        try socket.dump { builder.add($0) }
        let read = builder.read
        lastHostCount = read.table.counts.count
        return read
    }
}
