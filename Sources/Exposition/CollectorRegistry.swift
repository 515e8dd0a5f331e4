import Logging
import TextFormatting

/// The collectors of a scrape, in one list: runs each in turn and reports each one's
/// success and duration, as node_exporter's `node_scrape_collector_*` do. A collector that
/// fails is logged and leaves nothing behind; the others still report.
public struct CollectorRegistry<Context> {
    /// A collector under the name its metrics and log lines give it.
    public struct Entry {
        public let name: String
        public let collector: any Collector<Context>

        public init(_ name: String, _ collector: any Collector<Context>) {
            self.name = name
            self.collector = collector
        }
    }

    public let entries: [Entry]
    private let success: MetricDescriptor
    private let duration: MetricDescriptor
    private let logger: Logger

    /// `prefix` names the metrics: `<prefix>_collector_success{collector}` and
    /// `<prefix>_collector_duration_seconds{collector}`.
    public init(prefix: String, _ entries: [Entry], logger: Logger) {
        self.entries = entries
        self.logger = logger
        success = MetricDescriptor("\(prefix)_collector_success", .gauge,
                                   help: "1 if the collector read its source at this scrape, 0 if it failed (see the log).")
        duration = MetricDescriptor("\(prefix)_collector_duration_seconds", .gauge,
                                    help: "How long the collector took at this scrape, in seconds.")
    }

    /// Runs every collector into `writer`, then writes their success and duration; returns
    /// whether every one succeeded.
    public func collect(_ context: Context, into writer: inout ExpositionWriter) -> Bool {
        var results: [(name: String, succeeded: Bool, seconds: Double)] = []
        for entry in entries {
            let start = ContinuousClock.now
            let mark = writer.bytes.count
            var succeeded = true
            do {
                try entry.collector.collect(context, into: &writer)
            } catch {
                succeeded = false
                writer.truncate(to: mark)
                logger.error("collector failed", metadata: ["collector": "\(entry.name)", "err": "\(error)"])
            }
            results.append((entry.name, succeeded, (ContinuousClock.now - start).inSeconds))
        }
        writer.header(success)
        for result in results {
            writer.sample(success.name, labels: ["collector": result.name], value: result.succeeded ? 1 : 0)
        }
        writer.header(duration)
        for result in results {
            writer.sample(duration.name, labels: ["collector": result.name], floatValue: result.seconds)
        }
        return results.allSatisfy(\.succeeded)
    }
}
