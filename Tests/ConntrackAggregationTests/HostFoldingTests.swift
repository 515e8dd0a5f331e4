@testable import ConntrackAggregation
import TestFixtures
import Testing

/// `--max-hosts` for the table's gauges: the busiest hosts keep their series.
@Suite struct HostFoldingTests {
    @Test func keepsTheBusiestHostsAndSumsTheRestUnderOther() {
        var table = makeTable()
        for (host, connections) in [("198.18.0.1", 5), ("198.18.0.2", 1), ("198.18.0.3", 3), ("198.18.0.4", 2)] {
            for port in 0..<connections {
                table.add(makeEntry(from: "127.0.0.1", UInt16(40000 + port), to: host, 443,
                                    state: port == 0 ? .timeWait : .established, firstFin: .original))
            }
        }
        let (hosts, folded) = HostFolding(maxHosts: 2).fold(table.hosts)
        let counts = Dictionary(uniqueKeysWithValues: hosts)
        #expect(folded == 2)
        #expect(Set(counts.keys.map(\.description)) == ["198.18.0.1:443", "198.18.0.3:443", "other"])
        let other = counts[.other]!
        #expect(other[.open] == 1 && other[.closing] == 2 && other[timeWaitBy: .local] == 2 && other.total == 3)
        #expect(counts.values.map(\.total).reduce(0, +) == table.counts.values.map(\.total).reduce(0, +))
    }

    @Test func underTheCapOrWithoutOneNothingIsFolded() {
        var table = makeTable()
        table.add(makeEntry(from: "127.0.0.1", 40000, to: "198.18.0.1", 443))
        #expect(HostFolding(maxHosts: 1).fold(table.hosts).folded == 0)
        #expect(Dictionary(uniqueKeysWithValues: HostFolding(maxHosts: 0).fold(table.hosts).hosts) == table.counts)
    }
}
