import ConntrackAggregation
import ConntrackKernel
import ConntrackModel
import Exposition
import LinuxSystem

/// The per-host gauges and the open connections' histograms, written from a table read.
public struct ConnectionStateCollector: Collector, Sendable {
    static let families: [(ConnectionState, MetricDescriptor)] = [
        (.opening, MetricDescriptor("conntrack_opening_connections", .gauge,
            help: "TCP connections being opened (SYN_SENT, SYN_SENT2, SYN_RECV), per remote host.")),
        (.open, MetricDescriptor("conntrack_open_connections", .gauge,
            help: "TCP connections established (ESTABLISHED), per remote host.")),
        (.closing, MetricDescriptor("conntrack_closing_connections", .gauge,
            help: "TCP connections closing (FIN_WAIT, CLOSE_WAIT, LAST_ACK, TIME_WAIT), per remote host.")),
        (.closed, MetricDescriptor("conntrack_closed_connections", .gauge,
            help: "TCP connections closed (CLOSE), per remote host.")),
    ]
    static let halfClosed = MetricDescriptor("conntrack_half_closed_connections", .gauge,
        help: "TCP connections with one side closed and the other not yet (FIN_WAIT, CLOSE_WAIT, LAST_ACK), per remote host and the end that sent the first FIN (closed_by: local, remote, unknown).")
    static let timeWait = MetricDescriptor("conntrack_time_wait_connections", .gauge,
        help: "TCP connections in TIME_WAIT, per remote host and the end that sent the first FIN (closed_by: local, remote, unknown).")
    static let idle = MetricDescriptor("conntrack_idle_connections", .gauge,
        help: "Open TCP connections that carried no packet for at least conntrack_exporter_idle_threshold_seconds, per remote host.")
    static let idleThreshold = MetricDescriptor("conntrack_exporter_idle_threshold_seconds", .gauge,
        help: "The --idle-threshold: how long an open connection must be silent to count in conntrack_idle_connections (0: off).")
    static let idleTime = MetricDescriptor("conntrack_open_connection_idle_seconds", .gaugeHistogram,
        help: "Time since the last packet of every open TCP connection (the established timeout minus the time left), as the table held them at its read: a snapshot that may shrink.")
    static let age = MetricDescriptor("conntrack_open_connection_age_seconds", .gaugeHistogram,
        help: "Age of every open TCP connection from the kernel's timestamps (needs net.netfilter.nf_conntrack_timestamp=1), as the table held them at its read: a snapshot that may shrink.")

    static let capped = MetricDescriptor("conntrack_exporter_table_hosts_capped", .gauge,
        help: "1 when this read met more distinct hosts than it counts apart (--max-hosts times 64): the connections of the hosts met after that count under host=\"other\" directly.")
    static let foldedHosts = MetricDescriptor("conntrack_exporter_folded_hosts", .gauge,
        help: "Hosts of the table counted under host=\"other\" at this scrape because of --max-hosts (0 when under it or off).")

    private let folding: HostFolding
    private let renderer: HostRenderer
    private let timestampsEnabled: @Sendable () -> Bool

    public init(folding: HostFolding = HostFolding(maxHosts: 0), renderer: HostRenderer = HostRenderer(),
                timestampsEnabled: @escaping @Sendable () -> Bool = TimestampSetting.isEnabled) {
        self.folding = folding
        self.renderer = renderer
        self.timestampsEnabled = timestampsEnabled
    }

    /// Throws the read's failure: then this collector reports 0 and writes nothing.
    public func collect(_ context: ScrapeContext, into writer: inout ExpositionWriter) throws(SystemError) {
        write(try context.table.get().table, into: &writer)
    }

    func write(_ table: ConnectionStateTable, into writer: inout ExpositionWriter) {
        let (counted, folded) = folding.fold(table.hosts)
        let hosts = HostSeries(counted, renderer: renderer)
        for (state, family) in Self.families {
            hosts.write(family, into: &writer) { UInt64($0[state]) }
        }
        hosts.write(Self.halfClosed, split: "closed_by", by: ClosingSide.allCases, text: \.label, into: &writer) {
            UInt64($0[halfClosedBy: $1])
        }
        hosts.write(Self.timeWait, split: "closed_by", by: ClosingSide.allCases, text: \.label, into: &writer) {
            UInt64($0[timeWaitBy: $1])
        }
        writer.header(Self.idleThreshold)
        writer.sample(Self.idleThreshold.name, value: UInt64(table.idleThreshold))
        if table.idleThreshold > 0 {
            hosts.write(Self.idle, into: &writer) { UInt64($0.idle) }
        }
        writer.header(Self.foldedHosts)
        writer.sample(Self.foldedHosts.name, value: UInt64(folded))
        writer.header(Self.capped)
        writer.sample(Self.capped.name, value: table.overflowed ? 1 : 0)
        writer.histogram(Self.idleTime, table.idle)
        if timestampsEnabled() || table.age.count > 0 {
            writer.histogram(Self.age, table.age)
        }
    }
}
