/// `conntrack -L` output, parsed independently of the exporter's code, and the gauge
/// values the exporter should show for it, computed by the README's rules.
package struct ConntrackListing {
    package struct Line {
        package var proto: String
        package var state: String?
        package var source: String
        package var destination: String
        package var sourcePort: Int
        package var destinationPort: Int
    }

    package let lines: [Line]

    package init(_ text: String) {
        lines = text.split(separator: "\n").compactMap { row in
            let fields = row.split(separator: " ")
            guard fields.count > 4 else { return nil }
            // The first src=/dst=/sport=/dport= are the original direction.
            func first(_ key: String) -> String? {
                fields.first { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
            }
            guard let source = first("src"), let destination = first("dst"),
                  let sourcePort = first("sport").flatMap({ Int($0) }),
                  let destinationPort = first("dport").flatMap({ Int($0) }) else { return nil }
            let state = fields[3].contains("=") ? nil : String(fields[3])
            return Line(proto: String(fields[0]), state: state, source: source, destination: destination,
                        sourcePort: sourcePort, destinationPort: destinationPort)
        }
    }

    /// family name -> host label -> count, for TCP lines not on `ignoredPort`,
    /// with 127.0.0.0/8 and ::1 as the only local addresses (a test namespace's).
    package func expectedGauges(ignoredPort: Int) -> [String: [String: Int]] {
        let families = [
            "SYN_SENT": "conntrack_opening_connections", "SYN_SENT2": "conntrack_opening_connections",
            "SYN_RECV": "conntrack_opening_connections", "ESTABLISHED": "conntrack_open_connections",
            "FIN_WAIT": "conntrack_closing_connections", "CLOSE_WAIT": "conntrack_closing_connections",
            "LAST_ACK": "conntrack_closing_connections", "TIME_WAIT": "conntrack_closing_connections",
            "CLOSE": "conntrack_closed_connections",
        ]
        func isLocal(_ address: String) -> Bool { address.hasPrefix("127.") || address == "::1" }
        var gauges: [String: [String: Int]] = [:]
        for line in lines where line.proto == "tcp" && line.destinationPort != ignoredPort {
            guard let state = line.state, let family = families[state] else { continue }
            let remote = !isLocal(line.source) && isLocal(line.destination) ? line.source : line.destination
            let host = remote.contains(":") ? "[\(remote)]:\(line.destinationPort)" : "\(remote):\(line.destinationPort)"
            gauges[family, default: [:]][host, default: 0] += 1
        }
        return gauges
    }
}
