import ConntrackAggregation
import ConntrackKernel
import Foundation
import IntegrationSupport
import LinuxSystem
import Logging
import Testing

/// The exporter against thousands of synthetic entries the fill tool wrote into a
/// test namespace's table, checked against counts computed from `conntrack -L`.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.shouldRun))
struct SyntheticTableTests {
    @Test func gaugesEqualConntrackListing() throws {
        let namespace = try TestNamespace()
        try namespace.exec([IntegrationEnvironment.executable("conntrack-fill"),
                            "--entries", "6000", "--hosts", "300", "--ipv6-percent", "30", "--udp-percent", "10"])
        let exporter = try ExporterProcess(in: namespace, arguments: ["--ignore-hosts", ":9318"])
        let listing = try namespace.conntrackListing()
        let scrape = try exporter.scrape()

        #expect(listing.lines.count == 6000 + listing.lines.filter { $0.destinationPort == 9318 }.count)
        #expect(Set(listing.lines.map(\.proto)) == ["tcp", "udp"])
        #expect(Set(listing.lines.compactMap(\.state)).isSuperset(of: [
            "SYN_SENT", "SYN_SENT2", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE",
        ]))
        let expected = listing.expectedGauges(ignoredPort: 9318)
        #expect(expected.values.map(\.count).reduce(0, +) > 1000)
        #expect(scrape.gauges == expected)
        #expect(scrape.value("conntrack_exporter_collect_success") == 1)
        #expect(scrape.text.contains("host=\"[2001:db8::"))
    }

    /// Half UDP: the exporter's second scrape reads through the kernel's TCP filter, one
    /// dump per family, and must count exactly what the whole dump counted.
    @Test func filteredDumpsCountWhatTheWholeDumpCounts() throws {
        let namespace = try TestNamespace()
        try namespace.exec([IntegrationEnvironment.executable("conntrack-fill"),
                            "--entries", "6000", "--hosts", "300", "--ipv6-percent", "30", "--udp-percent", "50"])
        let listing = try namespace.conntrackListing()
        let tcpLines = listing.lines.filter { $0.proto == "tcp" }.count
        let reads = try namespace.inside {
            let reader = TableReader(dumper: try ConntrackSocket(), ignore: IgnoreList(), mode: .endpoint,
                                     idleThreshold: 0, logger: Logger(label: "test"))
            let whole = try reader.read()
            return (whole, try reader.read())
        }
        #expect(reads.0.tcpEntries == tcpLines && reads.0.otherProtocolEntries == 6000 - tcpLines)
        #expect(reads.1.tcpEntries == tcpLines && reads.1.otherProtocolEntries == 0)
        #expect(reads.1.table.counts == reads.0.table.counts)

        let exporter = try ExporterProcess(in: namespace, arguments: ["--ignore-hosts", ":9318"])
        let expected = try namespace.conntrackListing().expectedGauges(ignoredPort: 9318)
        #expect(try exporter.scrape().gauges == expected)
        #expect(try exporter.scrape().gauges == expected)
        #expect(!exporter.stop().log.contains("dumping the whole table from now on"))
    }

    /// What `--table.source=auto` measures a dump at counts the receiving thread the dump
    /// starts, where the kernel walks the table: most of the cost, not the parsing alone.
    @Test func aDumpsMeasuredCostCountsItsReceivingThread() throws {
        let namespace = try TestNamespace()
        try namespace.exec([IntegrationEnvironment.executable("conntrack-fill"), "--entries", "50000", "--hosts", "500"])
        let (parsing, measured) = try namespace.inside { () throws -> (Double, Double) in
            let cost = DumpCost()
            let reader = cost.measuring(TableReader(dumper: try ConntrackSocket(), ignore: IgnoreList(), mode: .endpoint,
                                                    idleThreshold: 0, logger: Logger(label: "test")))
            let start = ThreadCPUTime.nanoseconds()
            let read = try reader.read(observers: [])
            let own = Double(ThreadCPUTime.nanoseconds() - start) / 1e9
            let reading = try #require(cost.reading)
            return (own, reading.secondsPerEntry * Double(read.tcpEntries + read.otherProtocolEntries))
        }
        // The parsing thread alone (what was measured before) would make the two equal; the
        // receiver adds the kernel's walk, a large share even beside a debug build's parsing.
        #expect(measured > 1.3 * parsing, "a dump measured at \(measured) s of CPU, its parsing thread alone at \(parsing) s")
    }

    @Test func addressLabelModeSumsPorts() throws {
        let namespace = try TestNamespace()
        try namespace.exec([IntegrationEnvironment.executable("conntrack-fill"), "--entries", "2000", "--hosts", "40"])
        let exporter = try ExporterProcess(in: namespace, arguments: ["--ignore-hosts", ":9318", "--host-label", "ip"])
        let expected = try namespace.conntrackListing().expectedGauges(ignoredPort: 9318).mapValues { hosts in
            Dictionary(hosts.map { (host, count) in
                (String(host[..<host.lastIndex(of: ":")!]).trimmingCharacters(in: CharacterSet(charactersIn: "[]")), count)
            }, uniquingKeysWith: +)
        }
        #expect(try exporter.scrape().gauges == expected)
    }

    @Test func maxHostsKeepsTheBusiestAndFoldsTheRestWithoutLosingConnections() throws {
        let namespace = try TestNamespace()
        try namespace.exec([IntegrationEnvironment.executable("conntrack-fill"), "--entries", "2000", "--hosts", "40"])
        let exporter = try ExporterProcess(in: namespace, arguments: ["--ignore-hosts", ":9318", "--max-hosts", "5"])
        let expected = try namespace.conntrackListing().expectedGauges(ignoredPort: 9318)
        let scrape = try exporter.scrape()
        let totals = { (gauges: [String: [String: Int]]) in gauges.mapValues { $0.values.reduce(0, +) } }
        #expect(totals(scrape.gauges) == totals(expected))
        let hosts = Set(scrape.gauges.values.flatMap(\.keys))
        let expectedHosts = Set(expected.values.flatMap(\.keys))
        #expect(hosts.count == 6 && hosts.contains("other"))
        #expect(scrape.value("conntrack_exporter_folded_hosts") == Double(expectedHosts.count - 5))
        // The kept hosts have their own counts, and none has fewer connections than a folded one.
        let total = { (host: String) in expected.values.reduce(0) { $0 + ($1[host] ?? 0) } }
        let kept = hosts.subtracting(["other"])
        for host in kept {
            for (family, counts) in expected { #expect(scrape.gauges[family]?[host] == counts[host], "\(family) \(host)") }
        }
        #expect(kept.map(total).min()! >= expectedHosts.subtracting(kept).map(total).max()!)
    }

    @Test func ignoreListRemovesConnectionsEverywhere() throws {
        let namespace = try TestNamespace()
        try namespace.exec([IntegrationEnvironment.executable("conntrack-fill"), "--entries", "2000", "--hosts", "40"])
        let exporter = try ExporterProcess(in: namespace, arguments: ["--ignore-hosts", ":9318,198.18.0.0/24:22,[2001:db8::/32]:443"])
        let gauges = try exporter.scrape().gauges
        let hosts = gauges.values.flatMap(\.keys)
        #expect(!hosts.isEmpty)
        #expect(!hosts.contains { $0.hasPrefix("198.18.0.") && $0.hasSuffix(":22") })
        #expect(!hosts.contains { $0.hasPrefix("[2001:db8:") && $0.hasSuffix("]:443") })
        #expect(hosts.contains { $0.hasSuffix(":22") })
    }

    @Test func exposititionPassesPromtool() throws {
        let namespace = try TestNamespace()
        // Timestamps on, so the age histogram is there too; every family has series.
        try namespace.sysctl("net.netfilter.nf_conntrack_timestamp", "1")
        try namespace.exec([IntegrationEnvironment.executable("conntrack-fill"), "--entries", "3000", "--hosts", "100"])
        let exporter = try ExporterProcess(in: namespace, arguments: ["--idle-threshold", "1s"])
        Thread.sleep(forTimeInterval: 1.5)
        let scrape = try exporter.scrape()
        for family in ["conntrack_half_closed_connections", "conntrack_time_wait_connections", "conntrack_idle_connections",
                       "conntrack_open_connection_idle_seconds_gcount", "conntrack_open_connection_age_seconds_gcount"] {
            #expect(scrape.samples.contains { $0.name == family && $0.value > 0 }, "\(family)")
        }
        let result = try runAllowingFailure(["promtool", "check", "metrics"], input: scrape.text)
        #expect(result.status == 0, "\(result.output)\(result.error)")
    }
}
