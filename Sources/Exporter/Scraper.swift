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
        help: "1 if this scrape read the conntrack table, 0 if reading it failed (see the exporter's log).")
    static let duration = MetricDescriptor("conntrack_exporter_collect_duration_seconds", .gauge,
        help: "How long this scrape took to read the kernel and build the response, in seconds.")

    private let table: any TableSource
    private let registry: CollectorRegistry<ScrapeContext>
    private var lastSize = 0

    public init(table: any TableSource, collectors: [CollectorRegistry<ScrapeContext>.Entry], logger: Logger) {
        self.table = table
        registry = CollectorRegistry(prefix: "conntrack_exporter", collectors, logger: logger)
    }

    /// Reads the table once, offering every counted connection to `observers`.
    public func read(observers: [any ConnectionObserver] = []) -> Result<TableRead, SystemError> {
        Result { () throws(SystemError) in try table.read(observers: observers) }
    }

    /// The exposition text of a scrape of `read`; its duration counts from `start`.
    public func exposition(of read: Result<TableRead, SystemError>, since start: ContinuousClock.Instant) -> [UInt8] {
        var writer = ExpositionWriter(reservingCapacity: lastSize + lastSize / 8)
        let succeeded = registry.collect(ScrapeContext(table: read), into: &writer)
        writer.header(Self.success)
        writer.sample(Self.success.name, value: succeeded ? 1 : 0)
        writer.header(Self.duration)
        writer.sample(Self.duration.name, floatValue: (ContinuousClock.now - start).inSeconds)
        lastSize = writer.bytes.count
        return writer.bytes
    }
}
