import ConntrackModel

/// `--max-hosts`: caps the host series of the table's gauges, so that a server facing the
/// Internet cannot flood Prometheus with one series per client.
public struct HostFolding: Sendable {
    /// Hosts with a series of their own; 0 means no cap.
    public let maxHosts: Int

    public init(maxHosts: Int) {
        self.maxHosts = maxHosts
    }

    /// The `maxHosts` hosts with the most connections, and the rest summed under
    /// ``HostKey/other``; with how many hosts were folded there.
    /// A table that already counted some hosts under ``HostKey/other`` (one capped in size)
    /// keeps them there.
    public func fold(_ hosts: [(key: HostKey, value: StateCounts)]) -> (hosts: [(key: HostKey, value: StateCounts)], folded: Int) {
        let own = hosts.filter { $0.key != .other }
        guard maxHosts > 0, own.count > maxHosts else { return (hosts, 0) }
        // Busiest first; ties by address, so the same table always keeps the same hosts.
        let ranked = own.sorted { ($0.value.total, $1.key) > ($1.value.total, $0.key) }
        var other = hosts.first { $0.key == .other }?.value ?? StateCounts()
        for host in ranked.dropFirst(maxHosts) { other.add(host.value) }
        return (ranked.prefix(maxHosts) + [(.other, other)], ranked.count - maxHosts)
    }
}
