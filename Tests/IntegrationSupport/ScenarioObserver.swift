import Foundation
import Testing

/// Watches an incident scenario from three sides: the exporter's scrapes, a real Prometheus
/// scraping it, and the kernel (`conntrack -L`, `ss`). The Prometheus answers are printed,
/// so the numbers in docs/troubleshooting.md can be reproduced.
package final class ScenarioObserver {
    package let namespace: TestNamespace
    package let exporter: ExporterProcess
    package let prometheus: PrometheusServer
    private let name: String

    package init(_ name: String, in namespace: TestNamespace, exporterArguments: [String] = []) throws {
        self.name = name
        self.namespace = namespace
        exporter = try ExporterProcess(in: namespace, arguments: ["--ignore-hosts", ":9318,:9090"] + exporterArguments)
        prometheus = try PrometheusServer(in: namespace, target: "127.0.0.1:9318")
        let deadline = Date().addingTimeInterval(60)
        while (try? prometheus.query(#"up{job="conntrack"}"#))?.first?.value != "1" {
            guard Date() < deadline else { throw TestFailure("Prometheus never scraped the exporter") }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }

    /// Scrapes until `value(scrape) == expected` (or 30 s pass); returns the last value.
    @discardableResult
    package func exporterValue(_ name: String, _ labels: [String: String], settlesAt expected: Double) throws -> Double? {
        try exporter.scrape(until: { $0.value(name, labels) == expected }, seconds: 30).value(name, labels)
    }

    /// Runs `promql` until its answer, as "labels value" lines, contains every line of
    /// `expected` (or 30 s pass); prints and returns the answer.
    @discardableResult
    package func prometheus(_ promql: String, shows expected: [String]) throws -> [String] {
        let deadline = Date().addingTimeInterval(30)
        var lines: [String] = []
        while true {
            lines = try prometheus.query(promql).map { series in
                let labels = series.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }
                return "{\(labels.joined(separator: ","))} \(series.value)"
            }.sorted()
            if expected.allSatisfy(lines.contains) || Date() >= deadline { break }
            Thread.sleep(forTimeInterval: 0.5)
        }
        print("scenario \(name): prometheus> \(promql)\n" + lines.map { "  \($0)" }.joined(separator: "\n"))
        for line in expected { #expect(lines.contains(line), "\(promql): \(lines)") }
        return lines
    }

    /// Entries of `conntrack -L` to `port`, in `state` when given.
    package func conntrackCount(port: Int, state: String? = nil) throws -> Int {
        try namespace.conntrackListing().lines.filter { $0.destinationPort == port && (state == nil || $0.state == state) }.count
    }

    /// Sockets `ss` lists in `state` (ss's name, such as time-wait) matching `filter`.
    package func socketCount(state: String, _ filter: String) throws -> Int {
        try namespace.exec(["ss", "-Htan", "state", state, filter]).split(separator: "\n").count
    }
}
