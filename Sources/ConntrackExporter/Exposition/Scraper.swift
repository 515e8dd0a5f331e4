import Logging

/// Reads the table and runs every collector once, and reports whether all of them could
/// read their source (`conntrack_exporter_collect_success`). A failing read or collector
/// is logged and skipped; the scrape itself always succeeds.
public final class Scraper {
    static let success = MetricDescriptor("conntrack_exporter_collect_success", .gauge,
        help: "1 if this scrape read the conntrack table, 0 if reading it failed (see the exporter's log).")
    static let duration = MetricDescriptor("conntrack_exporter_collect_duration_seconds", .gauge,
        help: "How long this scrape took to read the kernel and build the response, in seconds.")

    private let table: any TableSource
    private let tableCollector: ConnectionStateCollector
    private let collectors: [(name: String, collector: any Collector)]
    private let logger: Logger
    private var lastSize = 0

    public init(table: any TableSource, tableCollector: ConnectionStateCollector = ConnectionStateCollector(),
                collectors: [(name: String, collector: any Collector)], logger: Logger) {
        self.table = table
        self.tableCollector = tableCollector
        self.collectors = collectors
        self.logger = logger
    }

    /// Reads the table once, selecting connections for `queries`; a failure is logged.
    public func read(queries: [ConnectionQuery] = []) -> Result<TableRead, SystemError> {
        let read = Result { () throws(SystemError) in try table.read(queries: queries) }
        if case .failure(let error) = read {
            logger.error("collector failed", metadata: ["collector": "connection_states", "err": "\(error)"])
        }
        return read
    }

    /// The exposition text of a scrape: the families of `read`, then every collector's;
    /// the scrape's duration counts from `start`.
    public func exposition(of read: Result<TableRead, SystemError>, since start: ContinuousClock.Instant) -> [UInt8] {
        var writer = ExpositionWriter(reservingCapacity: lastSize + lastSize / 8)
        var succeeded = true
        if case .success(let read) = read {
            tableCollector.write(read.table, into: &writer)
        } else {
            succeeded = false
        }
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
        writer.header(Self.duration)
        writer.sample(Self.duration.name, floatValue: (ContinuousClock.now - start).inSeconds)
        lastSize = writer.bytes.count
        return writer.bytes
    }
}
