import ConntrackAggregation
import ConntrackModel
import Exposition
import HostNames
import LinuxSystem

/// Names of hosts: `conntrack_host_info{host, name, source} 1` for the hosts of this scrape
/// that have one, so dashboards join names onto every per-host family without changing any
/// series; and the resolver's health. Each scrape asks for the names of its busiest hosts.
public struct NamesCollector: Collector {
    static let info = MetricDescriptor("conntrack_host_info", .gauge,
        help: "1 for each host with a name: from the names file (source=\"file\") or forward-confirmed reverse DNS (source=\"dns\"). Join it on host.")
    static let lookups = MetricDescriptor("conntrack_exporter_name_lookups_total", .counter,
        help: "Reverse DNS lookups by result: named, not_found, unconfirmed (the forward records lack the address), rejected (not a valid host name), server_failure, timeout, error.")
    static let rejected = MetricDescriptor("conntrack_exporter_names_rejected_total", .counter,
        help: "PTR answers refused, by reason: character, length, hyphen, address (an IP address posing as a name), malformed.")
    static let cache = MetricDescriptor("conntrack_exporter_name_cache_entries", .gauge,
        help: "Addresses the resolver remembers, named or not (bounded by --names.cache-size).")
    static let queued = MetricDescriptor("conntrack_exporter_name_lookups_queued", .gauge,
        help: "Addresses waiting for a lookup.")
    static let duration = MetricDescriptor("conntrack_exporter_name_lookup_duration_seconds", .histogram,
        help: "How long reverse lookups took, confirmation included.")

    private let directory: HostNameDirectory
    private let renderer: HostRenderer
    /// Hosts whose names are asked for at each scrape, the busiest first.
    private let wanted: Int

    public init(directory: HostNameDirectory, renderer: HostRenderer, wanted: Int) {
        self.directory = directory
        self.renderer = renderer
        self.wanted = wanted
    }

    public func collect(_ context: ScrapeContext, into writer: inout ExpositionWriter) throws(SystemError) {
        let read = try context.table.get()
        // The busiest hosts of the read, then hosts that only have counters (their connections closed).
        var shown = Array(read.table.hosts.filter { $0.key != .other }.sorted { $0.value.total > $1.value.total }.prefix(wanted).map(\.key))
        let inRead = Set(shown)
        shown += (context.events?.lastChanged.keys.filter { $0 != .other && !inRead.contains($0) } ?? []).prefix(wanted)
        directory.want(shown)

        var named: [(key: HostKey, value: HostName)] = []
        for host in shown { if let name = renderer.name(of: host) { named.append((host, name)) } }
        let series = HostSeries(named, renderer: renderer)
        writer.header(Self.info)
        for (index, name) in series.values.enumerated() {
            writer.sample(Self.info.name, label: index, of: series.labels, extra: ("name", name.name), then: ("source", name.source.rawValue), value: 1)
        }
        guard let statistics = directory.resolver?.statistics else { return }
        writer.header(Self.lookups)
        for result in ReverseResolver.Result.allCases {
            writer.sample(Self.lookups.name, labelList: [("result", result.rawValue)], value: statistics.lookups[result] ?? 0)
        }
        writer.header(Self.rejected)
        for reason in HostNameSyntax.Rejection.allCases {
            writer.sample(Self.rejected.name, labelList: [("reason", reason.rawValue)], value: statistics.rejected[reason] ?? 0)
        }
        writer.header(Self.cache)
        writer.sample(Self.cache.name, value: UInt64(statistics.cacheEntries))
        writer.header(Self.queued)
        writer.sample(Self.queued.name, value: UInt64(statistics.queued))
        writer.histogram(Self.duration, statistics.durations)
    }
}
