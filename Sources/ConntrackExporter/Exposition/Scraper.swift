import Logging

/// Runs every collector once and reports whether all of them could read their source
/// (`conntrack_exporter_collect_success`). A failing collector is logged and skipped;
/// the scrape itself always succeeds.
public final class Scraper {
    static let success = MetricDescriptor("conntrack_exporter_collect_success", .gauge,
        help: "1 if this scrape read the conntrack table, 0 if reading it failed (see the exporter's log).")
    static let duration = MetricDescriptor("conntrack_exporter_collect_duration_seconds", .gauge,
        help: "How long this scrape took to read the kernel and build the response, in seconds.")

    private let collectors: [(name: String, collector: any Collector)]
    private let logger: Logger
    private var lastSize = 0

    public init(collectors: [(name: String, collector: any Collector)], logger: Logger) {
        self.collectors = collectors
        self.logger = logger
    }

    /// The exposition text of one scrape.
    public func scrape() -> [UInt8] {
        let start = ContinuousClock.now
        var writer = ExpositionWriter(reservingCapacity: lastSize + lastSize / 8)
        var succeeded = true
        for (name, collector) in collectors {
            do {
                try collector.collect(into: &writer)
            } catch {
                succeeded = false
                logger.error("collector failed", metadata: ["collector": "\(name)", "err": "\(error)"])
            }
        }
        writer.header(Self.success)
        writer.sample(Self.success.name, value: succeeded ? 1 : 0)
        let elapsed = (ContinuousClock.now - start).components
        writer.header(Self.duration)
        writer.sample(Self.duration.name, floatValue: Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
        lastSize = writer.bytes.count
        return writer.bytes
    }
}
