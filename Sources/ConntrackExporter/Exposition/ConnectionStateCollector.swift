/// The four per-host gauges, read from the conntrack table at each scrape.
public final class ConnectionStateCollector: Collector {
    static let families: [(ConnectionState, MetricDescriptor)] = [
        (.opening, MetricDescriptor("conntrack_opening_connections", .gauge,
            help: "TCP connections being opened (SYN_SENT, SYN_SENT2, SYN_RECV), per remote host.")),
        (.open, MetricDescriptor("conntrack_open_connections", .gauge,
            help: "TCP connections established (ESTABLISHED), per remote host.")),
        (.closing, MetricDescriptor("conntrack_closing_connections", .gauge,
            help: "TCP connections closing (FIN_WAIT, CLOSE_WAIT, LAST_ACK, TIME_WAIT), per remote host.")),
        (.closed, MetricDescriptor("conntrack_closed_connections", .gauge,
            help: "TCP connections closed (CLOSE), per remote host.")),
    ]

    private let socket: ConntrackSocket
    private let ignore: IgnoreList
    private let mode: HostLabelMode
    /// Hosts in the last read; only touched by reads, one at a time.
    private var lastHostCount = 0

    public init(socket: ConntrackSocket, ignore: IgnoreList, mode: HostLabelMode) {
        self.socket = socket
        self.ignore = ignore
        self.mode = mode
    }

    /// Reads the local addresses and the whole table now.
    public func read() throws(SystemError) -> ConnectionStateTable {
        var table = ConnectionStateTable(local: try LocalAddresses.read(), ignore: ignore, mode: mode,
                                         expectedHosts: lastHostCount)
        try socket.dump { table.add($0) }
        lastHostCount = table.counts.count
        return table
    }

    public func collect(into writer: inout ExpositionWriter) throws {
        let table = try read()
        let hosts = table.counts
            .map { (label: $0.key.description, key: $0.key, counts: $0.value) }
            .sorted { $0.key < $1.key }
        for (state, family) in Self.families {
            writer.header(family)
            for host in hosts where host.counts[state] > 0 {
                writer.sample(family.name, labels: ["host": host.label], value: UInt64(host.counts[state]))
            }
        }
    }
}

extension HostKey: Comparable {
    /// Orders by family, address, then port, so the exposition is stable between scrapes.
    public static func < (lhs: HostKey, rhs: HostKey) -> Bool {
        let left = (lhs.address.family.rawValue, lhs.address.high, lhs.address.low, lhs.port ?? 0)
        let right = (rhs.address.family.rawValue, rhs.address.high, rhs.address.low, rhs.port ?? 0)
        return left < right
    }
}
