import ConntrackAggregation
import Exposition

/// Where the state gauges come from (`--table.source`), what `auto` estimated each source
/// costs and, for a table kept from events, its size, its rebuilds and what they corrected.
public final class TableSourceCollector: Collector {
    static let source = MetricDescriptor("conntrack_exporter_table_source", .gauge,
        help: "1 for the source the state gauges come from now (--table.source): dump, or events (a table kept from events).")
    static let estimatedCPU = MetricDescriptor("conntrack_exporter_table_source_estimated_cpu", .gauge,
        help: "With --table.source=auto: the CPU each source would cost, in seconds per second, as estimated at the latest choice.")
    static let entries = MetricDescriptor("conntrack_exporter_table_kept_entries", .gauge,
        help: "Connections the table kept from events holds.")
    static let bytes = MetricDescriptor("conntrack_exporter_table_kept_bytes", .gauge,
        help: "Bytes the table kept from events takes for its entries (hosts aside).")
    static let rebuilds = MetricDescriptor("conntrack_exporter_table_rebuilds_total", .counter,
        help: "Rebuilds of the table kept from events from a dump, by reason: start, loss (events were lost), check (--table.check-interval).")
    static let corrections = MetricDescriptor("conntrack_exporter_table_corrections_total", .counter,
        help: "Entries a rebuild found kept wrongly (missing, extra or in another state): above 0 after lost events, otherwise a bug.")
    static let rebuildFailed = MetricDescriptor("conntrack_exporter_table_rebuild_failed", .gauge,
        help: "1 if the last rebuild of the table kept from events failed (see the log); it is retried at the next check.")
    static let detailsTime = MetricDescriptor("conntrack_exporter_table_details_timestamp_seconds", .gauge,
        help: "In events mode, when the dump that idle counts, the idle histogram, open connections' traffic and UDP translations come from started, in seconds since the epoch: time() minus it is their age.")

    private let table: EventTable?
    private let chooser: TableSourceChooser?

    /// `table` nil: the gauges come from dumps; `chooser` with `--table.source=auto`.
    public init(table: EventTable?, chooser: TableSourceChooser? = nil) {
        self.table = table
        self.chooser = chooser
    }

    public func collect(_ context: ScrapeContext, into writer: inout ExpositionWriter) throws {
        let current = chooser?.mode ?? (table != nil ? .events : .dump)
        writer.header(Self.source)
        for mode in TableSourceMode.allCases {
            writer.sample(Self.source.name, labels: ["source": mode.rawValue], value: mode == current ? 1 : 0)
        }
        if let estimate = chooser?.estimate {
            writer.header(Self.estimatedCPU)
            writer.sample(Self.estimatedCPU.name, labels: ["source": TableSourceMode.dump.rawValue], floatValue: estimate.dump)
            writer.sample(Self.estimatedCPU.name, labels: ["source": TableSourceMode.events.rawValue], floatValue: estimate.events)
        }
        guard let table else { return }
        let health = table.health
        writer.header(Self.entries)
        writer.sample(Self.entries.name, value: UInt64(health.entries))
        writer.header(Self.bytes)
        writer.sample(Self.bytes.name, value: UInt64(health.entryBytes))
        writer.header(Self.rebuilds)
        for reason in EventTable.RebuildReason.allCases {
            writer.sample(Self.rebuilds.name, labels: ["reason": reason.rawValue], value: health.rebuilds[reason] ?? 0)
        }
        writer.header(Self.corrections)
        writer.sample(Self.corrections.name, value: health.corrections)
        writer.header(Self.rebuildFailed)
        writer.sample(Self.rebuildFailed.name, value: health.lastRebuildFailed ? 1 : 0)
        if case .success(let read) = context.table, let nanoseconds = read.detailsNanoseconds {
            writer.header(Self.detailsTime)
            writer.sample(Self.detailsTime.name, floatValue: Double(nanoseconds / 1_000_000) / 1000)
        }
    }
}
