@testable import Collectors
@testable import ConntrackAggregation
@testable import Exposition
import TestFixtures
import Testing

@Suite struct ConnectionStateCollectorTests {
    @Test func otherIsWrittenLastWithTheFoldedGauge() {
        var table = makeTable()
        for host in ["198.18.0.1", "198.18.0.2", "2001:db8::3"] {
            table.add(makeEntry(from: host == "2001:db8::3" ? "::1" : "127.0.0.1", 40000, to: host, 443))
        }
        var writer = ExpositionWriter()
        ConnectionStateCollector(folding: HostFolding(maxHosts: 1), timestampsEnabled: { false }).write(table, into: &writer)
        let text = String(decoding: writer.bytes, as: UTF8.self)
        let open = text.split(separator: "\n").filter { $0.hasPrefix("conntrack_open_connections{") }
        #expect(open == ["conntrack_open_connections{host=\"198.18.0.1:443\"} 1", "conntrack_open_connections{host=\"other\"} 2"])
        #expect(text.contains("\nconntrack_exporter_folded_hosts 2\n"))
    }
}
