/// Counts TCP connections per host and ``ConnectionState`` from conntrack entries.
///
/// Non-TCP entries, uncounted states and ignored connections are skipped.
public struct ConnectionStateTable: Sendable {
    public let local: LocalAddresses
    public let ignore: IgnoreList
    public let mode: HostLabelMode
    public private(set) var counts: [HostKey: StateCounts] = [:]

    public init(local: LocalAddresses, ignore: IgnoreList, mode: HostLabelMode) {
        self.local = local
        self.ignore = ignore
        self.mode = mode
    }

    public mutating func add(_ entry: ConntrackEntry) {
        guard let tcpState = entry.tcpState, let state = ConnectionState(tcpState),
              let endpoint = RemoteEndpoint(of: entry, local: local),
              !ignore.matches(endpoint) else { return }
        counts[HostKey(endpoint, mode: mode), default: StateCounts()][state] += 1
    }
}
