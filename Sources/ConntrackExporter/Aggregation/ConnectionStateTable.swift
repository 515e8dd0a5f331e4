/// Counts TCP connections per host and ``ConnectionState`` from conntrack entries.
///
/// Non-TCP entries, uncounted states and ignored connections are skipped.
public struct ConnectionStateTable: Sendable {
    public let labeler: HostLabeler
    public private(set) var counts: [HostKey: StateCounts] = [:]

    /// `expectedHosts` sizes the table up front (the last read's count), so a read of a
    /// large table does not rehash as it grows.
    public init(local: LocalAddresses, ignore: IgnoreList, mode: HostLabelMode, expectedHosts: Int = 0) {
        labeler = HostLabeler(local: local, ignore: ignore, mode: mode)
        counts.reserveCapacity(expectedHosts)
    }

    public mutating func add(_ entry: ConntrackEntry) {
        guard let tcpState = entry.tcpState, let state = ConnectionState(tcpState),
              let host = labeler.host(of: entry) else { return }
        counts[host, default: StateCounts()][state] += 1
    }
}
