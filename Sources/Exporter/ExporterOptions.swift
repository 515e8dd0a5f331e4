import Collectors
import ConntrackAggregation
import ConntrackModel
import HTTPServer
import HostNames
import LinuxSystem

/// Everything the command line decides, checked: what an ``Exporter`` is built from.
public struct ExporterOptions: Sendable {
    public var listenAddresses = [ListenAddress(host: nil, port: ListenAddress.defaultPort)]
    public var telemetryPath = "/metrics"
    /// `--web.config.file`: TLS, basic auth, headers; nil serves plain HTTP to anyone.
    public var webConfigFile: String?
    /// The user to switch to once the sockets are open.
    public var user: UserAccount?
    public var ignore = IgnoreList()
    public var hostLabel = HostLabelMode.endpoint
    /// Open connections silent this long count as idle; 0 turns the gauge off.
    public var idleThresholdSeconds: UInt32 = 300
    /// Event counters unchanged this long are forgotten; 0 keeps them.
    public var hostTTLSeconds: UInt32 = 3600
    /// Hosts with series of their own; 0 for no cap.
    public var maxHosts = ExporterOptions.defaultMaxHosts
    /// A scrape within this of the last table read is answered from it.
    public var tableMaxAge: Duration = .seconds(2)
    /// `--table.source`: dumps per read, a table kept from events, or the cheaper of the two.
    public var tableSource = TableSourceChoice.auto
    /// `--table.check-interval`: seconds between the kept table's rebuilds from a dump.
    public var tableCheckIntervalSeconds: UInt32 = 600
    /// `--table.kernel-cost-per-connection`: the machine's CPU seconds beyond the exporter for a
    /// connection's UPDATE messages, which `auto` adds to what keeping the table costs.
    public var tableKernelSecondsPerConnection = TableSourcePolicy.defaultKernelSecondsPerConnection
    /// Serve `/connections` and `/hosts`.
    public var views = true
    /// `--log-events`: one line per connection event on standard output, in this format.
    public var eventLog: EventLogFormat?
    /// `--nat.port-range`: the ports source-NAT rules allocate from.
    public var natPortRanges = PortRangeMap()
    /// `--nat.top`: the busiest source-NAT translations shown.
    public var natTop = 20
    /// `--nat.udp`: count UDP translations too (every read then dumps every protocol).
    public var natUDP = false
    /// `--names.file`: names for addresses and networks.
    public var namesFile: String?
    /// `--names.dns`: reverse DNS, with these settings; nil for none.
    public var namesDNS: ReverseResolver.Settings?
    /// Optional collectors switched off.
    public var disabledCollectors: Set<CollectorName> = []

    /// The default host cap: a flood of new addresses or ports cannot grow memory or the scrape
    /// past what the shipped DaemonSet allows.
    public static let defaultMaxHosts = 1000
    /// A table read counts at most this many times `maxHosts` hosts apart.
    public static let tableHostsPerSeries = 64

    public init() {}

    /// The table source the exporter runs: `auto` measures churn by the lifecycle collector's
    /// NEW and DESTROY events, so without that collector (no events wanted, none subscribed)
    /// it reads by dumps.
    public var tableSourceInForce: TableSourceChoice {
        tableSource == .auto && !collectors.contains(.lifecycle) ? .dump : tableSource
    }

    /// The collectors that run, in order.
    public var collectors: [CollectorName] {
        CollectorName.allCases.filter { !disabledCollectors.contains($0) }
    }
}
