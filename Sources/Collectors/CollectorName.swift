/// The exporter's collectors, as `conntrack_exporter_collector_success{collector}` and the
/// `--collector.<name>` / `--no-collector.<name>` flags name them, in the order they run.
public enum CollectorName: String, CaseIterable, Sendable {
    /// The per-host gauges and histograms, from the table read.
    case connectionStates = "connection_states"
    /// Opened and closed counters from conntrack events; off, nothing subscribes to events.
    case lifecycle
    /// Bytes and packets per host and direction (needs nf_conntrack_acct and the lifecycle collector).
    case traffic
    /// Destination-NAT backends and source-NAT port use.
    case nat
    /// `conntrack_host_info` and the resolver's health (with a names file or reverse DNS).
    case names
    /// The table's fill and the kernel's per-CPU statistics.
    case tableHealth = "table_health"
    /// Whether the gauges come from dumps or a table kept from events, and that table's health.
    case tableSource = "table_source"
    /// The standard `process_*` metrics.
    case process
    /// What the HTTP server turned away, by reason.
    case http
    /// `conntrack_exporter_build_info`.
    case buildInfo = "build_info"

    /// Whether a flag may switch it off; the others always run.
    public var isOptional: Bool { self != .connectionStates && self != .buildInfo }

    /// What it exposes, for `--help` and the README.
    public var summary: String {
        switch self {
        case .connectionStates: "per-host connection states from the table"
        case .lifecycle: "opened/closed counters from conntrack events (off: no event subscription at all)"
        case .traffic: "bytes and packets per host and direction, with nf_conntrack_acct=1 (needs lifecycle)"
        case .nat: "connections per destination-NAT backend, source-NAT ports in use against their range"
        case .names: "conntrack_host_info names, and the resolver's health (with --names.file or --names.dns)"
        case .tableHealth: "table fill and the kernel's conntrack statistics"
        case .tableSource: "where the gauges come from (--table.source) and the kept table's rebuilds and corrections"
        case .process: "the standard process_* metrics"
        case .http: "requests and connections the HTTP server turned away, by reason"
        case .buildInfo: "conntrack_exporter_build_info"
        }
    }
}
