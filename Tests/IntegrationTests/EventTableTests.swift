import Foundation
import Glibc
import IntegrationSupport
import Testing

/// `--table.source=events` against the kernel: an exporter keeping the table from events
/// and one dumping it, side by side in one test namespace, must show the same state gauges,
/// and both what `conntrack -L` shows, after real connections, a churn racing the first dump
/// and a loss of events while the exporter was stopped.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.shouldRun))
struct EventTableTests {
    private static let families: Set<String> = [
        "conntrack_opening_connections", "conntrack_open_connections", "conntrack_closing_connections",
        "conntrack_closed_connections", "conntrack_half_closed_connections", "conntrack_time_wait_connections",
    ]
    /// No host folded into "other": conntrack -L's counts are per host.
    private static let common = ["--ignore-hosts", ":9318", "--ignore-hosts", ":9319", "--max-hosts", "0"]

    /// Every state series (closing ones by closed_by too), as "name{labels}" -> value.
    private func stateSeries(_ scrape: Exposition) -> [String: Double] {
        var series: [String: Double] = [:]
        for sample in scrape.samples where Self.families.contains(sample.name) {
            series["\(sample.name)\(sample.labels.sorted { $0.key < $1.key })"] = sample.value
        }
        return series
    }

    private func exporters(in namespace: TestNamespace, _ extra: [String] = [], source: String = "events") throws
        -> (events: ExporterProcess, dump: ExporterProcess) {
        (try ExporterProcess(in: namespace, port: 9318, arguments: Self.common + ["--table.source", source] + extra),
         try ExporterProcess(in: namespace, port: 9319, arguments: Self.common))
    }

    /// Waits until both exporters show the same state series and those equal `conntrack -L`'s.
    private func expectAgreement(_ events: ExporterProcess, _ dump: ExporterProcess, namespace: TestNamespace,
                                 seconds: Double = 60) throws -> Exposition {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let kept = try events.scrape()
            let dumped = try dump.scrape()
            let listing = try namespace.conntrackListing().expectedGauges(ignoredPort: 9318)
                .mapValues { $0.filter { !$0.key.hasSuffix(":9319") } }.filter { !$0.value.isEmpty }
            if stateSeries(kept) == stateSeries(dumped), kept.gauges == listing, dumped.gauges == listing { return kept }
            if Date() > deadline {
                let (keptSeries, dumpedSeries) = (stateSeries(kept), stateSeries(dumped))
                let listed = listing.flatMap { family in family.value.map { ("\(family.key){\($0.key)}", $0.value) } }
                let shown = kept.gauges.flatMap { family in family.value.map { ("\(family.key){\($0.key)}", $0.value) } }
                let (listedSeries, shownSeries) = (Dictionary(uniqueKeysWithValues: listed), Dictionary(uniqueKeysWithValues: shown))
                let unlike = Set(listedSeries.keys).union(shownSeries.keys).filter { listedSeries[$0] != shownSeries[$0] }.sorted().prefix(10)
                    .map { "\($0): listed \(listedSeries[$0] ?? 0), kept \(shownSeries[$0] ?? 0)" }
                let differing = Set(keptSeries.keys).union(dumpedSeries.keys).filter { keptSeries[$0] != dumpedSeries[$0] }
                    .sorted().prefix(10).map { "\($0): kept \(keptSeries[$0] ?? 0), dumped \(dumpedSeries[$0] ?? 0)" }
                Issue.record("""
                    after \(seconds) s the kept table still differs from a dump in \(differing.count) of the first 10 series: \
                    \(differing.joined(separator: "; ")); the dump equals conntrack -L: \(dumped.gauges == listing); \
                    the kept table against conntrack -L: \(unlike.joined(separator: "; "))
                    """)
                return kept
            }
            usleep(500_000)
        }
    }

    @Test func followsRealConnectionsThroughEveryState() throws {
        let namespace = try TestNamespace()
        try namespace.exec(["nft", "add", "rule", "inet", "cte", "in", "tcp", "dport", "7205", "drop"])
        let (events, dump) = try exporters(in: namespace, ["--table.check-interval", "10s"])
        let open = try namespace.inside { () throws -> [Int32] in
            var fds: [Int32] = []
            for port: UInt16 in 7201...7204 { fds.append(try LoopbackSocket.listen(port: port)) }
            for _ in 0..<3 { fds += try LoopbackSocket.connectAndAccept(listener: fds[0], port: 7201) }  // established
            for _ in 0..<2 {  // half-closed by this machine's client
                let pair = try LoopbackSocket.connectAndAccept(listener: fds[1], port: 7202)
                shutdown(pair[0], Int32(SHUT_WR))
                fds += pair
            }
            for _ in 0..<2 {  // half-closed by the server, the remote end
                let pair = try LoopbackSocket.connectAndAccept(listener: fds[2], port: 7203)
                shutdown(pair[1], Int32(SHUT_WR))
                fds += pair
            }
            for index in 0..<4 {  // TIME_WAIT, either side first, and reset
                let pair = try LoopbackSocket.connectAndAccept(listener: fds[3], port: 7204)
                if index == 3 {
                    LoopbackSocket.reset(pair[0])
                    close(pair[1])
                } else {
                    close(pair[index % 2])
                    usleep(50_000)
                    close(pair[1 - index % 2])
                }
            }
            fds.append(try LoopbackSocket.connectDropped(port: 7205))  // opening
            return fds
        }
        defer { open.forEach { close($0) } }
        let kept = try expectAgreement(events, dump, namespace: namespace)
        #expect(kept.value("conntrack_half_closed_connections", ["host": "127.0.0.1:7202", "closed_by": "local"]) == 2)
        #expect(kept.value("conntrack_half_closed_connections", ["host": "127.0.0.1:7203", "closed_by": "remote"]) == 2)
        #expect(kept.value("conntrack_time_wait_connections", ["host": "127.0.0.1:7204", "closed_by": "local"]) == 2)
        #expect(kept.value("conntrack_time_wait_connections", ["host": "127.0.0.1:7204", "closed_by": "remote"]) == 1)
        #expect(kept.value("conntrack_closed_connections", ["host": "127.0.0.1:7204"]) == 1)
        #expect(kept.value("conntrack_opening_connections", ["host": "127.0.0.1:7205"]) == 1)
        #expect(kept.value("conntrack_exporter_table_source", ["source": "events"]) == 1)
        // A scrape in events mode is not a dump: the read counter stays where the first dump left it.
        #expect(kept.value("conntrack_exporter_table_read_seconds_total").map { $0 < 0.5 } == true)
        // The check after 10 s finds nothing to correct.
        let checked = try events.scrape(until: { ($0.value("conntrack_exporter_table_rebuilds_total", ["reason": "check"]) ?? 0) >= 1 },
                                        seconds: 30)
        #expect(checked.value("conntrack_exporter_table_corrections_total") == 0)
        #expect(checked.value("conntrack_exporter_table_rebuilds_total", ["reason": "loss"]) == 0)
    }

    /// The event socket's filter lets through, of a graceful connection's UPDATE events, only
    /// ESTABLISHED, FIN_WAIT and TIME_WAIT: SYN_RECV, CLOSE_WAIT and LAST_ACK move no count.
    @Test func receivesOnlyTheUpdatesThatMoveACount() throws {
        let namespace = try TestNamespace()
        // Each scrape reads anew: none is answered from the last read by its age.
        let events = try ExporterProcess(in: namespace, port: 9318,
                                         arguments: Self.common + ["--table.source", "events", "--table.max-age", "0"])
        let counts = { (scrape: Exposition) in
            (scrape.value("conntrack_exporter_events_total", ["type": "new"]) ?? 0,
             scrape.value("conntrack_exporter_events_total", ["type": "update"]) ?? 0)
        }
        let before = counts(try events.scrape())
        let connections = 50
        try namespace.inside {
            let listener = try LoopbackSocket.listen(port: 7206)
            defer { close(listener) }
            for index in 0..<connections {
                let pair = try LoopbackSocket.connectAndAccept(listener: listener, port: 7206)
                // Either side first, as in TIME_WAIT by closed_by above.
                close(pair[index % 2])
                usleep(10_000)
                close(pair[1 - index % 2])
            }
        }
        usleep(500_000)
        let after = counts(try events.scrape())
        let (new, updates) = (after.0 - before.0, after.1 - before.1)
        // Each scrape is a connection too: the first's close and the second's opening fall in between.
        #expect(new >= Double(connections) && new <= Double(connections + 2), "\(new) NEW events")
        #expect(updates >= 3 * Double(connections) && updates <= 3 * new + 3,
                "\(updates) UPDATE events for \(new) connections: 3 each (ESTABLISHED, FIN_WAIT, TIME_WAIT), not 5 or 6")
        _ = try expectAgreement(events, try ExporterProcess(in: namespace, port: 9319, arguments: Self.common), namespace: namespace)
    }

    /// 20,000 synthetic entries make the first dump long; a churn runs through it, and later
    /// through a SIGSTOP of the exporter long enough to overflow its receive buffer.
    @Test func rebuildsExactlyAfterARacedFirstDumpAndAfterLostEvents() throws {
        let namespace = try TestNamespace()
        // Churned connections (closed with an RST) leave within a second.
        try namespace.sysctl("net.netfilter.nf_conntrack_tcp_timeout_close", "1")
        try namespace.exec([IntegrationEnvironment.executable("conntrack-fill"), "--entries", "20000", "--hosts", "500"])
        let churn = [IntegrationEnvironment.executable("conntrack-churn")]
        // A connection made before any event listener existed never sends an event (see the
        // README): the dumping exporter listens first, so every churned connection does.
        let dump = try ExporterProcess(in: namespace, port: 9319, arguments: Self.common)
        let racing = try NamespaceProcess(in: namespace, churn + ["4", "2", "7301"])
        let events = try ExporterProcess(in: namespace, port: 9318, arguments: Self.common + ["--table.source", "events"])
        racing.waitUntilExit()
        let raced = try expectAgreement(events, dump, namespace: namespace)
        let eventsSeen = ["new", "update", "destroy"].compactMap { raced.value("conntrack_exporter_events_total", ["type": $0]) }
        #expect(eventsSeen.reduce(0, +) >= 50_000)
        #expect(raced.value("conntrack_exporter_table_rebuilds_total", ["reason": "start"]) == 1)
        #expect(raced.value("conntrack_exporter_table_kept_entries").map { $0 >= 20_000 } == true)

        let pid = events.process.processIdentifier
        kill(pid, SIGSTOP)
        let burst = try NamespaceProcess(in: namespace, churn + ["4", "2", "7302"])
        burst.waitUntilExit()
        kill(pid, SIGCONT)
        _ = try events.scrape(until: { ($0.value("conntrack_exporter_table_rebuilds_total", ["reason": "loss"]) ?? 0) >= 1 })
        let rebuilt = try expectAgreement(events, dump, namespace: namespace)
        #expect(rebuilt.value("conntrack_exporter_events_lost_total").map { $0 > 0 } == true)
        #expect(rebuilt.value("conntrack_exporter_table_rebuild_failed") == 0)
    }

    /// `auto` measures its own dumps and events: on a quiet table of 20,000 entries scraped
    /// twice a second it keeps the table from events; under churn at full speed, dumps again.
    @Test func autoKeepsTheTableWhileItCostsLessAndDumpsUnderChurn() throws {
        let namespace = try TestNamespace()
        try namespace.sysctl("net.netfilter.nf_conntrack_tcp_timeout_close", "1")
        try namespace.exec([IntegrationEnvironment.executable("conntrack-fill"), "--entries", "20000", "--hosts", "500"])
        let (auto, dump) = try exporters(in: namespace, ["--table.check-interval", "10s"], source: "auto")
        let source = { (scrape: Exposition) in scrape.value("conntrack_exporter_table_source", ["source": "events"]) == 1 ? "events" : "dump" }
        #expect(source(try auto.scrape()) == "dump", "auto starts with dumps")
        let kept = try auto.scrape(until: { source($0) == "events" && ($0.value("conntrack_exporter_table_rebuilds_total", ["reason": "start"]) ?? 0) >= 1 })
        #expect(source(kept) == "events", "a quiet table is kept from events")
        let agreed = try expectAgreement(auto, dump, namespace: namespace)
        // Entries in CLOSE (timed out after 1 s here) leave as the test runs; the gauges are checked above.
        let keptEntries = agreed.value("conntrack_exporter_table_kept_entries") ?? 0
        #expect(keptEntries >= 15_000 && keptEntries <= agreed.value("conntrack_entries") ?? 0, "\(keptEntries) entries kept")
        let estimate = (agreed.value("conntrack_exporter_table_source_estimated_cpu", ["source": "events"]) ?? .infinity,
                        agreed.value("conntrack_exporter_table_source_estimated_cpu", ["source": "dump"]) ?? 0)
        #expect(estimate.0 < estimate.1 / 2, "events estimated at \(estimate.0), dumps at \(estimate.1)")

        let churn = try NamespaceProcess(in: namespace, [IntegrationEnvironment.executable("conntrack-churn"), "40", "2", "7303"])
        let dumping = try auto.scrape(until: { source($0) == "dump" })
        withExtendedLifetime(churn) {}
        #expect(source(dumping) == "dump", "churn at full speed costs more in events than in dumps")
        #expect(dumping.value("conntrack_exporter_table_kept_entries") == 0, "the kept table's memory is handed back")
        let log = auto.stop().log
        #expect(log.contains("table source switched") && log.contains("to=events") && log.contains("to=dump"))
    }

    /// With the kernel stamping entries, the open connections' ages are kept from events too: a
    /// connection opened after the start's dump is in the age histogram at the next scrape, no
    /// check dump since, and it leaves it when it closes.
    @Test func agesAreKeptFromEvents() throws {
        let namespace = try TestNamespace()
        try namespace.sysctl("net.netfilter.nf_conntrack_timestamp", "1")
        try namespace.exec([IntegrationEnvironment.executable("conntrack-fill"), "--entries", "2000", "--hosts", "50"])
        let exporter = try ExporterProcess(in: namespace, arguments: Self.common + ["--table.source", "events"])
        let started = try exporter.scrape(until: { $0.value("conntrack_exporter_table_rebuilds_total", ["reason": "start"]) == 1 })
        let before = try #require(started.value("conntrack_open_connection_age_seconds_gcount"))
        let sockets = try namespace.inside { () throws -> [Int32] in
            let listener = try LoopbackSocket.listen(port: 7501)
            return try [listener] + (0..<3).flatMap { _ in try LoopbackSocket.connectAndAccept(listener: listener, port: 7501) }
        }
        let opened = try exporter.scrape(until: { $0.value("conntrack_open_connection_age_seconds_gcount") == before + 3 }, seconds: 20)
        #expect(opened.value("conntrack_open_connection_age_seconds_gcount") == before + 3)
        // Three of them in their first seconds, against the filled entries' stamps.
        #expect(opened.value("conntrack_open_connection_age_seconds_bucket", ["le": "30"]) ?? 0
                >= (started.value("conntrack_open_connection_age_seconds_bucket", ["le": "30"]) ?? 0) + 3)
        #expect(opened.value("conntrack_exporter_table_rebuilds_total", ["reason": "check"]) == 0)
        sockets.dropFirst().forEach { close($0) }
        let closed = try exporter.scrape(until: { $0.value("conntrack_open_connection_age_seconds_gcount") == before }, seconds: 20)
        #expect(closed.value("conntrack_open_connection_age_seconds_gcount") == before)
        close(sockets[0])
    }
}
