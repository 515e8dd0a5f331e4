import ConntrackAggregation
import ConntrackModel
import Exposition
import LinuxSystem

/// What the table knows of translations. Destination NAT: connections per backend actually
/// reached, under the host (virtual address) the clients asked for, and how they ended; the
/// `--max-hosts` busiest pairs, the rest folded under `other`. Source NAT: per pool as the kernel
/// allocates ports (translated address, server reached, protocol), the translated ports in use
/// against the range they come from, for the busiest pools only.
public struct NATCollector: Collector {
    static let backends = MetricDescriptor("conntrack_backend_connections", .gauge,
        help: "Destination-NATed TCP connections per host (the address clients asked for), backend actually reached (from the reply tuple) and state (opening, open, closing, closed).")
    static let backendClosed = MetricDescriptor("conntrack_backend_connections_closed_total", .counter,
        help: "Destination-NATed TCP connections removed, per host, backend and outcome: which backend refuses or never answers.")
    static let backendClosesFolded = MetricDescriptor("conntrack_exporter_backend_closes_folded_total", .counter,
        help: "Destination-NATed connections removed and counted under host=\"other\", backend=\"other\" in conntrack_backend_connections_closed_total, its pairs being at --max-hosts.")
    static let foldedBackends = MetricDescriptor("conntrack_exporter_folded_backends", .gauge,
        help: "Destination-NAT pairs (host, backend) of this read counted under host=\"other\", backend=\"other\" because of --max-hosts (pairs past 64 times it are not told apart and count as one).")
    static let portsInUse = MetricDescriptor("conntrack_snat_ports_in_use", .gauge,
        help: "Translated source ports in use per source-NAT pool: translated address, destination the clients asked for, backend reached (under destination NAT) and protocol. The kernel keeps ports unique per reply tuple, so each server reached has a pool of its own.")
    static let portsAvailable = MetricDescriptor("conntrack_snat_ports_available", .gauge,
        help: "Ports the pool allocates from (--nat.port-range, else the kernel's default 1024-65535): new connections fail once in-use reaches it.")
    static let translations = MetricDescriptor("conntrack_exporter_snat_translations", .gauge,
        help: "Source-NAT pools (address, server reached, protocol) of this read, shown or not (--nat.top shows the busiest).")
    static let uncounted = MetricDescriptor("conntrack_exporter_snat_uncounted_connections", .gauge,
        help: "Source-NATed connections of this read whose pool was not counted: the read met more pools than 64 times --max-hosts.")

    private let renderer: HostRenderer
    private let ranges: PortRangeMap
    private let top: Int
    private let maxPairs: Int

    /// The busiest `top` pools are shown, and the busiest `maxPairs` backend pairs (0: all); the
    /// backends' outcomes come from the scrape's event counters.
    public init(renderer: HostRenderer = HostRenderer(), ranges: PortRangeMap = PortRangeMap(), top: Int, maxPairs: Int = 0) {
        self.renderer = renderer
        self.ranges = ranges
        self.top = top
        self.maxPairs = maxPairs
    }

    public func collect(_ context: ScrapeContext, into writer: inout ExpositionWriter) throws(SystemError) {
        guard let nat = try context.table.get().nat else { return }
        let (backends, folded) = fold(nat.backends)
        writer.header(Self.backends)
        for (key, counts) in backends.sorted(by: { Self.order($0.key, $1.key) }) {
            for state in ConnectionState.allCases where counts[state] > 0 {
                writer.sample(Self.backends.name, labelList: labels(key) + [("state", "\(state)")], value: UInt64(counts[state]))
            }
        }
        if let events = context.events {
            writer.header(Self.backendClosed)
            for (key, outcomes) in events.backendClosed.sorted(by: { Self.order($0.key, $1.key) }) {
                for outcome in ConnectionOutcome.allCases where outcomes[outcome] > 0 {
                    writer.sample(Self.backendClosed.name, labelList: labels(key) + [("outcome", outcome.label)], value: outcomes[outcome])
                }
            }
            writer.header(Self.backendClosesFolded)
            writer.sample(Self.backendClosesFolded.name, value: events.backendClosesFolded)
        }
        writer.header(Self.foldedBackends)
        writer.sample(Self.foldedBackends.name, value: UInt64(folded))
        // Busiest first; ties by translated address and server, so the same table shows the same pools.
        let busiest = nat.translatedPorts.sorted {
            ($0.value.ports, HostKey($1.key.farEnd, mode: .endpoint), $1.key.address.description)
                > ($1.value.ports, HostKey($0.key.farEnd, mode: .endpoint), $0.key.address.description)
        }.prefix(top)
        writer.header(Self.portsInUse)
        for (key, pool) in busiest {
            writer.sample(Self.portsInUse.name, labelList: labels(key, pool), value: UInt64(pool.ports))
        }
        writer.header(Self.portsAvailable)
        for (key, pool) in busiest {
            writer.sample(Self.portsAvailable.name, labelList: labels(key, pool), value: UInt64(ranges.range(for: key.address).size))
        }
        writer.header(Self.translations)
        writer.sample(Self.translations.name, value: UInt64(nat.translatedPorts.count))
        writer.header(Self.uncounted)
        writer.sample(Self.uncounted.name, value: UInt64(nat.uncountedTranslations))
    }

    /// The `maxPairs` busiest backend pairs, the rest summed under (`other`, `other`); with how
    /// many were folded there.
    private func fold(_ pairs: [BackendKey: StateCounts]) -> (pairs: [BackendKey: StateCounts], folded: Int) {
        let own = pairs.filter { $0.key != .other }
        guard maxPairs > 0, own.count > maxPairs else { return (pairs, 0) }
        // Busiest first; ties in label order, so the same table keeps the same pairs.
        let ranked = own.sorted { $0.value.total != $1.value.total ? $0.value.total > $1.value.total : Self.order($0.key, $1.key) }
        var kept = Dictionary(uniqueKeysWithValues: ranked.prefix(maxPairs).map { ($0.key, $0.value) })
        var other = pairs[.other] ?? StateCounts()
        for pair in ranked.dropFirst(maxPairs) { other.add(pair.value) }
        kept[.other] = other
        return (kept, ranked.count - maxPairs)
    }

    private func labels(_ key: BackendKey) -> [(name: String, value: String)] {
        renderer.labels(of: key.host) + [("backend", renderer.text(of: key.backend))]
    }

    /// The backend label only under destination NAT: where the server reached is not the one asked for.
    private func labels(_ key: SNATKey, _ pool: SNATPool) -> [(name: String, value: String)] {
        [("address", key.address.description), ("destination", renderer.text(of: pool.destination))]
            + (key.farEnd == pool.destination ? [] : [("backend", renderer.text(of: key.farEnd))]) + [("protocol", key.protocolName)]
    }

    private static func order(_ lhs: BackendKey, _ rhs: BackendKey) -> Bool {
        lhs.host != rhs.host ? lhs.host < rhs.host : HostKey(lhs.backend, mode: .endpoint) < HostKey(rhs.backend, mode: .endpoint)
    }
}
