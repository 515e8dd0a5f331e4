import ConntrackKernel
import ConntrackModel

/// What one table read found of translations: connections per destination-NAT backend, and
/// translated ports in use per source-NAT translation. Only translated entries are looked at
/// (their reply tuple parsed), so a table without NAT costs one status check per entry.
public struct NATCounts: Sendable {
    /// Each backend's connections per state, under the host the clients asked for.
    public private(set) var backends: [BackendKey: StateCounts] = [:]
    /// Connections, so translated ports in use, per source-NAT translation.
    public private(set) var translatedPorts: [SNATKey: Int] = [:]
    /// Pairs of each kind counted apart at most; further ones are left out and counted here.
    public let maxPairs: Int
    public private(set) var leftOut = 0
    private let idleThreshold: UInt32
    /// Whether UDP translations count too (the read must then dump every protocol).
    private let countsUDP: Bool

    public init(maxPairs: Int, idleThreshold: UInt32, countsUDP: Bool = false) {
        self.maxPairs = maxPairs
        self.idleThreshold = idleThreshold
        self.countsUDP = countsUDP
    }

    /// Counts `entry` if the kernel translated it; `connection` is how the read counted it
    /// (nil for entries the gauges do not count, such as UDP).
    public mutating func add(_ entry: ConntrackEntry, counted connection: TrackedConnection?) {
        guard entry.isSourceNAT || entry.isDestinationNAT, entry.isTCP || (countsUDP && entry.protocolNumber == 17),
              let reply = entry.reply else { return }
        if entry.isDestinationNAT, let connection {
            // The reply comes from the backend actually reached.
            let key = BackendKey(host: connection.host, backend: RemoteEndpoint(address: reply.source, port: reply.sourcePort))
            if backends[key] != nil || room(backends.count) { backends[key, default: StateCounts()].add(connection, idleThreshold: idleThreshold) }
        }
        if entry.isSourceNAT, let original = entry.original {
            // The reply goes back to the translated source: its address and port.
            let key = SNATKey(address: reply.destination, destination: RemoteEndpoint(address: original.destination, port: original.destinationPort),
                              protocolNumber: entry.protocolNumber)
            if translatedPorts[key] != nil || room(translatedPorts.count) { translatedPorts[key, default: 0] += 1 }
        }
    }

    private mutating func room(_ count: Int) -> Bool {
        guard maxPairs > 0, count >= maxPairs else { return true }
        leftOut += 1
        return false
    }
}
