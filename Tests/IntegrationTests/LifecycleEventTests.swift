import Foundation
import Glibc
import IntegrationSupport
import Testing

/// Event-driven counters against real loopback TCP in a test namespace whose TCP
/// timeouts are shortened, so DESTROY events come within seconds.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.shouldRun))
struct LifecycleEventTests {
    /// A namespace with short timeouts and a rule that drops SYNs to `droppedPort`.
    private func namespace(timestamps: Bool, droppedPort: Int = 7104) throws -> TestNamespace {
        let namespace = try TestNamespace()
        for (key, value) in ["syn_sent": "2", "time_wait": "1", "close": "1", "fin_wait": "1", "close_wait": "1", "last_ack": "1"] {
            try namespace.sysctl("net.netfilter.nf_conntrack_tcp_timeout_\(key)", value)
        }
        try namespace.sysctl("net.netfilter.nf_conntrack_timestamp", timestamps ? "1" : "0")
        try namespace.exec(["nft", "add", "rule", "inet", "cte", "in", "tcp", "dport", "\(droppedPort)", "drop"])
        return namespace
    }

    @Test func everyOutcomeIsCountedPerHost() throws {
        let namespace = try namespace(timestamps: true)
        let eventLog = FileManager.default.temporaryDirectory.appendingPathComponent("\(namespace.name)-events.json").path
        defer { try? FileManager.default.removeItem(atPath: eventLog) }
        let exporter = try ExporterProcess(in: namespace, arguments: ["--ignore-hosts", ":9318", "--log-events"],
                                           outputFile: eventLog)

        let leftOpen = try namespace.inside { () throws -> [Int32] in
            var fds: [Int32] = []
            let graceful = try LoopbackSocket.listen(port: 7101)
            let reset = try LoopbackSocket.listen(port: 7102)
            fds += [graceful, reset]
            for _ in 0..<4 {
                let pair = try LoopbackSocket.connectAndAccept(listener: graceful, port: 7101)
                close(pair[0])
                close(pair[1])
            }
            for _ in 0..<2 {
                let pair = try LoopbackSocket.connectAndAccept(listener: reset, port: 7102)
                LoopbackSocket.reset(pair[0])
                fds.append(pair[1])
            }
            for _ in 0..<2 { try LoopbackSocket.connectRefused(port: 7103) }
            // Closed before the SYN is retransmitted, so each attempt is one entry that expires in SYN_SENT.
            let dropped = try (0..<3).map { _ in try LoopbackSocket.connectDropped(port: 7104) }
            usleep(100_000)
            dropped.forEach { close($0) }
            return fds
        }
        defer { leftOpen.forEach { close($0) } }

        let expected: [(port: Int, outcome: String, count: Double)] = [
            (7101, "graceful", 4), (7102, "reset", 2), (7103, "refused", 2), (7104, "unanswered", 3),
        ]
        let scrape = try exporter.scrape(until: { scrape in
            expected.allSatisfy { scrape.value("conntrack_connections_closed_total",
                                               ["host": "127.0.0.1:\($0.port)", "outcome": $0.outcome]) == $0.count }
        })
        for (port, outcome, count) in expected {
            let host = "127.0.0.1:\(port)"
            #expect(scrape.value("conntrack_connections_opened_total", ["host": host]) == count, "\(host)")
            #expect(scrape.value("conntrack_connections_closed_total", ["host": host, "outcome": outcome]) == count, "\(host)")
            let outcomes = scrape.samples.filter { $0.name == "conntrack_connections_closed_total" && $0.labels["host"] == host }
            #expect(outcomes.count == 1, "\(host) ended only as \(outcome)")
            // An unanswered connection has no FIN or RST to end its time at: never timed.
            #expect(scrape.value("conntrack_connection_duration_seconds_count", ["outcome": outcome]) == (outcome == "unanswered" ? nil : count))
        }
        #expect(scrape.value("conntrack_exporter_event_overflows_total") == 0)
        #expect((scrape.value("conntrack_exporter_events_total", ["type": "destroy"]) ?? 0) >= 11)
        #expect(scrape.value("conntrack_connection_duration_seconds_bucket", ["outcome": "graceful", "le": "+Inf"]) == 4)

        // The event log: one JSON object per line, carrying the same outcomes.
        _ = exporter.stop()
        let lines = try String(contentsOfFile: eventLog, encoding: .utf8).split(separator: "\n")
        var logged: [String: Int] = [:]
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["original"] is [String: Any])
            if object["event"] as? String == "destroy", let host = object["host"] as? String, host != "127.0.0.1:9318" {
                logged["\(host) \(object["outcome"] as? String ?? "none")", default: 0] += 1
                if object["outcome"] as? String == "graceful" { #expect(object["duration_seconds"] is Double) }
            }
        }
        #expect(logged == Dictionary(uniqueKeysWithValues: expected.map { ("127.0.0.1:\($0.port) \($0.outcome)", Int($0.count)) }))
    }

    /// A real server and its clients, each connection held a known time and ended each way: the
    /// durations run to the first FIN or the RST, never through the kernel's linger after it
    /// (TIME_WAIT, CLOSE, CLOSE_WAIT: 1 s each here, plus the garbage collector's lag).
    @Test func durationsEndAtTheFirstFinOrTheReset() throws {
        let namespace = try namespace(timestamps: true)
        let exporter = try ExporterProcess(in: namespace, arguments: ["--ignore-hosts", ":9318"])
        // The server reads a line "SECONDS WAY": for "server" it closes after SECONDS; otherwise it
        // closes when the client does, except for "half", which it never closes.
        let server = try NamespaceProcess(in: namespace, python: """
            import socket, threading, time
            def serve(connection):
                seconds, way = connection.makefile().readline().split()
                if way == "server":
                    time.sleep(float(seconds))
                    connection.close()
                    return
                while connection.recv(4096):
                    pass
                if way != "half":
                    connection.close()
                else:
                    time.sleep(600)
            listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", 7301))
            listener.listen(64)
            while True:
                threading.Thread(target=serve, args=(listener.accept()[0],), daemon=True).start()
            """)
        try server.waitUntilListening(port: 7301)
        let holds = [0.2, 3, 20]
        let client = try NamespaceProcess(in: namespace, python: """
            import socket, struct, threading, time
            def run(seconds, way):
                connection = socket.create_connection(("127.0.0.1", 7301))
                connection.sendall(f"{seconds} {way}\\n".encode())
                if way == "server":
                    while connection.recv(4096):
                        pass
                    connection.close()
                    return
                time.sleep(seconds)
                if way == "reset":
                    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    connection.close()
                elif way == "half":
                    connection.shutdown(socket.SHUT_WR)
                    time.sleep(600)
                else:
                    connection.close()
            for seconds in [\(holds.map { "\($0)" }.joined(separator: ", "))]:
                for way in ["client", "server", "reset", "half"]:
                    threading.Thread(target=run, args=(seconds, way), daemon=True).start()
            try:
                socket.create_connection(("127.0.0.1", 7302))
            except OSError:
                pass
            time.sleep(600)
            """)
        // Each hold time ended each way: graceful twice (client or server first), reset, half-closed; one refused.
        let expected: [(outcome: String, count: Double, seconds: Double)] = [
            ("graceful", 6, 2 * holds.reduce(0, +)), ("reset", 3, holds.reduce(0, +)),
            ("half_closed", 3, holds.reduce(0, +)), ("refused", 1, 0),
        ]
        let scrape = try exporter.scrape(until: { scrape in
            expected.allSatisfy { scrape.value("conntrack_connection_duration_seconds_count", ["outcome": $0.outcome]) == $0.count }
        }, seconds: 90)
        for (outcome, count, seconds) in expected {
            let sum = scrape.value("conntrack_connection_duration_seconds_sum", ["outcome": outcome]) ?? -1
            #expect(scrape.value("conntrack_connection_duration_seconds_count", ["outcome": outcome]) == count, "\(outcome)")
            #expect(abs(sum - seconds) <= max(1, 0.1 * seconds), "\(outcome): \(sum) s for \(seconds) s")
            // Per bucket: the 0.2 s connections under 0.5 s, the 3 s ones under 5 s, the 20 s ones under 30 s.
            let perHold = count / Double(outcome == "refused" ? 1 : holds.count)
            let bucket = { (le: String) in scrape.value("conntrack_connection_duration_seconds_bucket", ["outcome": outcome, "le": le]) }
            if outcome == "refused" {
                #expect(bucket("0.1") == 1, "refused at once")
            } else {
                #expect(bucket("0.1") == 0 && bucket("0.5") == perHold, "\(outcome): 0.2 s")
                #expect(bucket("1") == perHold && bucket("5") == 2 * perHold, "\(outcome): 3 s")
                #expect(bucket("10") == 2 * perHold && bucket("30") == count, "\(outcome): 20 s")
            }
        }
        #expect(scrape.value("conntrack_exporter_closes_untimed_total") == 0)
        withExtendedLifetime((server, client)) {}
    }

    @Test func durationsAreAbsentWithTimestampsOff() throws {
        let namespace = try namespace(timestamps: false)
        let exporter = try ExporterProcess(in: namespace, arguments: ["--ignore-hosts", ":9318"])
        try namespace.inside { try LoopbackSocket.connectRefused(port: 7103) }
        let scrape = try exporter.scrape(until: {
            $0.value("conntrack_connections_closed_total", ["host": "127.0.0.1:7103", "outcome": "refused"]) == 1
        })
        #expect(scrape.value("conntrack_connections_closed_total", ["host": "127.0.0.1:7103", "outcome": "refused"]) == 1)
        #expect(!scrape.text.contains("conntrack_connection_duration_seconds"))
        #expect(exporter.stop().log.contains("net.netfilter.nf_conntrack_timestamp=1"))
    }

    /// With the exporter stopped, a burst larger than its receive buffer: the kernel drops
    /// the rest, and the exporter reports exactly how many (the overflow counter alone said 1).
    @Test func lostEventsAreCountedExactly() throws {
        let namespace = try TestNamespace()
        let exporter = try ExporterProcess(in: namespace)
        // One kept-alive connection: the scrapes themselves make no events in the window.
        let client = try NamespaceHTTPClient(namespace: namespace, port: 9318)
        let before = try client.scrape()
        kill(exporter.process.processIdentifier, SIGSTOP)
        try namespace.exec([IntegrationEnvironment.executable("conntrack-fill"),
                            "--entries", "60000", "--hosts", "500", "--udp-percent", "0", "--timeout", "3600"])
        kill(exporter.process.processIdentifier, SIGCONT)
        var after = try client.scrape()
        let deadline = Date().addingTimeInterval(30)
        func accounted(_ scrape: Exposition) -> Double {
            (scrape.value("conntrack_exporter_events_total", ["type": "new"]) ?? 0) + (scrape.value("conntrack_exporter_events_lost_total") ?? 0)
        }
        while accounted(after) - accounted(before) < 60000, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.5)
            after = try client.scrape()
        }
        let lost = (after.value("conntrack_exporter_events_lost_total") ?? 0) - (before.value("conntrack_exporter_events_lost_total") ?? 0)
        #expect(lost > 0)
        #expect(accounted(after) - accounted(before) == 60000)
        #expect((after.value("conntrack_exporter_event_overflows_total") ?? 0) >= 1)
    }

    @Test func hostsWhoseCountersStandStillAreForgotten() throws {
        let namespace = try namespace(timestamps: false)
        // Each scrape reads the table (no shared reads): reading reaps expired entries, so the
        // DESTROY of the connection below comes well within the 3 s TTL.
        let exporter = try ExporterProcess(in: namespace, arguments: ["--ignore-hosts", ":9318", "--events.host-ttl", "3s",
                                                                      "--table.max-age", "0"])
        try namespace.inside {
            let listener = try LoopbackSocket.listen(port: 7121)
            try LoopbackSocket.connectAndAccept(listener: listener, port: 7121).forEach { close($0) }
            close(listener)
        }
        let host = ["host": "127.0.0.1:7121"]
        let ended = ["host": "127.0.0.1:7121", "outcome": "graceful"]
        let seen = try exporter.scrape(until: { $0.value("conntrack_connections_closed_total", ended) == 1 }, seconds: 10)
        #expect(seen.value("conntrack_connections_opened_total", host) == 1)
        #expect(seen.value("conntrack_exporter_tracked_hosts") == 1)
        // Three seconds after its last event (and at most a second late), the host is gone.
        let gone = try exporter.scrape(until: { $0.value("conntrack_exporter_tracked_hosts") == 0 }, seconds: 15)
        #expect(gone.value("conntrack_connections_opened_total", host) == nil)
        #expect(gone.value("conntrack_connections_closed_total", ended) == nil)
        #expect(gone.value("conntrack_exporter_tracked_hosts") == 0)
        #expect(gone.value("conntrack_exporter_forgotten_hosts_total") == 1)
    }

    @Test func aBurstOf20000NewEntriesIsCountedExactly() throws {
        let namespace = try TestNamespace()
        let exporter = try ExporterProcess(in: namespace, arguments: ["--ignore-hosts", ":9318"])
        try namespace.exec([IntegrationEnvironment.executable("conntrack-fill"),
                            "--entries", "20000", "--hosts", "500", "--udp-percent", "0", "--ipv6-percent", "20"])
        let scrape = try exporter.scrape(until: { ($0.value("conntrack_exporter_events_total", ["type": "new"]) ?? 0) >= 20000 })
        let opened = scrape.samples.filter { $0.name == "conntrack_connections_opened_total" && $0.labels["host"]?.hasSuffix(":9318") == false }
        #expect(opened.map(\.value).reduce(0, +) == 20000)
        #expect(scrape.value("conntrack_exporter_event_overflows_total") == 0)
        let listing = try namespace.conntrackListing()
        #expect(try exporter.scrape().gauges == listing.expectedGauges(ignoredPort: 9318))
    }

    @Test func tableHealthMatchesTheConntrackTool() throws {
        let namespace = try TestNamespace()
        try namespace.exec([IntegrationEnvironment.executable("conntrack-fill"), "--entries", "1500", "--hosts", "30"])
        let exporter = try ExporterProcess(in: namespace)
        let client = try NamespaceHTTPClient(namespace: namespace, port: 9318)
        _ = try client.scrape()
        // The kept-alive connection adds no entry between the tool's reads and this scrape.
        let count = try #require(Double(try namespace.exec(["conntrack", "-C"]).trimmingCharacters(in: .whitespacesAndNewlines)))
        var sums: [String: Double] = [:]
        for field in try namespace.exec(["conntrack", "-S"]).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }) {
            let parts = field.split(separator: "=")
            if parts.count == 2, parts[0] != "cpu", let value = Double(parts[1]) { sums[String(parts[0]), default: 0] += value }
        }
        let scrape = try client.scrape()
        #expect(scrape.value("conntrack_entries") == count)
        #expect(count >= 1500)
        let limit = try namespace.exec(["cat", "/proc/sys/net/netfilter/nf_conntrack_max"]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(scrape.value("conntrack_entries_limit") == Double(limit))
        #expect(sums.count == 10, "\(sums)")
        for (name, sum) in sums {
            #expect(scrape.value("conntrack_stat_\(name)_total") == sum, "\(name)")
        }
        #expect(sums["insert"] ?? 0 >= 1500)
        withExtendedLifetime(exporter) {}
    }
}
