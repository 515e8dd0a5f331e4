import ConntrackKernel
import ConntrackModel
import Exposition

/// The table's fill and the kernel's per-CPU statistics summed over CPUs, as counters
/// that do not wrap where the kernel's 32-bit values do.
public final class TableHealthCollector: Collector {
    static let entries = MetricDescriptor("conntrack_entries", .gauge,
        help: "Entries in the conntrack table (all protocols), as conntrack -C counts them.")
    static let limit = MetricDescriptor("conntrack_entries_limit", .gauge,
        help: "The table's maximum size (net.netfilter.nf_conntrack_max).")
    static let statistics = ConntrackStatistics.names.map { name in
        MetricDescriptor("conntrack_stat_\(name)_total", .counter,
                         help: "The kernel's per-CPU conntrack statistic '\(name)' summed over CPUs (conntrack -S).")
    }

    static let rejected = MetricDescriptor("conntrack_exporter_dump_messages_rejected_total", .counter,
        help: "Netlink messages the table socket dropped because another process, not the kernel, sent them.")

    private let socket: ConntrackSocket
    /// CPU -> one counter per statistic; only touched by scrapes, one at a time.
    private var counters: [UInt16: [WrappingCounter]] = [:]

    public init(socket: ConntrackSocket) {
        self.socket = socket
    }

    public func collect(_ context: ScrapeContext, into writer: inout ExpositionWriter) throws {
        let read = try ConntrackStatistics.read(from: socket)
        for (cpu, values) in read.perCPU {
            if var cpuCounters = counters[cpu] {
                for index in values.indices { cpuCounters[index].update(values[index]) }
                counters[cpu] = cpuCounters
            } else {
                counters[cpu] = values.map(WrappingCounter.init)
            }
        }
        writer.header(Self.entries)
        writer.sample(Self.entries.name, value: UInt64(read.entries))
        writer.header(Self.limit)
        writer.sample(Self.limit.name, value: UInt64(read.limit))
        writer.header(Self.rejected)
        writer.sample(Self.rejected.name, value: socket.rejectedMessages)
        for (index, family) in Self.statistics.enumerated() {
            writer.header(family)
            writer.sample(family.name, value: counters.values.reduce(0) { $0 + $1[index].total })
        }
    }
}
