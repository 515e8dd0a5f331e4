import ConntrackAggregation
import ConntrackKernel
import ConntrackModel
import Exposition
import LinuxSystem
import Logging

/// Bytes and packets per host and direction, as counters that never go down, and packets per
/// closed connection. Needs `net.netfilter.nf_conntrack_acct` (never set here) and the
/// lifecycle collector's event counters: a closed connection's final counts come from its DESTROY
/// event, an open one's from the table read.
///
/// A series is what closed before the read's dump started plus what the dump found open, less
/// what the exporter found at its first read (``LifecycleCounters/trafficBaseline``): every
/// series starts at zero, so a restart counts nothing twice. It never shows less than it showed
/// before: a connection's counts move from its open entry to its DESTROY, and one that ends
/// without a DESTROY reaching the exporter (lost events, or a connection older than any event
/// listener) would otherwise take its bytes back. How far the series stand above what the
/// table and events account for now is `conntrack_exporter_traffic_held_bytes`. With the table
/// kept from events the dump is the latest rebuild's, so the series move at each rebuild and
/// as connections close. Memory: per host, none per connection.
public final class TrafficCollector: Collector {
    static let bytes = MetricDescriptor("conntrack_traffic_bytes_total", .counter,
        help: "Bytes of TCP connections per remote host and direction (sent: from this machine; for forwarded connections from the client's side), headers included, counted from the exporter's first read of the table; needs net.netfilter.nf_conntrack_acct=1.")
    static let packets = MetricDescriptor("conntrack_traffic_packets_total", .counter,
        help: "Packets of TCP connections per remote host and direction, as conntrack_traffic_bytes_total.")
    static let perConnection = MetricDescriptor("conntrack_connection_packets", .histogram,
        help: "Packets (both ways) of each closed TCP connection with counters, per outcome: a handful per connection means a request per connection, hundreds a reused one.")
    static let enabled = MetricDescriptor("conntrack_accounting_enabled", .gauge,
        help: "1 if net.netfilter.nf_conntrack_acct is on (the traffic counters need it), 0 if not: then no traffic series are written.")
    static let withoutCounters = MetricDescriptor("conntrack_exporter_connections_without_counters", .gauge,
        help: "Connections of this read whose entries carry no counters (created before accounting was switched on): their traffic is not counted.")
    static let held = MetricDescriptor("conntrack_exporter_traffic_held_bytes", .gauge,
        help: "Bytes by which the traffic counters stand above what the table and the events account for now (counters never go down): traffic of connections that ended without their DESTROY event reaching the exporter, until new traffic makes up for it.")

    private let store: LifecycleStore
    private let renderer: HostRenderer
    private let accountingEnabled: @Sendable () -> Bool
    private let logger: Logger
    /// What each series showed last; only touched by scrapes, one at a time.
    private var shown: [HostKey: Traffic] = [:]
    private var wasEnabled: Bool?

    /// `store` holds the event counters (the lifecycle listener's); `loggedAccounting` is
    /// what the exporter logged at startup, so only a change is logged again.
    public init(store: LifecycleStore, renderer: HostRenderer = HostRenderer(), logger: Logger, loggedAccounting: Bool? = nil,
                accountingEnabled: @escaping @Sendable () -> Bool = AccountingSetting.isEnabled) {
        self.store = store
        wasEnabled = loggedAccounting
        self.renderer = renderer
        self.logger = logger
        self.accountingEnabled = accountingEnabled
    }

    public func collect(_ context: ScrapeContext, into writer: inout ExpositionWriter) throws(SystemError) {
        let read = try context.table.get()
        let on = accountingEnabled()
        if on != wasEnabled { Self.logAccounting(on, logger: logger) }
        wasEnabled = on
        writer.header(Self.enabled)
        writer.sample(Self.enabled.name, value: on ? 1 : 0)
        guard on else { return }

        let now = MonotonicClock.seconds()
        let (totals, histograms, tracked, starts) = store.withCounters { [shown] counters in
            (counters.trafficTotals(open: read.table.traffic, closedAtStart: read.closedTraffic, at: now),
             counters.packetsPerConnection, Set(shown.keys.filter(counters.tracks)), counters.seriesStarts)
        }
        var changed: [HostKey] = []
        var heldBytes: UInt64 = 0
        var next: [HostKey: Traffic] = [:]
        // A series of a host the counters still track goes on, whatever the read found now;
        // one of a host they forgot ends, and would restart from 0.
        for host in Set(totals.keys).union(tracked) {
            let total = totals[host] ?? .zero
            let before = shown[host] ?? .zero
            let series = total.atLeast(before)
            if series != before { changed.append(host) }
            heldBytes += total.shortfall(below: series).bytes
            next[host] = series
        }
        shown = next
        store.withCounters { $0.touch(changed, at: now) }

        let series = HostSeries(shown, renderer: renderer)
        let directions: [(label: String, bytes: KeyPath<Traffic, UInt64>, packets: KeyPath<Traffic, UInt64>)] = [
            ("sent", \.sentBytes, \.sentPackets), ("received", \.receivedBytes, \.receivedPackets),
        ]
        series.write(Self.bytes, split: "direction", by: directions.indices.map { $0 }, text: { directions[$0].label },
                     created: starts, into: &writer) { $0[keyPath: directions[$1].bytes] }
        series.write(Self.packets, split: "direction", by: directions.indices.map { $0 }, text: { directions[$0].label },
                     created: starts, into: &writer) { $0[keyPath: directions[$1].packets] }
        writer.header(Self.perConnection)
        for outcome in ConnectionOutcome.allCases {
            writer.histogramSamples(Self.perConnection.name, histograms[outcome.rawValue], label: ("outcome", outcome.label))
        }
        writer.header(Self.withoutCounters)
        writer.sample(Self.withoutCounters.name, value: UInt64(read.table.withoutCounters))
        writer.header(Self.held)
        writer.sample(Self.held.name, value: heldBytes)
    }

    /// Says whether accounting is on, and how to switch it on and what that costs when it is not.
    public static func logAccounting(_ on: Bool, logger: Logger) {
        if on {
            logger.info("traffic accounting is on (net.netfilter.nf_conntrack_acct=1): conntrack_traffic_* counters are served")
        } else {
            logger.info("""
                traffic counters are off: conntrack_traffic_bytes_total needs net.netfilter.nf_conntrack_acct=1 \
                (sysctl -w net.netfilter.nf_conntrack_acct=1; it costs the kernel two counter updates per packet, \
                see the README); the exporter never changes sysctls
                """)
        }
    }
}
