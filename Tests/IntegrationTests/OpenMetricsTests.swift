import Foundation
import Glibc
import IntegrationSupport
import Testing

/// The exposition as scrapers read it: OpenMetrics 1.0.0 to one that asks for it, read by the
/// official Python client's parser; the text format to one that does not, clean for promtool;
/// and a real Prometheus, with its default scrape protocols, ingesting every family.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.shouldRun))
struct OpenMetricsTests {
    /// Prometheus's own Accept header (2.42 and 3.x ask for OpenMetrics first).
    static let prometheusAccept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
        + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

    /// Prints each family as "name type", and for counters whether each sample has `_created`.
    static let parser = """
        import sys
        from prometheus_client.openmetrics.parser import text_string_to_metric_families
        for family in text_string_to_metric_families(sys.stdin.read()):
            names = {sample.name for sample in family.samples}
            created = all(name[:-6] + "_created" in names for name in names if name.endswith("_total"))
            print(family.name, family.type, "created" if family.type != "counter" or created else "no-created")
        """

    @Test func everyFamilyReadsInBothFormatsAndPrometheusIngestsIt() throws {
        let namespace = try TestNamespace()
        // Timestamps and accounting on: the age histogram, durations and traffic families have series.
        try namespace.sysctl("net.netfilter.nf_conntrack_timestamp", "1")
        try namespace.sysctl("net.netfilter.nf_conntrack_acct", "1")
        let exporter = try ExporterProcess(in: namespace, arguments: ["--idle-threshold", "1s"])
        // Connections made after the exporter's first read: their traffic is counted.
        _ = try exporter.scrape()
        let sockets = try namespace.inside { () throws -> [Int32] in
            let listener = try LoopbackSocket.listen(port: 7101)
            let pairs = try (0..<3).map { _ in try LoopbackSocket.connectAndAccept(listener: listener, port: 7101) }
            for fd in pairs[0] { close(fd) }
            return [listener] + pairs.dropFirst().flatMap { $0 }
        }
        defer { sockets.forEach { close($0) } }
        // Every family has series once the closed pair is in TIME_WAIT and traffic is counted.
        _ = try exporter.scrape { scrape in
            ["conntrack_time_wait_connections", "conntrack_traffic_bytes_total", "conntrack_open_connection_age_seconds_bucket"]
                .allSatisfy { family in scrape.samples.contains { $0.name == family } }
        }

        let openMetrics = try namespace.exec(["curl", "-sS", "--fail", "-H", "Accept: \(Self.prometheusAccept)", "-D", "/dev/stderr",
                                              "http://127.0.0.1:9318/metrics"])
        #expect(openMetrics.hasSuffix("# EOF\n"))
        let parsed = try run(["python3", "-c", Self.parser], input: openMetrics)
        let families = Dictionary(parsed.split(separator: "\n").map { line -> (String, (type: String, created: Bool)) in
            let parts = line.split(separator: " ").map(String.init)
            return (parts[0], (parts[1], parts[2] == "created"))
        }, uniquingKeysWith: { first, _ in first })
        #expect(families["conntrack_open_connection_idle_seconds"]?.type == "gaugehistogram")
        #expect(families["conntrack_open_connection_age_seconds"]?.type == "gaugehistogram")
        #expect(families["conntrack_connection_duration_seconds"]?.type == "histogram")
        #expect(families["conntrack_traffic_bytes"]?.type == "counter")
        #expect(families.filter { !$0.value.created }.isEmpty, "counters without _created: \(families.filter { !$0.value.created })")

        let text = try exporter.scrape()
        let lint = try runAllowingFailure(["promtool", "check", "metrics"], input: text.text)
        #expect(lint.status == 0 && lint.output.isEmpty && lint.error.isEmpty, "\(lint)")
        // The same series names in both formats: OpenMetrics adds only _created.
        let textNames = Set(text.samples.map(\.name))
        let openMetricsNames = Set(Exposition(openMetrics).samples.map(\.name)).filter { !$0.hasSuffix("_created") }
        #expect(textNames == openMetricsNames, "only in text: \(textNames.subtracting(openMetricsNames)); only in OpenMetrics: \(openMetricsNames.subtracting(textNames))")

        let prometheus = try PrometheusServer(in: namespace, target: "127.0.0.1:9318")
        var ingested = Set<String>()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !textNames.isSubset(of: ingested) {
            Thread.sleep(forTimeInterval: 0.5)
            let names = (try? namespace.exec(["curl", "-sS", "--fail", "http://127.0.0.1:9090/api/v1/label/__name__/values"])) ?? ""
            let object = try? JSONSerialization.jsonObject(with: Data(names.utf8)) as? [String: Any]
            ingested = Set(object?["data"] as? [String] ?? [])
        }
        #expect(textNames.isSubset(of: ingested), "not ingested: \(textNames.subtracting(ingested))")
        // Prometheus negotiated OpenMetrics, and histogram_quantile reads the gauge histogram.
        #expect(try prometheus.query("histogram_quantile(0.5, conntrack_open_connection_idle_seconds_bucket)").count == 1)
        withExtendedLifetime(exporter) {}
    }
}
