import Foundation

/// A real Prometheus server (Debian's package) in a test namespace, scraping one target
/// every second; stopped and its data removed when released.
package final class PrometheusServer {
    private let namespace: TestNamespace
    private let directory: URL
    private let process = Process()

    /// `scrapeOptions` are YAML lines added to the scrape config (scheme, TLS, auth); `ruleFiles`
    /// are loaded and evaluated every second.
    package init(in namespace: TestNamespace, target: String, scrapeOptions: String = "", ruleFiles: [String] = []) throws {
        self.namespace = namespace
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(namespace.name)-prometheus")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("prometheus.yml").path
        let options = scrapeOptions.split(separator: "\n").map { "    \($0)" }.joined(separator: "\n")
        try """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files: [\(ruleFiles.map { "\"\($0)\"" }.joined(separator: ", "))]
            scrape_configs:
              - job_name: conntrack
                static_configs:
                  - targets: ["\(target)"]
            \(options)
            """.write(toFile: config, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ip", "netns", "exec", namespace.name, "prometheus", "--config.file=\(config)",
                             "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
                             "--web.listen-address=127.0.0.1:9090"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    /// An instant query through Prometheus' HTTP API, now or at `time`: each series' labels and value.
    package func query(_ promql: String, at time: Date? = nil) throws -> [(labels: [String: String], value: String)] {
        let at = time.map { ["--data-urlencode", "time=\($0.timeIntervalSince1970)"] } ?? []
        let text = try namespace.exec(["curl", "-sS", "--fail", "--get", "--data-urlencode", "query=\(promql)"] + at
                                      + ["http://127.0.0.1:9090/api/v1/query"])
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        let result = (object?["data"] as? [String: Any])?["result"] as? [[String: Any]] ?? []
        return result.map { ($0["metric"] as? [String: String] ?? [:], ($0["value"] as? [Any])?.last as? String ?? "") }
    }
}
