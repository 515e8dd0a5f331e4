import ConntrackKernel
import ConntrackModel

/// The NAT families as events keep them: connections per destination-NAT backend and state,
/// and translated ports in use per source-NAT pool, moved as ``KeptTable`` moves its entries.
/// Nothing is stored per entry: each event carries both tuples and the NAT status bits, which
/// never change in an entry's life, so every event says again what its entry is translated to.
///
/// Past `maxPairs` pairs (or pools) further ones count under (`other`, `other`) (or as
/// uncounted), as a dump's ``NATCounts`` does. A pair made after some of its connections went
/// to `other` takes back more than it held when they end: counts never go below zero, and the
/// next rebuild counts them anew from its dump.
struct KeptTranslations: Sendable {
    /// What an entry is translated to, from an event's or a dump's tuples.
    struct Translation: Sendable {
        /// Under destination NAT: the backend reached (the reply's source).
        let backend: RemoteEndpoint?
        /// Under source NAT: the pool its translated port comes from.
        let pool: SNATKey?
        /// What the client asked for (the original destination).
        let asked: RemoteEndpoint

        /// Nil for an entry the kernel did not translate, or without a reply tuple.
        init?(_ entry: ConntrackEntry) {
            guard entry.isSourceNAT || entry.isDestinationNAT, let original = entry.original, let reply = entry.reply else { return nil }
            let farEnd = RemoteEndpoint(address: reply.source, port: reply.sourcePort)
            backend = entry.isDestinationNAT ? farEnd : nil
            pool = entry.isSourceNAT ? SNATKey(address: reply.destination, farEnd: farEnd, protocolNumber: entry.protocolNumber) : nil
            asked = RemoteEndpoint(address: original.destination, port: original.destinationPort)
        }
    }

    private(set) var backends: [BackendKey: StateCounts] = [:]
    private(set) var pools: [SNATKey: SNATPool] = [:]
    /// Translated connections whose pool is not counted apart.
    private(set) var uncountedPools = 0
    /// Pairs, and pools, counted apart at most; 0 for any number.
    let maxPairs: Int

    init(maxPairs: Int) {
        self.maxPairs = maxPairs
    }

    /// An entry translated as `translation` moves from `old` (nil: it was not kept) to `new`
    /// (nil: it is gone), each with the host it is counted under.
    mutating func move(_ translation: Translation, from old: KeptTable.EntryState?, to new: KeptTable.EntryState?) {
        if let backend = translation.backend {
            if let old { count(BackendKey(host: old.host, backend: backend), old, adding: false) }
            if let new { count(BackendKey(host: new.host, backend: backend), new, adding: true) }
        }
        guard let pool = translation.pool, (old == nil) != (new == nil) else { return }
        if new != nil {
            addPort(pool, asked: translation.asked)
        } else {
            removePort(pool)
        }
    }

    private mutating func count(_ pair: BackendKey, _ state: KeptTable.EntryState, adding: Bool) {
        let key = backends[pair] != nil || maxPairs == 0 || backends.count < maxPairs ? pair : BackendKey.other
        var counts = backends[key] ?? StateCounts()
        guard let counted = ConnectionState(state.tcpState), adding || counts[counted] > 0 else { return }
        counts.count(state.tcpState, closedBy: state.closedBy, adding: adding)
        backends[key] = counts.total == 0 ? nil : counts
    }

    private mutating func addPort(_ key: SNATKey, asked: RemoteEndpoint) {
        if pools[key] != nil {
            pools[key]!.add(asked: asked)
        } else if maxPairs == 0 || pools.count < maxPairs {
            pools[key] = SNATPool(ports: 1, destination: asked)
        } else {
            uncountedPools += 1
        }
    }

    private mutating func removePort(_ key: SNATKey) {
        guard var pool = pools[key] else {
            uncountedPools = max(uncountedPools - 1, 0)
            return
        }
        pool.ports -= 1
        pools[key] = pool.ports == 0 ? nil : pool
    }
}
