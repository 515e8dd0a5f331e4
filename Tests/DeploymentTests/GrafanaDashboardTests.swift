import Foundation
import Testing

/// The Grafana dashboard: importable JSON whose every query is valid PromQL about
/// documented metrics.
@Suite struct GrafanaDashboardTests {
    private func dashboard() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: Repository.path("dashboards/conntrack_exporter.json")))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private func expressions() throws -> [String] {
        let panels = try #require(try dashboard()["panels"] as? [[String: Any]])
        return panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
    }

    @Test func isAnImportableDashboard() throws {
        let dashboard = try dashboard()
        #expect(dashboard["title"] as? String == "conntrack_exporter")
        #expect(dashboard["uid"] as? String == "conntrack-exporter")
        let variables = (dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
        #expect(variables.map { $0["name"] as? String } == ["datasource", "instance"])
        let titles = (dashboard["panels"] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String }
        for required in ["Open connections, top 10 hosts", "Closed per second by outcome", "Table fill",
                         "Kernel drops and failures per second", "Scrape health"] {
            #expect(titles.contains(required))
        }
        #expect(try expressions().count >= 15)
    }

    @Test(.enabled(if: Repository.has("promtool"))) func everyQueryIsValidPromQL() throws {
        // promtool checks PromQL inside rule files: wrap each query in a recording rule.
        var rules = "groups:\n  - name: dashboard\n    rules:\n"
        for (index, expression) in try expressions().enumerated() {
            let promql = expression.replacing("$__rate_interval", with: "5m")
            rules += "      - record: dashboard:query\(index)\n        expr: \(LineString.yaml(promql))\n"
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dashboard-rules-\(getpid()).yml").path
        try rules.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let check = try Repository.run(["promtool", "check", "rules", file])
        #expect(check.status == 0, "\(check.output)")
    }

    @Test func queriesUseDocumentedMetrics() throws {
        let readme = try Repository.read("README.md")
        for name in Repository.metricNames(in: try expressions().joined(separator: "\n")) {
            #expect(documented(name, in: readme), "\(name) is not a metric the README documents")
        }
    }
}

enum LineString {
    /// A YAML double-quoted scalar.
    static func yaml(_ text: String) -> String {
        "\"" + text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
    }
}
