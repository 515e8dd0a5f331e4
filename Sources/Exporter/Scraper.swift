import Collectors
import ConntrackAggregation
import Exposition
import LinuxSystem
import Logging
import TextFormatting

/// Reads the table and runs every registered collector once on that read, and reports
/// whether all of them could read their source (`conntrack_exporter_collect_success`).
/// A failing read or collector is logged and leaves the rest of the scrape whole.
public final class Scraper {
    static let success = MetricDescriptor("conntrack_exporter_collect_success", .gauge,
        help: "1 if the table read and every collector succeeded at this scrape, 0 if any failed (conntrack_exporter_collector_success says which; see the exporter's log).")
    static let duration = MetricDescriptor("conntrack_exporter_collect_duration_seconds", .gauge,
        help: "How long this scrape took to read the kernel and build the response, in seconds.")
    static let reads = MetricDescriptor("conntrack_exporter_table_reads_total", .counter,
        help: "Reads of the conntrack table (dumps), for scrapes and views together; shared and paced (see --table.max-age).")
    static let readSeconds = MetricDescriptor("conntrack_exporter_table_read_seconds_total", .counter,
        help: "Time spent reading the conntrack table, in seconds: its rate() is the share of time the exporter keeps the table being dumped.")
    static let readTime = MetricDescriptor("conntrack_exporter_table_read_timestamp_seconds", .gauge,
        help: "When the table read this response comes from started, in seconds since the epoch: time() minus it is the data's age.")

    private let table: any TableSource
    private let events: LifecycleStore?
    private let registry: CollectorRegistry<ScrapeContext>
    private var lastSize = 0
    private var readCount: UInt64 = 0
    private var readSeconds = 0.0
    /// When the exporter started counting, in seconds since the epoch: the `_created` of its counters.
    private let started = Double(ConnectionClassifier.realTimeNanoseconds()) / 1e9

    /// Runs before each read (a scrape's or a view's): what a collector must note at the moment
    /// the read starts, and files that are re-read when they change.
    private let beforeRead: () -> Void

    /// `events`, when connections are counted from events, is copied once per scrape for its collectors.
    public init(table: any TableSource, events: LifecycleStore? = nil, collectors: [CollectorRegistry<ScrapeContext>.Entry],
                beforeRead: @escaping () -> Void = {}, logger: Logger) {
        self.table = table
        self.events = events
        self.beforeRead = beforeRead
        registry = CollectorRegistry(prefix: "conntrack_exporter", collectors, logger: logger)
    }

    /// Reads the table once, offering every counted connection to `observers`.
    public func read(observers: [any ConnectionObserver] = []) -> Result<TableRead, SystemError> {
        beforeRead()
        let start = ContinuousClock.now
        defer {
            readCount += 1
            readSeconds += (ContinuousClock.now - start).inSeconds
        }
        return Result { () throws(SystemError) in try table.read(observers: observers) }
    }

    /// The exposition of a scrape of `read`, which took `readDuration`, in `format`.
    public func exposition(of read: Result<TableRead, SystemError>, readDuration: Duration = .zero,
                           format: ExpositionFormat = .text) -> [UInt8] {
        let start = ContinuousClock.now
        var writer = ExpositionWriter(format: format, created: started, reservingCapacity: lastSize + lastSize / 8)
        let succeeded = registry.collect(ScrapeContext(table: read, events: events?.snapshot), into: &writer)
        writer.header(Self.reads)
        writer.sample(Self.reads.name, value: readCount)
        writer.header(Self.readSeconds)
        writer.sample(Self.readSeconds.name, floatValue: readSeconds)
        if case .success(let table) = read {
            writer.header(Self.readTime)
            writer.sample(Self.readTime.name, floatValue: Double(table.table.classifier.nowNanoseconds / 1_000_000) / 1000)
        }
        writer.header(Self.success)
        writer.sample(Self.success.name, value: succeeded ? 1 : 0)
        writer.header(Self.duration)
        writer.sample(Self.duration.name, floatValue: (readDuration + (ContinuousClock.now - start)).inSeconds)
        writer.finish()
        lastSize = writer.bytes.count
        return writer.bytes
    }
}
