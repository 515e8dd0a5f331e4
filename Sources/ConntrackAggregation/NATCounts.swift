import ConntrackKernel
import ConntrackModel

/// What one table read found of translations: connections per destination-NAT backend, and
/// translated ports in use per source-NAT translation. Only translated entries are looked at
/// (their reply tuple parsed), so a table without NAT costs one status check per entry.
public struct NATCounts: Sendable {
    /// Each backend's connections per state, under the host the clients asked for. Past
    /// `maxPairs` pairs, further pairs' connections count under (`other`, `other`).
    public private(set) var backends: [BackendKey: StateCounts] = [:]
    /// Connections, so translated ports in use, per source-NAT pool.
    public private(set) var translatedPorts: [SNATKey: SNATPool] = [:]
    /// Pairs of each kind counted apart at most.
    public let maxPairs: Int
    /// Translated connections whose pool was not counted apart (past `maxPairs` pools).
    public private(set) var uncountedTranslations = 0
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
        // The reply comes from the server actually reached (under destination NAT, the backend).
        let farEnd = RemoteEndpoint(address: reply.source, port: reply.sourcePort)
        if entry.isDestinationNAT, let connection {
            var key = BackendKey(host: connection.host, backend: farEnd)
            if backends[key] == nil && !room(backends.count) { key = BackendKey.other }
            backends[key, default: StateCounts()].add(connection, idleThreshold: idleThreshold)
        }
        if entry.isSourceNAT, let original = entry.original {
            // The reply goes back to the translated source: its address and port, unique per reply tuple.
            let key = SNATKey(address: reply.destination, farEnd: farEnd, protocolNumber: entry.protocolNumber)
            let asked = RemoteEndpoint(address: original.destination, port: original.destinationPort)
            if translatedPorts[key] != nil {
                translatedPorts[key]!.add(asked: asked)
            } else if room(translatedPorts.count) {
                translatedPorts[key] = SNATPool(ports: 1, destination: asked)
            } else {
                uncountedTranslations += 1
            }
        }
    }

    /// These counts with the TCP translations replaced by those kept from events: the backends
    /// (TCP only) and the TCP pools; UDP pools stay this read's.
    func replacingTCP(with kept: KeptTranslations) -> NATCounts {
        var replaced = self
        replaced.backends = kept.backends
        replaced.translatedPorts = translatedPorts.filter { $0.key.protocolNumber != 6 }.merging(kept.pools) { _, kept in kept }
        replaced.uncountedTranslations = kept.uncountedPools
        return replaced
    }

    /// Whether a new pair fits under `maxPairs`, the other pairs numbering `count`.
    private func room(_ count: Int) -> Bool {
        maxPairs == 0 || count < maxPairs
    }
}
