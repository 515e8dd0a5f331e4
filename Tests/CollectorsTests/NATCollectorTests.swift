@testable import Collectors
@testable import ConntrackAggregation
@testable import ConntrackKernel
@testable import ConntrackModel
@testable import Exposition
import TestFixtures
import Testing

@Suite struct NATCollectorTests {
    /// A read of `entries` with NAT counted, at most `maxPairs` pairs apart.
    private static func scrape(_ entries: [ConntrackEntry], maxPairs: Int = 0, shown: Int = 0) throws -> [Substring] {
        var builder = TableRead.Builder(table: makeTable(local: ["198.18.2.1", "198.18.3.10"]), observers: [],
                                        nat: NATCounts(maxPairs: maxPairs * 64, idleThreshold: 0))
        entries.forEach { builder.add($0) }
        var writer = ExpositionWriter()
        try NATCollector(top: 10, maxPairs: shown).collect(ScrapeContext(table: .success(builder.read)), into: &writer)
        return String(decoding: writer.bytes, as: UTF8.self).split(separator: "\n")
    }

    /// A client's connection to the virtual address 198.18.3.10:80, sent on to `backend` and
    /// masqueraded behind 198.18.2.1.
    private static func hairpin(client port: UInt16, backend: UInt16) -> ConntrackEntry {
        makeEntry(from: "198.18.1.5", port, to: "198.18.3.10", 80, message: .new,
                  translatedTo: ("198.18.2.2", backend, "198.18.2.1", 40000 + port))
    }

    /// With destination and source NAT together, each backend is a pool of its own, as the kernel
    /// keeps translated ports unique per reply tuple: 82 and 118, not 200.
    @Test func sourceNATPoolsArePerServerReachedUnderDestinationNAT() throws {
        let entries = (0..<200).map { Self.hairpin(client: UInt16(1000 + $0), backend: $0 < 82 ? 8081 : 8082) }
        let scrape = try Self.scrape(entries)
        let pool = #"conntrack_snat_ports_in_use{address="198.18.2.1",destination="198.18.3.10:80",backend="198.18.2.2:808"#
        #expect(scrape.contains(pool + #"1",protocol="tcp"} 82"#))
        #expect(scrape.contains(pool + #"2",protocol="tcp"} 118"#))
        #expect(scrape.contains("conntrack_exporter_snat_translations 2"))
    }

    @Test func withoutDestinationNATAPoolHasNoBackendLabel() throws {
        let entry = makeEntry(from: "198.18.1.5", 1000, to: "198.18.9.9", 443, message: .new,
                              translatedTo: ("198.18.9.9", 443, "198.18.2.1", 41000))
        let pool = #"conntrack_snat_ports_in_use{address="198.18.2.1",destination="198.18.9.9:443",protocol="tcp"} 1"#
        #expect(try Self.scrape([entry]).contains { $0 == pool })
    }

    /// Port forwarding: each client is a host of its own. The backend series keep to --max-hosts
    /// like the gauges, the rest folded under other and counted.
    @Test func backendPairsAreHeldToMaxHostsAndTheFoldedOnesCounted() throws {
        let entries = (0..<200).map { client in
            makeEntry(from: "198.18.\(1 + client / 250).\(client % 250)", 5000, to: "198.18.3.10", 80, message: .new,
                      translatedTo: ("198.18.2.2", 8080, "198.18.\(1 + client / 250).\(client % 250)", 5000))
        }
        let scrape = try Self.scrape(entries, maxPairs: 10, shown: 10)
        let backendSeries = scrape.filter { $0.hasPrefix("conntrack_backend_connections{") }
        #expect(backendSeries.count == 11)
        #expect(scrape.contains(#"conntrack_backend_connections{host="other",backend="other",state="open"} 190"#))
        #expect(scrape.contains("conntrack_exporter_folded_backends 190"))
        #expect(backendSeries.compactMap { Int($0.split(separator: " ").last!) }.reduce(0, +) == 200, "every connection is counted")
    }
}
