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
    public func fold(_ counts: [HostKey: StateCounts]) -> (counts: [HostKey: StateCounts], folded: Int) {
        guard maxHosts > 0, counts.count > maxHosts else { return (counts, 0) }
        // Busiest first; ties by address, so the same table always keeps the same hosts.
        let ranked = counts.sorted { ($0.value.total, $1.key) > ($1.value.total, $0.key) }
        var kept = Dictionary(uniqueKeysWithValues: ranked.prefix(maxHosts).map { ($0.key, $0.value) })
        var other = StateCounts()
        for host in ranked.dropFirst(maxHosts) { other.add(host.value) }
        kept[.other] = other
        return (kept, ranked.count - maxHosts)
    }
}
