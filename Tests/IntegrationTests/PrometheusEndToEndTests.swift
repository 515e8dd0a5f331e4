import Foundation
import IntegrationSupport
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

        let prometheus = try PrometheusServer(in: namespace, target: "127.0.0.1:9318")
        let query = { (promql: String) in try prometheus.query(promql) }
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

    @Test func prometheusScrapesOverTLSWithBasicAuth() throws {
        let namespace = try TestNamespace()
        let tls = try TLSFixture()
        try tls.writeWebConfig(tls: ["cert_file: server.crt", "key_file: server.key"], users: ["prometheus": "s3cret"])
        let exporter = try ExporterProcess(in: namespace, arguments: ["--web.config.file", tls.webConfig],
                                           scheme: "https", curlOptions: tls.curlOptions(user: "prometheus", password: "s3cret"))
        let prometheus = try PrometheusServer(in: namespace, target: "127.0.0.1:9318", scrapeOptions: """
            scheme: https
            tls_config: { ca_file: \(tls.path("ca.crt")) }
            basic_auth: { username: prometheus, password: s3cret }
            """)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, (try? prometheus.query(#"up{job="conntrack"}"#))?.first?.value != "1" {
            Thread.sleep(forTimeInterval: 0.5)
        }
        #expect(try prometheus.query(#"up{job="conntrack"}"#).first?.value == "1")
        #expect(try prometheus.query("conntrack_exporter_collect_success").first?.value == "1")
        withExtendedLifetime(exporter) {}
    }
}
