import Foundation
import Glibc
import IntegrationSupport
import Testing

/// Real NAT (nftables in a router namespace between a client and a server namespace) with
/// the exporter in the router, against the kernel's own statistics and a real Prometheus
/// running the shipped alert rules. docs/troubleshooting.md quotes what these print.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.shouldRun))
struct NATTests {
    private static let rules = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("alerts/conntrack_exporter.rules.yml").path

    /// Answers each connection with a line and closes it.
    private static func answeringServer(port: Int) -> String {
        """
        import socket
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("198.18.2.2", \(port)))
        listener.listen(128)
        while True:
            connection = listener.accept()[0]
            connection.sendall(b"ok\\n")
            connection.close()
        """
    }

    /// Opens `count` connections to `address`:`port` and holds them for `seconds`; prints how many succeeded.
    private static func holdingClients(_ count: Int, to address: String, port: Int, seconds: Int, family: String = "AF_INET") -> String {
        """
        import socket, time
        held = []
        for _ in range(\(count)):
            s = socket.socket(socket.\(family))
            s.settimeout(3)
            try:
                s.connect(("\(address)", \(port)))
                held.append(s)
            except OSError:
                pass
        print(len(held), flush=True)
        time.sleep(\(seconds))
        """
    }

    /// Sends `virtual` (address and port) on to 198.18.2.2:8081 and :8082 in turn, masquerading
    /// on the way to the server when asked; starts a server holding connections on each port.
    private static func twoBackends(behind virtual: (address: String, port: Int), masquerade: Bool,
                                    in net: RoutedNamespaces) throws -> [NamespaceProcess] {
        try net.router.exec(["nft", "-f", "-"], input: """
            table ip nat {
                chain pre { type nat hook prerouting priority -100; ip daddr \(virtual.address) tcp dport \(virtual.port) dnat to numgen inc mod 2 map { 0 : 198.18.2.2 . 8081, 1 : 198.18.2.2 . 8082 }; }
                \(masquerade ? #"chain post { type nat hook postrouting priority 100; oifname "r1" masquerade; }"# : "")
            }
            """)
        return try [8081, 8082].map { port in
            let server = try NamespaceProcess(in: net.server, python: PythonServers.holding(port: port, address: "0.0.0.0"))
            try server.waitUntilListening(port: port)
            return server
        }
    }

    @Test func sourceNATPortExhaustionIsSeenBeforeAndWhenConnectionsFail() throws {
        let net = try RoutedNamespaces()
        try net.router.exec(["nft", "-f", "-"], input: """
            table ip nat {
                chain post { type nat hook postrouting priority 100; oifname "r1" ip daddr 198.18.2.2 tcp dport 8000 snat to 198.18.2.1:40000-40099; }
            }
            table ip6 nat {
                chain post { type nat hook postrouting priority 100; oifname "r1" ip6 daddr 2001:db8:2::2 tcp dport 8000 snat to [2001:db8:2::1]:40000-40009; }
            }
            """)
        // Closed connections leave the router's table within a second, and give their ports back.
        for state in ["time_wait", "fin_wait", "close_wait", "last_ack", "close"] {
            try net.router.sysctl("net.netfilter.nf_conntrack_tcp_timeout_\(state)", "1")
        }
        var servers = [try NamespaceProcess(in: net.server, python: PythonServers.holding(port: 8000, address: "0.0.0.0")),
                       try NamespaceProcess(in: net.server, python: PythonServers.holding(port: 8000, address: "2001:db8:2::2", family: "AF_INET6"))]
        try servers[0].waitUntilListening(port: 8000)
        let exporter = try ExporterProcess(in: net.router, arguments: [
            "--ignore-hosts", ":9318,:9090", "--nat.port-range", "198.18.2.1=40000-40099", "--nat.port-range", "2001:db8:2::1=40000-40009",
        ])
        let prometheus = try PrometheusServer(in: net.router, target: "127.0.0.1:9318", ruleFiles: [Self.rules])
        let statistic = { (name: String) in try exporter.scrape().value("conntrack_stat_\(name)_total") ?? 0 }

        // 100 connections from the client to one server port: every port of the range in use.
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("\(net.client.name)-clients").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let clients = try NamespaceProcess(in: net.client, ["sh", "-c", "python3 -c '\(Self.holdingClients(100, to: "198.18.2.2", port: 8000, seconds: 120))' > \(output)"])
        let clients6 = try NamespaceProcess(in: net.client, python: Self.holdingClients(3, to: "2001:db8:2::2", port: 8000, seconds: 120, family: "AF_INET6"))
        let labels = ["address": "198.18.2.1", "destination": "198.18.2.2:8000", "protocol": "tcp"]
        let full = try exporter.scrape(until: { $0.value("conntrack_snat_ports_in_use", labels) == 100 }, seconds: 30)
        #expect(full.value("conntrack_snat_ports_in_use", labels) == 100)
        #expect(full.value("conntrack_snat_ports_available", labels) == 100)
        let v6 = ["address": "2001:db8:2::1", "destination": "[2001:db8:2::2]:8000", "protocol": "tcp"]
        #expect(try exporter.scrape(until: { $0.value("conntrack_snat_ports_in_use", v6) == 3 }, seconds: 10)
            .value("conntrack_snat_ports_available", v6) == 10, "NAT66")

        // The 101st connection gets no answer: the kernel cannot insert its entry.
        let failedBefore = try statistic("insert_failed")
        let extra = try net.client.exec(["python3", "-c", Self.holdingClients(1, to: "198.18.2.2", port: 8000, seconds: 0)])
        #expect(extra.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "the 101st connection failed")
        let failedAfter = try statistic("insert_failed")
        #expect(failedAfter > failedBefore, "insert_failed moved: \(failedBefore) -> \(failedAfter)")
        print("scenario snat-exhaustion: 100 of 100 ports in use; the 101st connect timed out; insert_failed \(failedBefore) -> \(failedAfter)")

        // The shipped alert fires in a real Prometheus (it waits 30 s).
        var firing: [String] = []
        let deadline = Date().addingTimeInterval(60)
        while firing.isEmpty && Date() < deadline {
            Thread.sleep(forTimeInterval: 2)
            firing = try prometheus.query(#"ALERTS{alertname="ConntrackSNATPortsNearlyExhausted",alertstate="firing"}"#).compactMap { $0.labels["destination"] }
        }
        #expect(firing.contains("198.18.2.2:8000"), "\(firing)")

        // The connections close, both ends: the gauge falls back.
        withExtendedLifetime((clients, clients6)) {}
        servers.removeAll()
        net.client.killProcesses()
        let after = try exporter.scrape(until: { ($0.value("conntrack_snat_ports_in_use", labels) ?? 0) == 0 }, seconds: 30)
        #expect((after.value("conntrack_snat_ports_in_use", labels) ?? 0) == 0)
    }

    @Test func destinationNATShowsTheBackendActuallyReached() throws {
        let net = try RoutedNamespaces()
        try net.router.exec(["nft", "-f", "-"], input: """
            table ip nat {
                chain pre { type nat hook prerouting priority -100; ip daddr 198.18.3.10 tcp dport 80 dnat to numgen inc mod 2 map { 0 : 198.18.2.2 . 8081, 1 : 198.18.2.2 . 8082 }; }
            }
            """)
        try net.router.sysctl("net.netfilter.nf_conntrack_tcp_timeout_time_wait", "1")
        try net.router.sysctl("net.netfilter.nf_conntrack_tcp_timeout_close", "1")
        let first = try NamespaceProcess(in: net.server, python: Self.answeringServer(port: 8081))
        var second: NamespaceProcess? = try NamespaceProcess(in: net.server, python: Self.answeringServer(port: 8082))
        try first.waitUntilListening(port: 8081)
        try second?.waitUntilListening(port: 8082)
        let exporter = try ExporterProcess(in: net.router)
        let connect = "import socket\nfor _ in range(10):\n    try:\n        s = socket.create_connection(('198.18.3.10', 80), timeout=3); s.recv(10); s.close()\n    except OSError:\n        pass\n"
        try net.client.exec(["python3", "-c", connect])
        let backend = { (port: Int, outcome: String) in
            ["host": "198.18.3.10:80", "backend": "198.18.2.2:\(port)", "outcome": outcome]
        }
        let spread = try exporter.scrape(until: { scrape in
            [8081, 8082].allSatisfy { scrape.value("conntrack_backend_connections_closed_total", backend($0, "graceful")) == 5 }
        }, seconds: 30)
        for port in [8081, 8082] {
            #expect(spread.value("conntrack_backend_connections_closed_total", backend(port, "graceful")) == 5, "backend \(port)")
        }
        #expect(spread.value("conntrack_connections_closed_total", ["host": "198.18.3.10:80", "outcome": "graceful"]) == 10)

        // One backend stops: its half of the connections are refused, and they are its own.
        second = nil
        Thread.sleep(forTimeInterval: 0.5)
        try net.client.exec(["python3", "-c", connect])
        let refused = try exporter.scrape(until: { scrape in
            scrape.value("conntrack_backend_connections_closed_total", backend(8082, "refused")) == 5
                && scrape.value("conntrack_backend_connections_closed_total", backend(8081, "graceful")) == 10
        }, seconds: 30)
        #expect(refused.value("conntrack_backend_connections_closed_total", backend(8082, "refused")) == 5)
        #expect(refused.value("conntrack_backend_connections_closed_total", backend(8081, "refused")) == nil)
        #expect(refused.value("conntrack_backend_connections_closed_total", backend(8081, "graceful")) == 10)
        let hosts = try net.router.exec(["curl", "-sS", "--fail", "http://127.0.0.1:9318/hosts?host=198.18.3.10:80"])
        #expect(hosts.contains("  -> 198.18.2.2:8081") && hosts.contains("  -> 198.18.2.2:8082"), "\(hosts)")
        print("scenario dnat-backends:\n\(hosts)")
        withExtendedLifetime(first) {}
    }

    /// A virtual address sent on to two backends, and masqueraded on its way (kube-proxy's
    /// masquerade, hairpin NAT): the kernel keeps translated ports unique per reply tuple, so
    /// each backend is a pool of its own, and each pool's ports in use are what `conntrack -L`
    /// holds with that reply tuple.
    @Test func sourceNATPoolsUnderDestinationNATAreTheKernelsReplyTuples() throws {
        let net = try RoutedNamespaces()
        let servers = try Self.twoBackends(behind: ("198.18.3.10", 80), masquerade: true, in: net)
        let exporter = try ExporterProcess(in: net.router, arguments: ["--ignore-hosts", ":9318"])
        let clients = try NamespaceProcess(in: net.client, python: Self.holdingClients(40, to: "198.18.3.10", port: 80, seconds: 120))
        let pool = { (backend: Int) in
            ["address": "198.18.2.1", "destination": "198.18.3.10:80", "backend": "198.18.2.2:\(backend)", "protocol": "tcp"]
        }
        let scrape = try exporter.scrape(until: { scrape in
            [8081, 8082].compactMap { scrape.value("conntrack_snat_ports_in_use", pool($0)) }.reduce(0, +) == 40
        }, seconds: 30)
        // The kernel's pools: entries grouped by reply tuple (server reached, translated address).
        let listing = try net.router.exec(["conntrack", "-L", "-p", "tcp", "--orig-dst", "198.18.3.10"])
        for backend in [8081, 8082] {
            let kernel = listing.split(separator: "\n").filter { line in
                line.contains("src=198.18.2.2 dst=198.18.2.1 sport=\(backend) ")
            }.count
            #expect(kernel > 0 && scrape.value("conntrack_snat_ports_in_use", pool(backend)) == Double(kernel),
                    "backend \(backend): \(kernel) in the kernel's table")
        }
        #expect(scrape.value("conntrack_exporter_snat_translations") == 2)
        withExtendedLifetime((servers, clients)) {}
    }

    /// Port forwarding: each client is a host of its own, so each is a backend pair too. With
    /// --max-hosts 10 the backend series keep to 10 pairs and `other`, and the rest are counted.
    @Test func portForwardingBackendSeriesKeepToMaxHosts() throws {
        let net = try RoutedNamespaces()
        let servers = try Self.twoBackends(behind: ("198.18.1.1", 8080), masquerade: false, in: net)
        // Ended connections leave the router's table within a second or two.
        for state in ["time_wait", "fin_wait", "close_wait", "last_ack", "close"] {
            try net.router.sysctl("net.netfilter.nf_conntrack_tcp_timeout_\(state)", "1")
        }
        let clientAddresses = (10..<210).map { "198.18.1.\($0)" }
        for address in clientAddresses { try net.client.exec(["ip", "addr", "add", "\(address)/24", "dev", "c0", "nodad"]) }
        let exporter = try ExporterProcess(in: net.router, arguments: ["--ignore-hosts", ":9318", "--max-hosts", "10"])
        let clients = try NamespaceProcess(in: net.client, python: """
            import socket, time
            held = []
            for address in [\(clientAddresses.map { "'\($0)'" }.joined(separator: ", "))]:
                held.append(socket.create_connection(('198.18.1.1', 8080), timeout=3, source_address=(address, 0)))
            time.sleep(120)
            """)
        let backendSeries = { (scrape: Exposition) in scrape.samples.filter { $0.name == "conntrack_backend_connections" } }
        let scrape = try exporter.scrape(until: { backendSeries($0).map(\.value).reduce(0, +) == 200 }, seconds: 30)
        let pairs = Set(backendSeries(scrape).map { $0.labels["host", default: ""] + " " + $0.labels["backend", default: ""] })
        #expect(pairs.count == 11, "\(pairs.count) pairs: \(pairs.sorted().prefix(20))")
        #expect(pairs.contains("other other"))
        #expect(scrape.value("conntrack_exporter_folded_backends") == 190)
        #expect(backendSeries(scrape).map(\.value).reduce(0, +) == 200)
        // When they end, the closed counter keeps to 10 pairs too, and counts the rest.
        net.client.killProcesses()
        let closedSeries = { (scrape: Exposition) in scrape.samples.filter { $0.name == "conntrack_backend_connections_closed_total" } }
        let ended = try exporter.scrape(until: { closedSeries($0).map(\.value).reduce(0, +) == 200 }, seconds: 60)
        #expect(closedSeries(ended).map(\.value).reduce(0, +) == 200)
        #expect(Set(closedSeries(ended).map { $0.labels["host", default: ""] + " " + $0.labels["backend", default: ""] }).count <= 11)
        let folded = closedSeries(ended).filter { $0.labels["host"] == "other" && $0.labels["backend"] == "other" }.map(\.value).reduce(0, +)
        #expect(folded > 0 && ended.value("conntrack_exporter_backend_closes_folded_total") == folded)
        withExtendedLifetime((servers, clients)) {}
    }

    /// In the table kept from events (a large table, no check due for 10 minutes), connections
    /// translated after the last dump show in the NAT families at the next scrape: NEW events
    /// carry both tuples.
    @Test func theTableKeptFromEventsShowsNewTranslationsAtTheNextScrape() throws {
        let net = try RoutedNamespaces()
        let servers = try Self.twoBackends(behind: ("198.18.3.10", 80), masquerade: true, in: net)
        try net.router.exec([IntegrationEnvironment.executable("conntrack-fill"), "--entries", "50000", "--hosts", "1000"])
        let exporter = try ExporterProcess(in: net.router, arguments: ["--ignore-hosts", ":9318", "--table.source", "events"])
        let started = try exporter.scrape(until: { $0.value("conntrack_exporter_table_rebuilds_total", ["reason": "start"]) == 1 })
        let details = try #require(started.value("conntrack_exporter_table_details_timestamp_seconds"))
        let clients = try NamespaceProcess(in: net.client, python: Self.holdingClients(10, to: "198.18.3.10", port: 80, seconds: 120))
        let backend = { (port: Int) in ["host": "198.18.3.10:80", "backend": "198.18.2.2:\(port)", "state": "open"] }
        let pool = { (port: Int) in ["address": "198.18.2.1", "destination": "198.18.3.10:80", "backend": "198.18.2.2:\(port)", "protocol": "tcp"] }
        let scrape = try exporter.scrape(until: { scrape in
            [8081, 8082].compactMap { scrape.value("conntrack_backend_connections", backend($0)) }.reduce(0, +) == 10
        }, seconds: 30)
        #expect([8081, 8082].compactMap { scrape.value("conntrack_backend_connections", backend($0)) } == [5, 5])
        #expect([8081, 8082].compactMap { scrape.value("conntrack_snat_ports_in_use", pool($0)) } == [5, 5])
        // From events: no dump since the start's.
        #expect(scrape.value("conntrack_exporter_table_source", ["source": "events"]) == 1)
        #expect(scrape.value("conntrack_exporter_table_rebuilds_total", ["reason": "check"]) == 0)
        #expect(scrape.value("conntrack_exporter_table_details_timestamp_seconds") == details)
        withExtendedLifetime((servers, clients)) {}
    }
}
