import Foundation
import Testing

/// Alert and recording rules: valid, unit-tested per alert, and about metrics that exist.
@Suite struct PrometheusRulesTests {
    @Test(.enabled(if: Repository.has("promtool"))) func checkAndTestRules() throws {
        let check = try Repository.run(["promtool", "check", "rules", "alerts/conntrack_exporter.rules.yml"])
        #expect(check.status == 0, "\(check.output)")
        let test = try Repository.run(["promtool", "test", "rules", "alerts/tests/conntrack_exporter.test.yml"])
        #expect(test.status == 0, "\(test.output)")
    }

    @Test func everyAlertHasAUnitTest() throws {
        let rules = try Repository.read("alerts/conntrack_exporter.rules.yml")
        let tests = try Repository.read("alerts/tests/conntrack_exporter.test.yml")
        let alerts = rules.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.hasPrefix("- alert: ") ? String(trimmed.dropFirst(9)) : nil
        }
        #expect(alerts.count >= 6)
        for alert in alerts {
            #expect(tests.contains("alertname: \(alert)\n        exp_alerts:\n          - exp_labels"), "\(alert) has no firing test")
        }
    }

    @Test(.enabled(if: Repository.has("python3"))) func rulesUseDocumentedMetrics() throws {
        let readme = try Repository.read("README.md")
        let groups = try Repository.yamlDocuments("alerts/conntrack_exporter.rules.yml").first?["groups"] as? [[String: Any]] ?? []
        let rules = groups.flatMap { $0["rules"] as? [[String: Any]] ?? [] }
        let expressions = rules.compactMap { $0["expr"] as? String }.joined(separator: "\n")
        #expect(!expressions.isEmpty)
        // Recording rules' names (level:metric:operations) hold the metric they are built on.
        for name in Repository.metricNames(in: expressions) {
            #expect(documented(name, in: readme), "\(name) is not a metric the README documents")
        }
    }
}

/// Whether the README's metric reference names `metric` (directly, or as a `{a,b}` family).
func documented(_ metric: String, in readme: String) -> Bool {
    let base = metric.replacing(/_(bucket|sum|count|gsum|gcount)$/, with: "")
    if readme.contains("`\(base)`") { return true }
    // conntrack_stat_{found,...}_total and process_{...} rows.
    let families = readme.matches(of: /`([a-z_]+)\{([a-z_,]+)\}([a-z_]*)`/)
    return families.contains { match in
        match.output.2.split(separator: ",").contains { "\(match.output.1)\($0)\(match.output.3)" == base }
    }
}
