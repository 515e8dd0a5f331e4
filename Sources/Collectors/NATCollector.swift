import ConntrackAggregation
import ConntrackModel
import Exposition
import LinuxSystem

/// What the table knows of translations. Destination NAT: connections per backend actually
/// reached, under the host (virtual address) the clients asked for, and how they ended.
/// Source NAT: per translated address and destination, the translated ports in use against
/// the range they come from, for the busiest translations only.
public struct NATCollector: Collector {
    static let backends = MetricDescriptor("conntrack_backend_connections", .gauge,
        help: "Destination-NATed TCP connections per host (the address clients asked for), backend actually reached (from the reply tuple) and state (opening, open, closing, closed).")
    static let backendClosed = MetricDescriptor("conntrack_backend_connections_closed_total", .counter,
        help: "Destination-NATed TCP connections removed, per host, backend and outcome: which backend refuses or never answers.")
    static let portsInUse = MetricDescriptor("conntrack_snat_ports_in_use", .gauge,
        help: "Translated source ports in use per source-NAT address, destination and protocol: each connection through a translation holds one.")
    static let portsAvailable = MetricDescriptor("conntrack_snat_ports_available", .gauge,
        help: "Ports the translation allocates from (--nat.port-range, else the kernel's default 1024-65535): new connections fail once in-use reaches it.")
    static let translations = MetricDescriptor("conntrack_exporter_snat_translations", .gauge,
        help: "Source-NAT translations (address, destination, protocol) of this read, shown or not (--nat.top shows the busiest).")

    private let renderer: HostRenderer
    private let ranges: PortRangeMap
    private let top: Int

    /// The busiest `top` translations are shown; the backends' outcomes come from the scrape's event counters.
    public init(renderer: HostRenderer = HostRenderer(), ranges: PortRangeMap = PortRangeMap(), top: Int) {
        self.renderer = renderer
        self.ranges = ranges
        self.top = top
    }

    public func collect(_ context: ScrapeContext, into writer: inout ExpositionWriter) throws(SystemError) {
        guard let nat = try context.table.get().nat else { return }
        writer.header(Self.backends)
        for (key, counts) in nat.backends.sorted(by: { Self.order($0.key, $1.key) }) {
            for state in ConnectionState.allCases where counts[state] > 0 {
                writer.sample(Self.backends.name, labelList: labels(key) + [("state", "\(state)")], value: UInt64(counts[state]))
            }
        }
        if let closed = context.events?.backendClosed {
            writer.header(Self.backendClosed)
            for (key, outcomes) in closed.sorted(by: { Self.order($0.key, $1.key) }) {
                for outcome in ConnectionOutcome.allCases where outcomes[outcome] > 0 {
                    writer.sample(Self.backendClosed.name, labelList: labels(key) + [("outcome", outcome.label)], value: outcomes[outcome])
                }
            }
        }
        // Busiest first; ties by translated address, so the same table shows the same translations.
        let busiest = nat.translatedPorts.sorted {
            $0.value != $1.value ? $0.value > $1.value : HostKey(RemoteEndpoint(address: $0.key.address, port: $0.key.destination.port), mode: .endpoint)
                < HostKey(RemoteEndpoint(address: $1.key.address, port: $1.key.destination.port), mode: .endpoint)
        }.prefix(top)
        writer.header(Self.portsInUse)
        for (key, ports) in busiest {
            writer.sample(Self.portsInUse.name, labelList: labels(key), value: UInt64(ports))
        }
        writer.header(Self.portsAvailable)
        for (key, _) in busiest {
            writer.sample(Self.portsAvailable.name, labelList: labels(key), value: UInt64(ranges.range(for: key.address).size))
        }
        writer.header(Self.translations)
        writer.sample(Self.translations.name, value: UInt64(nat.translatedPorts.count))
    }

    private func labels(_ key: BackendKey) -> [(name: String, value: String)] {
        renderer.labels(of: key.host) + [("backend", renderer.text(of: key.backend))]
    }

    private func labels(_ key: SNATKey) -> [(name: String, value: String)] {
        [("address", key.address.description), ("destination", renderer.text(of: key.destination)), ("protocol", key.protocolName)]
    }

    private static func order(_ lhs: BackendKey, _ rhs: BackendKey) -> Bool {
        lhs.host != rhs.host ? lhs.host < rhs.host : HostKey(lhs.backend, mode: .endpoint) < HostKey(rhs.backend, mode: .endpoint)
    }
}
