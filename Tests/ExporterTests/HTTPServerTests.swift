@testable import Collectors
@testable import ConntrackAggregation
@testable import Exporter
@testable import Exposition
import Foundation
import Glibc
@testable import HTTPServer
import Logging
import Synchronization
import TestFixtures
import Testing

/// A collector that counts its reads, takes `delay` for each and pads the body to about `bodyBytes`.
final class CountingCollector: Collector, @unchecked Sendable {
    typealias Context = ScrapeContext

    let reads = Mutex(0)
    let delay: Duration
    let bodyBytes: Int

    init(delay: Duration = .zero, bodyBytes: Int = 0) {
        self.delay = delay
        self.bodyBytes = bodyBytes
    }

    func collect(_ context: ScrapeContext, into writer: inout ExpositionWriter) throws {
        let read = reads.withLock { reads in
            reads += 1
            return reads
        }
        Thread.sleep(forTimeInterval: Double(delay.components.attoseconds) / 1e18 + Double(delay.components.seconds))
        writer.header(MetricDescriptor("test_reads", .gauge, help: "Reads so far."))
        writer.sample("test_reads", value: UInt64(read))
        if bodyBytes > 0 {
            writer.header(MetricDescriptor("test_padding", .gauge, help: String(repeating: "x", count: bodyBytes)))
        }
    }
}

/// An exporter HTTP server on 127.0.0.1 and an ephemeral port, on its own thread.
final class RunningServer {
    let port: UInt16
    let collector: CountingCollector
    /// The write end of a pipe whose read end the server watches: writing stops it.
    private let stop: Int32
    private let stopped: Int32
    private let thread: Thread
    private let finished = DispatchSemaphore(value: 0)

    let table: FixedTable

    init(delay: Duration = .zero, bodyBytes: Int = 0, limits: HTTPServer.Limits = HTTPServer.Limits(),
         table: FixedTable = FixedTable(), reading source: (any TableSource)? = nil, views: Bool = false) throws {
        self.table = table
        let listeners = try ListeningSocket.open(ListenAddress(host: "127.0.0.1", port: 0))
        port = listeners[0].boundPort
        collector = CountingCollector(delay: delay, bodyBytes: bodyBytes)
        let logger = Logger(label: "test")
        let scraper = Scraper(table: source ?? table, collectors: [.init("connection_states", ConnectionStateCollector()),
                                                                  .init("test", collector)], logger: logger)
        let coalescer = ScrapeCoalescer(scraper: scraper)
        let routes = ExporterRoutes(telemetryPath: "/metrics", coalescer: coalescer,
                                    views: views ? DiagnosticViews(coalescer: coalescer, lifecycle: { LifecycleCounters() }) : nil)
        let server = try HTTPServer(listeners: listeners, limits: limits, logger: logger, handler: routes.handle)
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw TestFailure("pipe failed") }
        stop = pipeEnds[1]
        stopped = pipeEnds[0]
        let stopFD = stopped
        let finished = finished
        nonisolated(unsafe) let unsafeServer = server
        thread = Thread {
            try? unsafeServer.run(until: stopFD)
            finished.signal()
        }
        thread.start()
    }

    deinit {
        close(stop)
        finished.wait()
        close(stopped)
    }
}

@Suite(.serialized) struct HTTPServerTests {
    @Test func servesMetricsLandingPageAndErrors() throws {
        let server = try RunningServer()
        let client = try TestHTTPClient(port: server.port)

        try client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        let metrics = try client.response()
        #expect(metrics.status == 200)
        #expect(metrics.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(metrics.body.contains("test_reads 1\n"))
        #expect(metrics.body.contains("conntrack_exporter_collect_success 1\n"))
        // An IMF-fixdate, e.g. "Wed, 25 Nov 2026 12:00:00 GMT".
        #expect(metrics.headers["date"]?.wholeMatch(of: /[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT/) != nil)

        try client.send("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: application/openmetrics-text;version=1.0.0,text/plain;q=0.5\r\n\r\n")
        let openMetrics = try client.response()
        #expect(openMetrics.headers["content-type"] == "application/openmetrics-text; version=1.0.0; charset=utf-8")
        #expect(openMetrics.body.hasSuffix("conntrack_exporter_collect_duration_seconds 0\n# EOF\n")
                || openMetrics.body.hasSuffix("# EOF\n"))

        try client.send("HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = try client.response(head: true)
        #expect(head.status == 200)
        #expect(Int(head.headers["content-length"] ?? "") ?? 0 > 0)

        try client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let landing = try client.response()
        #expect(landing.headers["content-type"] == "text/html; charset=utf-8")
        #expect(landing.body.contains("<a href=\"/metrics\">"))

        try client.send("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.response().status == 404)

        try client.send("DELETE /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        let notAllowed = try client.response()
        #expect(notAllowed.status == 405)
        #expect(notAllowed.headers["allow"] == "GET, HEAD")
    }

    @Test func compressesWhenTheClientAcceptsGzip() throws {
        let server = try RunningServer()
        let client = try TestHTTPClient(port: server.port)
        try client.send("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
        let compressed = try client.response()
        #expect(compressed.headers["content-encoding"] == "gzip")
        #expect(compressed.headers["vary"] == "Accept, Accept-Encoding")
        let text = try gunzip(compressed.bytes)
        #expect(text.contains("conntrack_exporter_collect_success 1\n"))

        try client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        let plain = try client.response()
        #expect(plain.headers["content-encoding"] == nil)
        #expect(plain.body.contains("conntrack_exporter_collect_success 1\n"))
    }

    @Test func keepsConnectionsAliveUntilAskedToClose() throws {
        let server = try RunningServer()
        let client = try TestHTTPClient(port: server.port)
        // Two pipelined requests, then one that asks to close.
        try client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.response().status == 200)
        #expect(try client.response().status == 200)
        try client.send("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let last = try client.response()
        #expect(last.status == 200)
        #expect(last.headers["connection"] == "close")
        #expect(client.isClosedByServer())
    }

    @Test func answersMalformedRequestsWith400AndCloses() throws {
        let server = try RunningServer()
        let client = try TestHTTPClient(port: server.port)
        try client.send("GARBAGE\r\n\r\n")
        #expect(try client.response().status == 400)
        #expect(client.isClosedByServer())
    }

    @Test func answersOversizedHeadsWith431AndCloses() throws {
        let server = try RunningServer()
        let client = try TestHTTPClient(port: server.port)
        try client.send("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: " + String(repeating: "a", count: 9000))
        #expect(try client.response().status == 431)
        #expect(client.isClosedByServer())
    }

    @Test func idleClientsDoNotStarveAScrape() throws {
        let server = try RunningServer()
        var idle: [TestHTTPClient] = []
        for index in 0..<200 {
            let client = try TestHTTPClient(port: server.port)
            // Half never send a byte, half stop in the middle of their headers.
            if index.isMultiple(of: 2) { try client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n") }
            idle.append(client)
        }
        let start = ContinuousClock.now
        let client = try TestHTTPClient(port: server.port)
        try client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.response().status == 200)
        // A functional bound (the scrape is not starved), not a speed goal: benchmarks measure speed.
        #expect(ContinuousClock.now - start < .seconds(2))
        withExtendedLifetime(idle) {}
    }

    @Test func closesHeadsThatTakeTooLong() throws {
        var limits = HTTPServer.Limits()
        limits.headTimeout = .milliseconds(300)
        let server = try RunningServer(limits: limits)
        let client = try TestHTTPClient(port: server.port)
        try client.send("GET /metrics HTTP/1.1\r\n")
        #expect(try client.response().status == 408)
        #expect(client.isClosedByServer())
    }

    @Test func survivesPeersThatResetMidResponse() throws {
        let server = try RunningServer(delay: .milliseconds(100))
        for _ in 0..<20 {
            let client = try TestHTTPClient(port: server.port)
            try client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            client.reset()
        }
        let client = try TestHTTPClient(port: server.port)
        try client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.response().status == 200)
    }

    @Test func concurrentScrapesShareOneRead() throws {
        let server = try RunningServer(delay: .milliseconds(300))
        let clients = try (0..<10).map { _ in try TestHTTPClient(port: server.port) }
        for client in clients { try client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n") }
        for client in clients { #expect(try client.response().status == 200) }
        // The first request starts a read; the rest arrive during it and share it.
        #expect(server.collector.reads.withLock { $0 } == 1)
    }
}
