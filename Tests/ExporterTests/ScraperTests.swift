@testable import Collectors
import ConntrackAggregation
import ConntrackModel
@testable import Exporter
import Exposition
import Logging
import Synchronization
import TestFixtures
import Testing

@Suite struct ScraperTests {
    /// Keeps what a logger was asked to log.
    final class RecordingLogHandler: LogHandler, @unchecked Sendable {
        let lines = Mutex<[String]>([])
        var logLevel: Logger.Level = .debug
        var metadata: Logger.Metadata = [:]
        var metadataProvider: Logger.MetadataProvider?
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            lines.withLock { $0.append("\(event.level) \(event.message) \(event.metadata ?? [:])") }
        }
    }

    @Test func reportsSuccess() {
        let scraper = Scraper(table: FixedTable(), collectors: [.init("connection_states", ConnectionStateCollector()),
                                                             .init("build_info", BuildInfoCollector())], logger: Logger(label: "test"))
        let text = String(decoding: scraper.exposition(of: scraper.read()), as: UTF8.self)
        #expect(text.contains("conntrack_exporter_collect_success 1\n"))
        #expect(text.contains("conntrack_exporter_build_info{version=\"\(BuildInfo.version)\",revision=\""))
    }

    @Test func aFailedReadIsLoggedAndReportedAsZero() {
        let handler = RecordingLogHandler()
        let scraper = Scraper(table: FixedTable(fails: true), collectors: [.init("connection_states", ConnectionStateCollector()),
                                                                          .init("build_info", BuildInfoCollector())],
                              logger: Logger(label: "test") { _ in handler })
        let text = String(decoding: scraper.exposition(of: scraper.read()), as: UTF8.self)
        #expect(text.contains("conntrack_exporter_collect_success 0\n"))
        #expect(text.contains("conntrack_exporter_build_info{"), "other collectors still report")
        #expect(!text.contains("conntrack_open_connections"), "no family of the table is written")
        let lines = handler.lines.withLock { $0 }
        #expect(lines.count == 1)
        #expect(lines.first?.contains("dumping the conntrack table") == true)
    }

    @Test func reportsEachCollectorsSuccess() {
        let scraper = Scraper(table: FixedTable(fails: true), collectors: [.init("connection_states", ConnectionStateCollector()),
                                                                          .init("build_info", BuildInfoCollector())],
                              logger: Logger(label: "test"))
        let text = String(decoding: scraper.exposition(of: scraper.read()), as: UTF8.self)
        #expect(text.contains("conntrack_exporter_collector_success{collector=\"connection_states\"} 0\n"))
        #expect(text.contains("conntrack_exporter_collector_success{collector=\"build_info\"} 1\n"))
        #expect(text.contains("conntrack_exporter_collector_duration_seconds{collector=\"build_info\"} "))
    }

    /// Records an opened connection when it runs, as the listener thread may between two
    /// collectors, and notes how many the scrape's counters held.
    final class CountingOpened: Collector {
        let store: LifecycleStore
        let seen = Mutex<[UInt64]>([])

        init(store: LifecycleStore) { self.store = store }

        func collect(_ context: ScrapeContext, into writer: inout ExpositionWriter) {
            seen.withLock { $0.append(context.events?.opened.values.reduce(0, +) ?? 0) }
            store.withCounters { $0.recordOpened(HostKey(RemoteEndpoint(address: IPAddress("198.18.0.9")!, port: 80), mode: .endpoint), at: 0) }
        }
    }

    /// Collectors used to copy the counters each for itself, so events arriving mid-scrape made
    /// two families disagree (a host's closed connections 8 beside its backends' 5 + 5).
    @Test func everyCollectorOfAScrapeSeesTheSameEventCounters() {
        let store = LifecycleStore(LifecycleCounters())
        let probe = CountingOpened(store: store)
        let scraper = Scraper(table: FixedTable(), events: store, collectors: [.init("first", probe), .init("second", probe)],
                              logger: Logger(label: "test"))
        _ = scraper.exposition(of: scraper.read())
        _ = scraper.exposition(of: scraper.read())
        #expect(probe.seen.withLock { $0 } == [0, 0, 2, 2])
    }
}
