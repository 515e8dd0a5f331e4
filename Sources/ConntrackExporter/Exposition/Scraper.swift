import Logging

/// Runs every collector once and reports whether all of them could read their source
/// (`conntrack_exporter_collect_success`). A failing collector is logged and skipped;
/// the scrape itself always succeeds.
public final class Scraper {
    static let success = MetricDescriptor("conntrack_exporter_collect_success", .gauge,
        help: "1 if the last scrape read the conntrack table, 0 if reading it failed (see the exporter's log).")

    private let collectors: [(name: String, collector: any Collector)]
    private let logger: Logger
    private var lastSize = 0

    public init(collectors: [(name: String, collector: any Collector)], logger: Logger) {
        self.collectors = collectors
        self.logger = logger
    }

    /// The exposition text of one scrape.
    public func scrape() -> [UInt8] {
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
        lastSize = writer.bytes.count
        return writer.bytes
    }
}
