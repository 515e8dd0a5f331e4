import Foundation
import Glibc
import IntegrationSupport
import Testing

/// Incidents reproduced with real software (HAProxy, nginx, wrk, ab, nc, nftables) in test
/// namespaces, each checked against the kernel's own view and through a real Prometheus.
/// docs/troubleshooting.md quotes what these print.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.shouldRun))
struct IncidentScenarioTests {
    /// `count` clients that connect to `port` at once (without waiting for the handshake) and
    /// keep their sockets for `seconds`.
    private static func simultaneousClients(_ count: Int, port: Int, holdingFor seconds: Int) -> String {
        """
        import socket, time
        clients = [socket.socket() for _ in range(\(count))]
        for client in clients:
            client.setblocking(False)
            client.connect_ex(("127.0.0.1", \(port)))
        time.sleep(\(seconds))
        """
    }

    /// `nc -z` health checks, one after another.
    private func healthChecks(_ count: Int, port: Int, in namespace: TestNamespace) throws {
        try namespace.exec(["bash", "-c", "for i in $(seq \(count)); do nc -z 127.0.0.1 \(port) || exit 1; done"])
    }

    @Test func aTCPProxyLeaksHalfClosedBackendConnections() throws {
        let namespace = try TestNamespace()
        // Long enough to look at the leak, short enough to see the kernel expire it.
        try namespace.sysctl("net.netfilter.nf_conntrack_tcp_timeout_close_wait", "15")
        let observer = try ScenarioObserver("haproxy-leak", in: namespace)
        let backend = try NamespaceProcess(in: namespace, python: PythonServers.holding(port: 7202))
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("\(namespace.name)-haproxy.cfg").path
        defer { try? FileManager.default.removeItem(atPath: config) }
        try """
            defaults
              mode tcp
              timeout connect 5s
              timeout client 10m
              timeout server 10m
            frontend checks
              bind 127.0.0.1:7201
              default_backend app
            backend app
              server app1 127.0.0.1:7202

            """.write(toFile: config, atomically: true, encoding: .utf8)
        // HAProxy refuses a file whose last line has no line feed.
        let haproxy = try NamespaceProcess(in: namespace, ["haproxy", "-db", "-f", config])
        try haproxy.waitUntilListening(port: 7201)
        try backend.waitUntilListening(port: 7202)

        // Checks that connect, wait 50 ms and leave. (With `nc -z`, which leaves at once, a check
        // can be gone before HAProxy has connected, and HAProxy then resets the backend
        // connection instead: 2 to 47 of 50 did on this machine.)
        try namespace.exec(["python3", "-c", """
            import socket, time
            for _ in range(50):
                check = socket.create_connection(("127.0.0.1", 7201))
                time.sleep(0.05)
                check.close()
            """])
        // HAProxy forwards each check's FIN to the backend, which never closes its side.
        Thread.sleep(forTimeInterval: 1)
        let leaked = try observer.conntrackCount(port: 7202, state: "CLOSE_WAIT")
        #expect(leaked >= 45, "every check leaks a backend connection")
        #expect(try observer.socketCount(state: "close-wait", "sport = :7202") == leaked, "the backend's sockets")
        let halfClosed = ["host": "127.0.0.1:7202", "closed_by": "local"]
        #expect(try observer.exporterValue("conntrack_half_closed_connections", halfClosed, settlesAt: Double(leaked)) == Double(leaked))
        #expect(try observer.exporter.scrape().value("conntrack_time_wait_connections", halfClosed) == nil)
        try observer.prometheus(#"sum by (host, closed_by) (conntrack_half_closed_connections{host="127.0.0.1:7202"})"#,
                                shows: [#"{closed_by="local",host="127.0.0.1:7202"} \#(leaked)"#])

        // When the kernel's CLOSE_WAIT timeout passes, the entries go as half_closed, not graceful.
        let ended = ["host": "127.0.0.1:7202", "outcome": "half_closed"]
        #expect(try observer.exporterValue("conntrack_connections_closed_total", ended, settlesAt: Double(leaked)) == Double(leaked))
        #expect(try observer.conntrackCount(port: 7202) == 0)
        let scrape = try observer.exporter.scrape()
        #expect(scrape.value("conntrack_connections_closed_total", ["host": "127.0.0.1:7202", "outcome": "graceful"]) == nil)
        #expect(scrape.value("conntrack_connections_opened_total", ["host": "127.0.0.1:7202"]) == 50)
        #expect(scrape.value("conntrack_connections_closed_total", ["host": "127.0.0.1:7202", "outcome": "reset"]) ?? 0 == Double(50 - leaked))
        try observer.prometheus(#"sum by (host, outcome) (conntrack_connections_closed_total{host="127.0.0.1:7202"})"#,
                                shows: [#"{host="127.0.0.1:7202",outcome="half_closed"} \#(leaked)"#])
        withExtendedLifetime((backend, haproxy)) {}
    }

    @Test func aProxyThatNeverClosesItsBackendLeavesIdleConnections() throws {
        let namespace = try TestNamespace()
        let observer = try ScenarioObserver("idle-leak", in: namespace, exporterArguments: ["--idle-threshold", "2s"])
        let backend = try NamespaceProcess(in: namespace, python: PythonServers.holding(port: 7302))
        // A naive proxy: a backend connection per client, never closed, never used.
        let proxy = try NamespaceProcess(in: namespace, python: """
            import socket
            listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", 7301))
            listener.listen(1024)
            held = []
            while True:
                client = listener.accept()[0]
                held += [client, socket.create_connection(("127.0.0.1", 7302))]
            """)
        try proxy.waitUntilListening(port: 7301)
        try backend.waitUntilListening(port: 7302)

        let backendHost = ["host": "127.0.0.1:7302"]
        var checks = 0
        for round in [10, 15] {
            try healthChecks(round, port: 7301, in: namespace)
            checks += round
            let idle = try observer.exporterValue("conntrack_idle_connections", backendHost, settlesAt: Double(checks))
            #expect(idle == Double(checks), "after \(checks) checks")
            #expect(try observer.conntrackCount(port: 7302, state: "ESTABLISHED") == checks)
            #expect(try observer.socketCount(state: "established", "dport = :7302") == checks)
        }
        let scrape = try observer.exporter.scrape()
        #expect(scrape.value("conntrack_open_connections", backendHost) == Double(checks))
        #expect(scrape.value("conntrack_exporter_idle_threshold_seconds") == 2)
        try observer.prometheus(#"conntrack_idle_connections{host="127.0.0.1:7302"}"#,
                                shows: [#"{__name__="conntrack_idle_connections",host="127.0.0.1:7302",instance="127.0.0.1:9318",job="conntrack"} 25"#])
        try observer.prometheus(#"sum(conntrack_open_connection_idle_seconds_gcount) - sum(conntrack_open_connection_idle_seconds_bucket{le="1"})"#,
                                shows: ["{} 25"])

        // The curl view lists them, idle longest first.
        let listing = try namespace.exec(["curl", "-sS", "--fail", "http://127.0.0.1:9318/connections?host=127.0.0.1:7302&state=open"])
        let rows = listing.split(separator: "\n").dropFirst()
        #expect(rows.count == checks)
        let idle = rows.compactMap { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst(5).first.flatMap { Int($0) } }
        #expect(idle.count == checks && idle == idle.sorted(by: >) && idle.allSatisfy { $0 >= 2 }, "\(listing)")
        withExtendedLifetime((backend, proxy)) {}
    }

    @Test func droppedSYNsAreUnansweredAndAClosedPortIsRefused() throws {
        let namespace = try TestNamespace()
        // Long enough for a scrape to see them, whenever the last read was (reads are shared for 2 s).
        try namespace.sysctl("net.netfilter.nf_conntrack_tcp_timeout_syn_sent", "8")
        try namespace.sysctl("net.netfilter.nf_conntrack_tcp_timeout_close", "1")
        try namespace.exec(["nft", "add", "rule", "inet", "cte", "in", "tcp", "dport", "7402", "counter", "drop"])
        let observer = try ScenarioObserver("syn-drop", in: namespace)

        // Five clients each: to a closed port, and to one whose SYNs a firewall drops.
        try namespace.exec(["bash", "-c", """
            for port in 7401 7402; do
              for i in 1 2 3 4 5; do curl -s --connect-timeout 1 http://127.0.0.1:$port/ & done
            done
            wait; true
            """])
        #expect(try observer.exporterValue("conntrack_opening_connections", ["host": "127.0.0.1:7402"], settlesAt: 5) == 5)
        #expect(try observer.conntrackCount(port: 7402, state: "SYN_SENT") == 5)
        let dropped = try namespace.exec(["nft", "list", "chain", "inet", "cte", "in"])
        let packets = dropped.firstMatch(of: /counter packets (\d+)/).flatMap { Int($0.1) } ?? 0
        #expect(packets >= 5, "the rule dropped every SYN (and retransmissions): \(dropped)")

        for (port, outcome) in [(7401, "refused"), (7402, "unanswered")] {
            let labels = ["host": "127.0.0.1:\(port)", "outcome": outcome]
            #expect(try observer.exporterValue("conntrack_connections_closed_total", labels, settlesAt: 5) == 5)
        }
        try observer.prometheus(#"sum by (host, outcome) (conntrack_connections_closed_total{outcome=~"refused|unanswered"})"#,
                                shows: [#"{host="127.0.0.1:7401",outcome="refused"} 5"#,
                                        #"{host="127.0.0.1:7402",outcome="unanswered"} 5"#])
    }

    @Test func aListenerThatNeverAcceptsLeavesSYNsUnanswered() throws {
        let namespace = try TestNamespace()
        try namespace.sysctl("net.netfilter.nf_conntrack_tcp_timeout_syn_sent", "5")
        let observer = try ScenarioObserver("backlog-full", in: namespace)
        let listener = try NamespaceProcess(in: namespace, python: """
            import socket, time
            listener = socket.socket()
            listener.bind(("127.0.0.1", 7601))
            listener.listen(1)
            time.sleep(3600)
            """)
        try listener.waitUntilListening(port: 7601)
        // Eight clients connect at once and give up after 3 s (one SYN retransmission).
        let clients = try NamespaceProcess(in: namespace, python: Self.simultaneousClients(8, port: 7601, holdingFor: 3))
        // The accept queue holds backlog + 1 connections; the kernel drops the other SYNs. Waits
        // until all eight clients have sent their SYN (their interpreter may start slowly).
        var queued = 0
        var waiting = 0
        let deadline = Date().addingTimeInterval(10)
        repeat {
            Thread.sleep(forTimeInterval: 0.1)
            queued = try observer.socketCount(state: "established", "dport = :7601")
            waiting = try observer.conntrackCount(port: 7601, state: "SYN_SENT")
        } while (queued < 1 || queued + waiting < 8) && Date() < deadline
        #expect(queued >= 1 && waiting == 8 - queued, "queued \(queued), SYN_SENT \(waiting)")
        let opening = ["host": "127.0.0.1:7601"]
        #expect(try observer.exporterValue("conntrack_opening_connections", opening, settlesAt: Double(waiting)) == Double(waiting))
        try observer.prometheus(#"sum by (host) (conntrack_opening_connections)"#,
                                shows: [#"{host="127.0.0.1:7601"} \#(waiting)"#])

        let unanswered = ["host": "127.0.0.1:7601", "outcome": "unanswered"]
        #expect(try observer.exporterValue("conntrack_connections_closed_total", unanswered, settlesAt: Double(waiting)) == Double(waiting))
        try observer.prometheus(#"sum by (host, outcome) (conntrack_connections_closed_total{outcome="unanswered"})"#,
                                shows: [#"{host="127.0.0.1:7601",outcome="unanswered"} \#(waiting)"#])
        withExtendedLifetime((listener, clients)) {}
    }

    @Test func aClientWithoutKeepAliveOpensAConnectionPerRequest() throws {
        let namespace = try TestNamespace()
        let observer = try ScenarioObserver("nginx-reuse", in: namespace)
        // 7701 closes after every response (keepalive_timeout 0); 7702 keeps connections open for good.
        let nginx = try NginxServer(in: namespace, servers: """
            server { listen 127.0.0.1:7701; keepalive_timeout 0; location / { return 200 "ok\\n"; } }
            server { listen 127.0.0.1:7702; keepalive_timeout 65; keepalive_requests 1000000; location / { return 200 "ok\\n"; } }
            """, ports: [7701, 7702])

        let ab = try namespace.exec(["ab", "-q", "-n", "200", "-c", "4", "http://127.0.0.1:7701/"])
        #expect(ab.contains("Complete requests:      200"), "\(ab)")
        let wrk = try namespace.exec(["wrk", "-t", "2", "-c", "4", "-d", "2s", "http://127.0.0.1:7702/"])
        let requests = wrk.firstMatch(of: /(\d+) requests in/).flatMap { Int($0.1) } ?? 0
        #expect(requests > 1000, "\(wrk)")
        print("scenario nginx-reuse: ab sent 200 requests, wrk \(requests)")

        // Every connection is still in the table (TIME_WAIT lasts 120 s): the kernel's count is what opened.
        let perRequest = try observer.conntrackCount(port: 7701)
        #expect((200...204).contains(perRequest), "about one connection per request (ab may open one more)")
        let opened = try observer.exporterValue("conntrack_connections_opened_total", ["host": "127.0.0.1:7701"],
                                                settlesAt: Double(perRequest))
        #expect(opened == Double(perRequest))
        // wrk's four connections, and the one it opens first to check the address.
        let keptAlive = try observer.conntrackCount(port: 7702)
        #expect((4...6).contains(keptAlive), "\(keptAlive) connections for \(requests) requests")
        let reused = try observer.exporterValue("conntrack_connections_opened_total", ["host": "127.0.0.1:7702"],
                                                settlesAt: Double(keptAlive))
        #expect(reused == Double(keptAlive))
        #expect(Double(keptAlive) / Double(requests) < 0.001)

        // nginx closes first when it will not keep the connection; wrk closes its own when it stops.
        let serverClosed = try observer.socketCount(state: "time-wait", "sport = :7701")
        #expect(serverClosed >= 200, "nginx's sockets wait")
        #expect(try observer.exporterValue("conntrack_time_wait_connections", ["host": "127.0.0.1:7701", "closed_by": "remote"],
                                           settlesAt: Double(serverClosed)) == Double(serverClosed))
        #expect(try observer.socketCount(state: "time-wait", "dport = :7701") == perRequest - serverClosed)
        // wrk's first connection (the address check) closes cleanly; of its working ones, each with a
        // request in flight when wrk stops ends with a reset instead (from none to all four, run by run).
        let clientClosed = try observer.socketCount(state: "time-wait", "dport = :7702")
        #expect((1...keptAlive).contains(clientClosed), "wrk's sockets wait")
        #expect(try observer.exporterValue("conntrack_time_wait_connections", ["host": "127.0.0.1:7702", "closed_by": "local"],
                                           settlesAt: Double(clientClosed)) == Double(clientClosed))
        try observer.prometheus(#"sum by (host) (conntrack_connections_opened_total)"#,
                                shows: [#"{host="127.0.0.1:7701"} \#(perRequest)"#, #"{host="127.0.0.1:7702"} \#(keptAlive)"#])
        try observer.prometheus(#"sum by (host, closed_by) (conntrack_time_wait_connections)"#,
                                shows: [#"{closed_by="remote",host="127.0.0.1:7701"} \#(serverClosed)"#,
                                        #"{closed_by="local",host="127.0.0.1:7702"} \#(clientClosed)"#])
        withExtendedLifetime(nginx) {}
    }

    @Test func aServerThatAbortsConnectionsResetsThem() throws {
        let namespace = try TestNamespace()
        let observer = try ScenarioObserver("resets", in: namespace)
        // Reads the request, then closes with SO_LINGER 0: an RST instead of a FIN.
        let server = try NamespaceProcess(in: namespace, python: """
            import socket, struct
            listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", 7801))
            listener.listen(64)
            while True:
                connection = listener.accept()[0]
                connection.recv(4096)
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                connection.close()
            """)
        try server.waitUntilListening(port: 7801)
        let curl = try runAllowingFailure(["ip", "netns", "exec", namespace.name, "bash", "-c",
                                           "for i in $(seq 10); do curl -sS http://127.0.0.1:7801/ 2>&1; done"])
        #expect(curl.output.components(separatedBy: "Connection reset by peer").count - 1 == 10, "\(curl.output)")
        #expect(try observer.conntrackCount(port: 7801, state: "CLOSE") == 10)
        let reset = ["host": "127.0.0.1:7801", "outcome": "reset"]
        #expect(try observer.exporterValue("conntrack_connections_closed_total", reset, settlesAt: 10) == 10)
        try observer.prometheus(#"sum by (host, outcome) (conntrack_connections_closed_total{outcome="reset"})"#,
                                shows: [#"{host="127.0.0.1:7801",outcome="reset"} 10"#])
    }

    @Test func aFullTableDropsNewConnections() throws {
        let namespace = try TestNamespace()
        // Global and read-only in a namespace, but counted per namespace: filling this one
        // fills no other table.
        let limit = Int(try String(contentsOfFile: "/proc/sys/net/netfilter/nf_conntrack_max", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        try #require((1...1_048_576).contains(limit), "nf_conntrack_max is \(limit): too large to fill in a test")
        // Scrapes and queries bypass tracking, as the troubleshooting guide advises, so they
        // still connect when the table is full.
        try namespace.exec(["nft", "-f", "-"], input: """
            table inet untracked {
                chain out { type filter hook output priority -300; tcp dport { 9318, 9090 } notrack; tcp sport { 9318, 9090 } notrack; }
                chain in { type filter hook prerouting priority -300; tcp dport { 9318, 9090 } notrack; tcp sport { 9318, 9090 } notrack; }
            }
            """)
        let observer = try ScenarioObserver("table-full", in: namespace)
        // Entries that saw replies (UDP here), which the kernel never evicts early: only
        // entries that never saw a reply can make room in a full table.
        let present = Int(try namespace.exec(["conntrack", "-C"]).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        try namespace.exec([IntegrationEnvironment.executable("conntrack-fill"), "--entries", "\(limit - present - 10)",
                            "--hosts", "1000", "--udp-percent", "100"])
        // 30 clients connect at once to a server, and hold on: 10 find room, the kernel drops the
        // SYNs of the others. (Connections that close could be removed again: above 95% full the
        // kernel's garbage collector evicts closing entries.)
        let server = try NamespaceProcess(in: namespace, python: PythonServers.holding(port: 7901))
        try server.waitUntilListening(port: 7901)
        let clients = try NamespaceProcess(in: namespace, python: Self.simultaneousClients(30, port: 7901, holdingFor: 3600))
        // Long enough for every first SYN and one retransmission.
        Thread.sleep(forTimeInterval: 2.5)
        #expect(try observer.conntrackCount(port: 7901, state: "ESTABLISHED") == 10, "the ten that found room")
        let scrape = try observer.exporter.scrape()
        #expect(scrape.value("conntrack_entries") == Double(limit))
        #expect(scrape.value("conntrack_entries_limit") == Double(limit))
        let dropped = scrape.value("conntrack_stat_drop_total") ?? 0
        #expect(dropped >= 20, "every SYN of 20 connections, and their retransmissions: \(dropped)")
        try observer.prometheus(#"sum(conntrack_entries) / sum(conntrack_entries_limit)"#, shows: ["{} 1"])
        try observer.prometheus(#"sum(conntrack_stat_drop_total) >= 20"#, shows: [])
        withExtendedLifetime((server, clients)) {}
    }
}
