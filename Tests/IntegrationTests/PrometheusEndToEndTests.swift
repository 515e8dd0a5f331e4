import Foundation
import Testing

/// A real Prometheus server (Debian's package) in a test namespace scrapes the exporter;
/// the values arrive through Prometheus' HTTP API.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.shouldRun))
struct PrometheusEndToEndTests {
    @Test func prometheusScrapesPerHostValues() throws {
        let namespace = try TestNamespace()
        let exporter = try ExporterProcess(in: namespace, arguments: ["--ignore-hosts", ":9318,:9090"])
        let sockets = try namespace.inside { () throws -> [Int32] in
            let listener = try LoopbackSocket.listen(port: 7001)
            return try [listener] + (0..<3).flatMap { _ in try LoopbackSocket.connectAndAccept(listener: listener, port: 7001) }
        }
        defer { sockets.forEach { close($0) } }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(namespace.name)-prometheus")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("prometheus.yml").path
        try """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: conntrack
                static_configs:
                  - targets: ["127.0.0.1:9318"]
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let prometheus = Process()
        prometheus.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        prometheus.arguments = ["ip", "netns", "exec", namespace.name, "prometheus", "--config.file=\(config)",
                                "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
                                "--web.listen-address=127.0.0.1:9090"]
        prometheus.standardOutput = FileHandle.nullDevice
        prometheus.standardError = FileHandle.nullDevice
        try prometheus.run()
        defer {
            prometheus.terminate()
            prometheus.waitUntilExit()
        }

        func query(_ promql: String) throws -> [(labels: [String: String], value: String)] {
            let text = try namespace.exec(["curl", "-sS", "--fail", "--get", "--data-urlencode", "query=\(promql)",
                                           "http://127.0.0.1:9090/api/v1/query"])
            let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
            let result = (object?["data"] as? [String: Any])?["result"] as? [[String: Any]] ?? []
            return result.map { ($0["metric"] as? [String: String] ?? [:], ($0["value"] as? [Any])?.last as? String ?? "") }
        }

        let deadline = Date().addingTimeInterval(60)
        var up: [(labels: [String: String], value: String)] = []
        var open: [(labels: [String: String], value: String)] = []
        while Date() < deadline {
            up = (try? query(#"up{job="conntrack"}"#)) ?? []
            open = (try? query(#"conntrack_open_connections{host="127.0.0.1:7001"}"#)) ?? []
            if up.first?.value == "1" && open.first?.value == "3" { break }
            Thread.sleep(forTimeInterval: 0.5)
        }
        #expect(up.first?.value == "1")
        #expect(open.first?.value == "3")
        #expect(open.first?.labels["instance"] == "127.0.0.1:9318")
        #expect(try query(#"conntrack_connections_opened_total{host="127.0.0.1:7001"}"#).first?.value == "3")
        #expect(try query("conntrack_exporter_collect_success").first?.value == "1")
        let samples = try query(#"scrape_samples_scraped{job="conntrack"}"#).first.flatMap { Int($0.value) } ?? 0
        #expect(samples > 20, "samples scraped: \(samples)")
        withExtendedLifetime(exporter) {}
    }
}
