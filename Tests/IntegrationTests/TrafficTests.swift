import Foundation
import Glibc
import IntegrationSupport
import Testing

/// The traffic counters against real transfers (nginx, curl, ab, wrk) with accounting switched
/// on inside the test namespace, checked against the kernel's own counts (`conntrack -E -o
/// extended`) and through a real Prometheus.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.shouldRun))
struct TrafficTests {
    private static let mebibyte = 1 << 20

    /// A namespace with accounting on and short TIME_WAIT, nginx serving `files` (name: MiB) on 7801.
    private func setUp(files: [String: Int]) throws -> (TestNamespace, NginxServer) {
        let namespace = try TestNamespace()
        try namespace.sysctl("net.netfilter.nf_conntrack_acct", "1")
        try namespace.sysctl("net.netfilter.nf_conntrack_tcp_timeout_time_wait", "1")
        try namespace.sysctl("net.netfilter.nf_conntrack_tcp_timeout_close", "1")
        let nginx = try NginxServer(in: namespace, servers: """
            server { listen 127.0.0.1:7801; root ROOT; }
            server { listen 127.0.0.1:7802; root ROOT; limit_rate 1m; }
            server { listen 127.0.0.1:7701; keepalive_timeout 0; location / { return 200 "ok\\n"; } }
            server { listen 127.0.0.1:7702; keepalive_timeout 65; keepalive_requests 1000000; location / { return 200 "ok\\n"; } }
            """.replacingOccurrences(of: "ROOT", with: FileManager.default.temporaryDirectory.path), ports: [7801, 7802, 7701, 7702])
        for (name, mebibytes) in files {
            try Data(count: mebibytes * Self.mebibyte).write(to: URL(fileURLWithPath: "\(FileManager.default.temporaryDirectory.path)/\(name)"))
        }
        return (namespace, nginx)
    }

    private func received(_ scrape: Exposition, host: String = "127.0.0.1:7801") -> Double {
        scrape.value("conntrack_traffic_bytes_total", ["host": host, "direction": "received"]) ?? 0
    }

    @Test func fiveDownloadsAreCountedAsTheKernelCountsThem() throws {
        let file = "cte-\(getpid())-ten.bin"
        let (namespace, nginx) = try setUp(files: [file: 10])
        defer { try? FileManager.default.removeItem(atPath: "\(FileManager.default.temporaryDirectory.path)/\(file)") }
        let exporter = try ExporterProcess(in: namespace, arguments: ["--ignore-hosts", ":9318"])
        let oracleFile = FileManager.default.temporaryDirectory.appendingPathComponent("\(namespace.name)-events").path
        let oracle = try NamespaceProcess(in: namespace, ["sh", "-c", "exec conntrack -E -e DESTROY -o extended -p tcp --dport 7801 > \(oracleFile)"])
        defer { try? FileManager.default.removeItem(atPath: oracleFile) }
        Thread.sleep(forTimeInterval: 0.3)
        let before = received(try exporter.scrape())
        for _ in 0..<5 {
            try namespace.exec(["curl", "-sS", "--fail", "-o", "/dev/null", "http://127.0.0.1:7801/\(file)"])
        }
        // Every connection ends (TIME_WAIT is 1 s here) and its DESTROY carries its final counts.
        let after = try exporter.scrape(until: { _ in
            ((try? String(contentsOfFile: oracleFile, encoding: .utf8)) ?? "").split(separator: "\n").count >= 5
        }, seconds: 30)
        Thread.sleep(forTimeInterval: 2.5)
        let settled = try exporter.scrape()
        withExtendedLifetime((oracle, nginx, after)) {}
        // The kernel's own counts: the reply direction of each DESTROY (nginx to curl).
        let lines = try String(contentsOfFile: oracleFile, encoding: .utf8).split(separator: "\n")
        let kernelBytes = lines.compactMap { line in line.matches(of: /bytes=(\d+)/).dropFirst().first.flatMap { Double($0.1) } }
        #expect(kernelBytes.count == 5, "\(lines)")
        let grew = received(settled) - before
        #expect(grew >= Double(5 * 10 * Self.mebibyte))
        #expect(grew == kernelBytes.reduce(0, +), "the exporter counts what the kernel counted")
    }

    @Test func aKeptAliveTransferGrowsSteadilyAndPrometheusSeesItsRate() throws {
        let file = "cte-\(getpid())-twenty.bin"
        let (namespace, nginx) = try setUp(files: [file: 20])
        defer { try? FileManager.default.removeItem(atPath: "\(FileManager.default.temporaryDirectory.path)/\(file)") }
        // Each of Prometheus' scrapes, one a second, reads the table: rate() sees a step every second.
        let exporter = try ExporterProcess(in: namespace, arguments: ["--ignore-hosts", ":9318,:9090", "--table.max-age", "0"])
        let prometheus = try PrometheusServer(in: namespace, target: "127.0.0.1:9318")
        // One connection, nginx sending 1 MiB/s for 20 s (a limit at the receiver would let the
        // kernel move the data in bursts, as its buffers allow).
        let download = try NamespaceProcess(in: namespace, ["curl", "-sS", "-o", "/dev/null", "http://127.0.0.1:7802/\(file)"])
        // The kernel's count of the connection's reply bytes, now.
        let kernelBytes = {
            try namespace.exec(["conntrack", "-L", "-p", "tcp", "--dport", "7802", "-o", "extended"])
                .matches(of: /bytes=(\d+)/).dropFirst().first.flatMap { Double($0.1) } ?? 0
        }
        var values: [Double] = []
        var kernel: [(at: Date, bytes: Double)] = []
        for _ in 0..<10 {
            Thread.sleep(forTimeInterval: 1.5)
            values.append(received(try exporter.scrape(), host: "127.0.0.1:7802"))
            kernel.append((Date(), try kernelBytes()))
        }
        #expect(zip(values, values.dropFirst()).allSatisfy { $0 <= $1 } && values.last! > values.first!, "\(values)")
        let rate = try prometheus.query(#"rate(conntrack_traffic_bytes_total{host="127.0.0.1:7802",direction="received"}[8s])"#)
            .first.flatMap { Double($0.value) } ?? 0
        // The transfer's own rate over the same 8 s, from the kernel's counts.
        let start = try #require(kernel.last { kernel.last!.at.timeIntervalSince($0.at) >= 7.5 })
        let transfer = (kernel.last!.bytes - start.bytes) / kernel.last!.at.timeIntervalSince(start.at)
        #expect(abs(rate - transfer) < 0.05 * transfer, "rate() \(rate) B/s for a transfer of \(transfer) B/s")
        withExtendedLifetime((nginx, download)) {}
    }

    /// Two downloads at 1 MiB/s each, under way before the exporter starts; a third, of 8 MiB,
    /// ends before the window. The exporter is restarted midway while Prometheus scrapes every
    /// second. Over the window, increase() is what the kernel counted in it. A restarted exporter
    /// that started its series at the open downloads' megabytes would show less than before (the
    /// ended download's bytes are gone with the old process): Prometheus would take that for a
    /// reset and add those megabytes again.
    @Test func increaseAcrossARestartIsWhatFlowedInTheWindow() throws {
        let file = "cte-\(getpid())-eighty.bin"
        let short = "cte-\(getpid())-eight.bin"
        // Larger than what flows while the exporter restarts, so the old code's drop shows.
        let (namespace, nginx) = try setUp(files: [file: 80, short: 8])
        defer {
            for name in [file, short] { try? FileManager.default.removeItem(atPath: "\(FileManager.default.temporaryDirectory.path)/\(name)") }
        }
        let downloads = try (0..<2).map { _ in
            try NamespaceProcess(in: namespace, ["curl", "-sS", "-o", "/dev/null", "http://127.0.0.1:7802/\(file)"])
        }
        // The kernel's count of the downloads' reply bytes, now.
        let kernelBytes = {
            try namespace.exec(["conntrack", "-L", "-p", "tcp", "--dport", "7802", "-o", "extended"]).split(separator: "\n")
                .compactMap { $0.matches(of: /bytes=(\d+)/).dropFirst().first.flatMap { Double($0.1) } }.reduce(0, +)
        }
        let waitForBytes = { (bytes: Double) in
            let deadline = Date().addingTimeInterval(60)
            while try kernelBytes() < bytes, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        }
        // Megabytes flow before the exporter starts.
        try waitForBytes(Double(6 * Self.mebibyte))
        let arguments = ["--ignore-hosts", ":9318,:9090", "--table.max-age", "0"]
        var exporter = try ExporterProcess(in: namespace, arguments: arguments)
        let prometheus = try PrometheusServer(in: namespace, target: "127.0.0.1:9318")
        try namespace.exec(["curl", "-sS", "--fail", "-o", "/dev/null", "http://127.0.0.1:7802/\(short)"])
        let ended = try exporter.scrape(until: { scrape in
            scrape.samples.contains { $0.name == "conntrack_connections_closed_total" && $0.labels["host"] == "127.0.0.1:7802" }
        })
        #expect(ended.samples.contains { $0.name == "conntrack_connections_closed_total" && $0.labels["host"] == "127.0.0.1:7802" })
        let series = #"conntrack_traffic_bytes_total{host="127.0.0.1:7802",direction="received"}"#
        let deadline = Date().addingTimeInterval(60)
        while (try? prometheus.query("count_over_time(\(series)[1m])"))?.first.flatMap({ Int($0.value) }) ?? 0 < 3, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.2)
        }
        let start = (at: Date(), bytes: try kernelBytes())
        try waitForBytes(start.bytes + Double(40 * Self.mebibyte))
        #expect(exporter.stop().status == 0)
        exporter = try ExporterProcess(in: namespace, arguments: arguments)
        try waitForBytes(start.bytes + Double(80 * Self.mebibyte))
        let end = (at: Date(), bytes: try kernelBytes())
        // Scraped after the window's end, so the last sample in it is there.
        while (try? prometheus.query("timestamp(\(series))"))?.first.flatMap({ Double($0.value) }) ?? 0 < end.at.timeIntervalSince1970 + 1 {
            Thread.sleep(forTimeInterval: 0.2)
        }
        let window = "\(Int(end.at.timeIntervalSince(start.at) * 1000))ms"
        let increase = try prometheus.query("increase(\(series)[\(window)])", at: end.at).first.flatMap { Double($0.value) } ?? 0
        let flowed = end.bytes - start.bytes
        #expect(abs(increase - flowed) <= 0.05 * flowed, "increase() \(increase) over \(window) for \(flowed) bytes")
        withExtendedLifetime((nginx, downloads, exporter)) {}
    }

    @Test func packetsPerConnectionTellARequestPerConnectionFromAReusedPool() throws {
        let (namespace, nginx) = try setUp(files: [:])
        let exporter = try ExporterProcess(in: namespace, arguments: ["--ignore-hosts", ":9318"])
        let ab = try namespace.exec(["ab", "-q", "-n", "200", "-c", "4", "http://127.0.0.1:7701/"])
        #expect(ab.contains("Complete requests:      200"), "\(ab)")
        _ = try namespace.exec(["wrk", "-t", "2", "-c", "4", "-d", "2s", "http://127.0.0.1:7702/"])
        // Until wrk's connections' DESTROY events came (each closed connection counts once it ended).
        var rows: [[String: Any]] = []
        let packetsOf = { (rows: [[String: Any]], host: String) in
            rows.first { $0["host"] as? String == host }?["packets_per_connection"] as? Double
        }
        let deadline = Date().addingTimeInterval(20)
        repeat {
            Thread.sleep(forTimeInterval: 1)
            let hosts = try namespace.exec(["curl", "-sS", "--fail", "http://127.0.0.1:9318/hosts?format=json"])
            rows = ((try JSONSerialization.jsonObject(with: Data(hosts.utf8)) as? [String: Any])?["hosts"] as? [[String: Any]]) ?? []
        } while (packetsOf(rows, "127.0.0.1:7702") ?? 0) < 100 && Date() < deadline
        let perConnection = { (host: String) in packetsOf(rows, host) }
        let oneRequest = try #require(perConnection("127.0.0.1:7701"))
        let pooled = try #require(perConnection("127.0.0.1:7702"))
        #expect(oneRequest <= 12, "a connection per request: \(oneRequest) packets each")
        #expect(pooled >= 100, "kept alive: \(pooled) packets each")
        let scrape = try exporter.scrape()
        let few = scrape.value("conntrack_connection_packets_bucket", ["outcome": "graceful", "le": "15"]) ?? 0
        #expect(few >= 200, "the histogram holds ab's short connections")
        let total = ["graceful", "reset", "other"].reduce(0) { $0 + (scrape.value("conntrack_connection_packets_count", ["outcome": $1]) ?? 0) }
        let small = ["graceful", "reset", "other"].reduce(0) { $0 + (scrape.value("conntrack_connection_packets_bucket", ["outcome": $1, "le": "100"]) ?? 0) }
        #expect(total - small >= 1, "and wrk's long ones")
        withExtendedLifetime(nginx) {}
    }

    @Test func withAccountingOffThereIsNoTrafficSeriesAndOneLogLine() throws {
        let namespace = try TestNamespace()
        let exporter = try ExporterProcess(in: namespace)
        for _ in 0..<3 { _ = try exporter.scrape() }
        let scrape = try exporter.scrape()
        #expect(scrape.value("conntrack_accounting_enabled") == 0)
        #expect(!scrape.text.contains("conntrack_traffic_bytes_total"))
        let log = exporter.stop().log
        #expect(log.components(separatedBy: "traffic counters are off").count == 2, "\(log)")
    }
}
