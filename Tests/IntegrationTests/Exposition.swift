/// A scrape's samples: metric name -> `host` label (or "" without labels) -> value.
struct Exposition {
    let text: String
    let samples: [String: [String: Double]]

    init(_ text: String) {
        self.text = text
        var samples: [String: [String: Double]] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let series = line[..<space]
            let name = String(series.prefix { $0 != "{" })
            var host = ""
            if let start = series.firstRange(of: "host=\"")?.upperBound, let end = series[start...].firstIndex(of: "\"") {
                host = String(series[start..<end])
            }
            samples[name, default: [:]][host] = value
        }
        self.samples = samples
    }

    /// The four gauge families as integer counts, families without series left out.
    var gauges: [String: [String: Int]] {
        var gauges: [String: [String: Int]] = [:]
        for family in ["conntrack_opening_connections", "conntrack_open_connections",
                       "conntrack_closing_connections", "conntrack_closed_connections"] {
            if let series = samples[family] { gauges[family] = series.mapValues { Int($0) } }
        }
        return gauges
    }
}
