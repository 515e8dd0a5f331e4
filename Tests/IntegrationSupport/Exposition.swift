/// A scrape's samples, parsed by the test on its own.
package struct Exposition {
    package struct Sample {
        package var name: String
        package var labels: [String: String]
        package var value: Double
    }

    package let text: String
    package let samples: [Sample]

    package init(_ text: String) {
        self.text = text
        samples = text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "),
                  let value = Double(line[line.index(after: space)...]) else { return nil }
            let series = line[..<space]
            let name = String(series.prefix { $0 != "{" })
            var labels: [String: String] = [:]
            if let open = series.firstIndex(of: "{") {
                // Label values here never hold commas, quotes or braces.
                for pair in series[series.index(after: open)..<series.index(before: series.endIndex)].split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    labels[String(parts[0])] = String(parts[1].dropFirst().dropLast())
                }
            }
            return Sample(name: name, labels: labels, value: value)
        }
    }

    /// The value of the series with exactly these labels, nil if absent.
    package func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// host label -> value for one family.
    package func byHost(_ name: String) -> [String: Int] {
        Dictionary(samples.filter { $0.name == name }.map { ($0.labels["host"] ?? "", Int($0.value)) }, uniquingKeysWith: +)
    }

    /// The four gauge families as integer counts, families without series left out.
    package var gauges: [String: [String: Int]] {
        var gauges: [String: [String: Int]] = [:]
        for family in ["conntrack_opening_connections", "conntrack_open_connections",
                       "conntrack_closing_connections", "conntrack_closed_connections"] {
            let hosts = byHost(family)
            if !hosts.isEmpty { gauges[family] = hosts }
        }
        return gauges
    }
}
