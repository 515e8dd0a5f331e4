import Foundation
import Glibc
import IntegrationSupport
import Testing

/// Names for hosts that carry real connections: from Debian's unbound in the test's namespace
/// (reached through the namespace's own resolv.conf), hostile answers included, and from a
/// names file. Servers listen on every address of local routes, so 198.18.0.N:8080 is a host.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.shouldRun))
struct NameTests {
    private static let zones = ["18.198.in-addr.arpa.", "19.198.in-addr.arpa.", "8.b.d.0.1.0.0.2.ip6.arpa.", "example.org."]
    private static let v6Reverse = "7" + String(repeating: ".0", count: 23) + ".8.b.d.0.1.0.0.2.ip6.arpa."

    /// PTR answers no host name may be made of, for 198.18.0.N (presentation format).
    private static let hostile: [(host: Int, name: String)] = [
        (8, #"db\"quote.example.org."#), (9, #"db\\back.example.org."#), (10, #"db\010nl.example.org."#),
        (11, #"db\000nul.example.org."#), (12, #"d\195\169b.example.org."#), (13, "db_under.example.org."), (14, "198.18.0.7."),
        (17, String(repeating: #"\255"#, count: 60) + "." + String(repeating: #"\255"#, count: 15) + ".example.org."),
    ]

    private static let records = [
        "7.0.18.198.in-addr.arpa. 10 IN PTR db-1.example.org.", "db-1.example.org. 10 IN A 198.18.0.7",
        "\(v6Reverse) 10 IN PTR v6.example.org.", "v6.example.org. 10 IN AAAA 2001:db8::7",
        // Not confirmed: the forward record holds another address, or there is none.
        "15.0.18.198.in-addr.arpa. 10 IN PTR web.example.org.", "web.example.org. 10 IN A 198.18.0.99",
        "16.0.18.198.in-addr.arpa. 10 IN PTR nofwd.example.org.",
    ] + hostile.map { "\($0.host).0.18.198.in-addr.arpa. 10 IN PTR \($0.name)" }

    /// A namespace whose 198.18.0.0/22 and 2001:db8::/64 are local, with a dual-stack server
    /// holding whatever connects to port `port` (more ports with more servers).
    private static func namespace(serving ports: [Int]) throws -> (TestNamespace, [NamespaceProcess]) {
        let namespace = try TestNamespace()
        try namespace.exec(["ip", "route", "add", "local", "198.18.0.0/22", "dev", "lo"])
        try namespace.exec(["ip", "-6", "route", "add", "local", "2001:db8::/64", "dev", "lo"])
        let servers = try ports.map { port in
            let server = try NamespaceProcess(in: namespace, python: "import resource\nresource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))\n"
                                              + PythonServers.holding(port: port, address: "::", family: "AF_INET6"))
            try server.waitUntilListening(port: port)
            return server
        }
        return (namespace, servers)
    }

    /// Holds a connection to each of `hosts` (`address` or `address port`) for `seconds`.
    private static func clients(in namespace: TestNamespace, to hosts: [String], port: Int = 8080, seconds: Int = 300) throws -> NamespaceProcess {
        try NamespaceProcess(in: namespace, python: """
            import resource, socket, time
            resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))
            held = []
            for host in [\(hosts.map { "'\($0)'" }.joined(separator: ", "))]:
                address, _, to = host.partition(' ')
                held.append(socket.create_connection((address, int(to or \(port)))))
            time.sleep(\(seconds))
            """)
    }

    private static func named(_ scrape: Exposition) -> [String: String] {
        Dictionary(scrape.samples.filter { $0.name == "conntrack_host_info" }.map { ($0.labels["host"]!, $0.labels["name"]!) },
                   uniquingKeysWith: { first, _ in first })
    }

    private static func lookups(_ scrape: Exposition, _ result: String) -> Int {
        Int(scrape.value("conntrack_exporter_name_lookups_total", ["result": result]) ?? 0)
    }

    @Test func confirmedNamesAppearEverywhereAndHostileOrUnconfirmedOnesNowhere() throws {
        let (namespace, servers) = try Self.namespace(serving: [8080])
        let dns = try UnboundServer(in: namespace, zones: Self.zones, records: Self.records)
        let hosts = (7...17).map { "198.18.0.\($0)" } + ["198.18.0.20", "2001:db8::7"]
        let clients = try Self.clients(in: namespace, to: hosts)
        let events = FileManager.default.temporaryDirectory.appendingPathComponent("\(namespace.name)-events.json").path
        defer { try? FileManager.default.removeItem(atPath: events) }
        let exporter = try ExporterProcess(in: namespace, arguments: ["--names.dns", "--names.dns-min-ttl", "3s", "--ignore-hosts", ":9318,:9319",
                                                                      "--log-events"], outputFile: events)
        // Every host answered once. Unnamed answers are kept for 3 s (--names.dns-min-ttl): on a loaded
        // machine, where the round of lookups takes longer, the first ones are asked again before the
        // last are answered, so waiting for a total would stop early and counts may exceed one each.
        let expected = ["named": 2, "unconfirmed": 2, "not_found": 1, "rejected": Self.hostile.count]
        let scrape = try exporter.scrape(until: { scrape in expected.allSatisfy { Self.lookups(scrape, $0.key) >= $0.value } })
        #expect(Self.named(scrape) == ["198.18.0.7:8080": "db-1.example.org", "[2001:db8::7]:8080": "v6.example.org"])
        #expect(scrape.value("conntrack_host_info", ["host": "198.18.0.7:8080", "name": "db-1.example.org", "source": "dns"]) == 1)
        #expect(Self.lookups(scrape, "named") == 2, "named answers are kept for their 10 s TTL")
        // Each rejected answer counts its reason.
        let rejected = scrape.samples.filter { $0.name == "conntrack_exporter_names_rejected_total" }.map(\.value).reduce(0, +)
        #expect(Int(rejected) >= Self.hostile.count)
        let check = try runAllowingFailure(["promtool", "check", "metrics"], input: scrape.text)
        #expect(check.status == 0, "\(check.output)\(check.error)")

        // NXDOMAIN is remembered: at scrapes twice a second, 198.18.0.20 is asked at 0 s, 3 s, 9 s, 21 s (doubling).
        // The first scrape above may have come after the 3 s retry on a loaded machine, and c-ares may resend a
        // query it timed out: by 14 s more, 3 asks (4 with a resend), where a fixed 3 s would make 7 and no cache 30.
        let negative = "20.0.18.198.in-addr.arpa."
        let firstAsked = dns.queries(for: negative, type: "PTR")
        let window = Date().addingTimeInterval(14)
        while Date() < window {
            _ = try exporter.scrape()
            Thread.sleep(forTimeInterval: 0.5)
        }
        let asked = dns.queries(for: negative, type: "PTR")
        #expect(firstAsked >= 1 && (2...4).contains(asked), "asked \(firstAsked), then \(asked) times in all")

        // The name in /hosts and /connections, and as a host= filter; in their JSON too.
        let get = { (path: String) in try namespace.exec(["curl", "-sS", "--fail", "http://127.0.0.1:9318\(path)"]) }
        let hostsView = try get("/hosts")
        #expect(hostsView.contains("db-1.example.org") && hostsView.contains("v6.example.org"), "\(hostsView)")
        let filtered = try get("/connections?host=db-1.example.org")
        #expect(filtered.contains("198.18.0.7:8080") && !filtered.contains("198.18.0.8:8080"), "\(filtered)")
        #expect(try get("/hosts?host=v6.example.org:8080&format=json").contains(#""name":"v6.example.org""#))
        // A new connection's events carry the name.
        try namespace.exec(["python3", "-c", "import socket; socket.create_connection(('198.18.0.7', 8080)).close()"])
        let deadline = Date().addingTimeInterval(10)
        var logged = ""
        while Date() < deadline, !logged.contains(#""name":"db-1.example.org""#) {
            Thread.sleep(forTimeInterval: 0.2)
            logged = (try? String(contentsOfFile: events, encoding: .utf8)) ?? ""
        }
        #expect(logged.split(separator: "\n").contains { $0.contains(#""host":"198.18.0.7:8080""#) && $0.contains(#""name":"db-1.example.org""#) })

        // Nothing of a rejected answer appears anywhere.
        let everything = try scrape.text + hostsView + get("/connections") + get("/connections?format=json") + logged
        for fragment in ["quote", "back.example", "nl.example", "nul.example", "b.example.org", "db_under", "nofwd"] {
            #expect(!everything.contains(fragment), "\(fragment)")
        }

        // With --names.dns-unverified, unconfirmed names are used; hostile ones still are not.
        let unverified = try ExporterProcess(in: namespace, port: 9319, arguments: ["--names.dns-unverified", "--ignore-hosts", ":9318,:9319"])
        let trusting = try unverified.scrape(until: { Self.named($0).count >= 4 })
        #expect(Self.named(trusting) == ["198.18.0.7:8080": "db-1.example.org", "[2001:db8::7]:8080": "v6.example.org",
                                         "198.18.0.15:8080": "web.example.org", "198.18.0.16:8080": "nofwd.example.org"])
        withExtendedLifetime((servers, clients)) {}
    }

    /// Forward confirmation asks for the PTR name as it is, absolute: a record that exists only
    /// under the namespace's search domain (`intra.example.org.lan.test.`) confirms nothing.
    @Test func aSearchDomainNeverConfirmsAName() throws {
        let (namespace, servers) = try Self.namespace(serving: [8080])
        let dns = try UnboundServer(in: namespace, zones: Self.zones + ["lan.test."], records: [
            "30.0.18.198.in-addr.arpa. 10 IN PTR intra.example.org.", "intra.example.org.lan.test. 10 IN A 198.18.0.30",
            "31.0.18.198.in-addr.arpa. 10 IN PTR db-31.example.org.", "db-31.example.org. 10 IN A 198.18.0.31",
        ])
        try namespace.setResolvConf("nameserver 127.0.0.1\nsearch lan.test\n")
        let clients = try Self.clients(in: namespace, to: ["198.18.0.30", "198.18.0.31"])
        let exporter = try ExporterProcess(in: namespace, arguments: ["--names.dns", "--ignore-hosts", ":9318"])
        let scrape = try exporter.scrape(until: { Self.lookups($0, "named") >= 1 && Self.lookups($0, "unconfirmed") >= 1 })
        #expect(Self.named(scrape) == ["198.18.0.31:8080": "db-31.example.org"])
        #expect(Self.lookups(scrape, "unconfirmed") >= 1)
        #expect(dns.queries(for: "intra.example.org.lan.test.", type: "A") == 0, "the search domain was never asked")
        withExtendedLifetime((servers, clients)) {}
    }

    @Test func anUnreachableServerNeverHoldsAScrapeAndChangedRecordsShowAfterTheirTTL() throws {
        let (namespace, servers) = try Self.namespace(serving: [8080])
        let renamed = { (name: String) in ["7.1.18.198.in-addr.arpa. 5 IN PTR \(name).example.org.", "\(name).example.org. 5 IN A 198.18.1.7"] }
        let dns = try UnboundServer(in: namespace, zones: Self.zones, records: renamed("before"))
        let clients = try Self.clients(in: namespace, to: (1...1000).map { "198.18.\($0 >> 8).\($0 & 0xff)" })
        // Dropped on their way in, queries go unanswered (dropped on their way out, sending fails at once).
        try namespace.exec(["nft", "-f", "-"], input: """
            table inet unreachable {
                chain in { type filter hook input priority -10; udp dport 53 drop; tcp dport 53 drop; }
            }
            """)
        let exporter = try ExporterProcess(in: namespace, arguments: ["--names.dns", "--names.dns-min-ttl", "2s", "--names.dns-max-ttl", "8s",
                                                                      "--names.dns-rate", "200", "--ignore-hosts", ":9318"])
        // Every scrape is answered while lookups wait for a server that never answers.
        var scrapes = 0
        let outage = try exporter.scrape(until: { scrape in
            scrapes += 1
            return Self.lookups(scrape, "timeout") >= 16
        })
        #expect(Self.lookups(outage, "timeout") >= 16 && Self.named(outage).isEmpty)
        #expect(outage.byHost("conntrack_open_connections").count == 1000)
        #expect(scrapes >= 10, "\(scrapes) scrapes answered during the outage")

        try namespace.exec(["nft", "delete", "table", "inet", "unreachable"])
        let recovered = try exporter.scrape(until: { Self.named($0)["198.18.1.7:8080"] != nil })
        #expect(Self.named(recovered)["198.18.1.7:8080"] == "before.example.org", "timed-out lookups are retried")

        try dns.serve(zones: Self.zones, records: renamed("after"))
        let changed = try exporter.scrape(until: { Self.named($0)["198.18.1.7:8080"] == "after.example.org" }, seconds: 30)
        #expect(Self.named(changed)["198.18.1.7:8080"] == "after.example.org", "the new record shows after its TTL (5 s, clamped to 2-8 s)")
        withExtendedLifetime((servers, clients)) {}
    }

    @Test func aStreamOfNewHostsKeepsTheCacheAndTheQueryRateAtTheirBounds() throws {
        let namespace = try TestNamespace()
        let dns = try UnboundServer(in: namespace, zones: Self.zones, records: [])
        let exporter = try ExporterProcess(in: namespace, arguments: ["--names.dns", "--names.cache-size", "2000", "--names.dns-rate", "50",
                                                                      "--ignore-hosts", ":9318"])
        let pid = exporter.process.processIdentifier
        let fill = IntegrationEnvironment.executable("conntrack-fill")
        let started = Date()
        var rss: [Int] = []
        // 100,000 hosts, 10,000 new ones a second, each in the table for 3 s.
        for round in 0..<10 {
            try namespace.exec([fill, "--entries", "10000", "--hosts", "10000", "--first-host", "\(round * 10_000)", "--ipv6-percent", "0",
                                "--udp-percent", "0", "--timeout", "3"])
            let scrape = try exporter.scrape()
            #expect(scrape.value("conntrack_exporter_name_cache_entries").map { $0 <= 2000 } == true)
            #expect(scrape.value("conntrack_exporter_name_lookups_queued").map { $0 <= 2000 } == true)
            let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
            rss.append(Int(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }!.split(separator: " ")[1])!)
            Thread.sleep(forTimeInterval: 1)
        }
        let seconds = Date().timeIntervalSince(started)
        let asked = dns.queryTimes(type: "PTR")
        // The rate limit allows a second's worth at once, then 50 a second.
        #expect(asked.count <= Int(50 * (seconds + 1)) + 50, "\(asked.count) lookups in \(seconds) s")
        #expect(asked.count >= Int(25 * seconds), "\(asked.count) lookups in \(seconds) s: lookups kept up with the rate")
        let perSecond = Dictionary(grouping: asked, by: { $0 }).values.map(\.count).max() ?? 0
        #expect(perSecond <= 100, "\(perSecond) lookups in one second")
        #expect(rss.last! - rss[2] < 8 << 10, "RSS \(rss) KiB")
    }

    @Test func theNamesFileWinsByPrefixAndPortAndIsReloadedSafely() throws {
        let (namespace, servers) = try Self.namespace(serving: [8080, 5432])
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(namespace.name)-names").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let names = { (seven: String) in "198.18.0.0/24 office.example.org\n198.18.0.7 \(seven)\n198.18.0.0/24:5432 postgres.example.org\n" }
        try names("db-1.example.org").write(toFile: file, atomically: false, encoding: .utf8)
        let clients = try Self.clients(in: namespace, to: ["198.18.0.7", "198.18.0.8", "198.18.0.8 5432", "198.18.0.9 5432"])
        let exporter = try ExporterProcess(in: namespace, arguments: ["--names.file", file, "--table.max-age", "0", "--ignore-hosts", ":9318,:9319"])
        let byName = try ExporterProcess(in: namespace, port: 9319, arguments: ["--names.file", file, "--host-label", "name",
                                                                                "--ignore-hosts", ":9318,:9319,198.18.0.9:5432"])
        let first = try exporter.scrape(until: { Self.named($0).count == 4 })
        #expect(Self.named(first) == ["198.18.0.7:8080": "db-1.example.org", "198.18.0.8:8080": "office.example.org",
                                      "198.18.0.8:5432": "postgres.example.org", "198.18.0.9:5432": "postgres.example.org"])
        #expect(first.value("conntrack_host_info", ["host": "198.18.0.7:8080", "name": "db-1.example.org", "source": "file"]) == 1)
        // With --host-label=name the name is the host; the ignored address stays ignored under its name.
        let labelled = try byName.scrape(until: { $0.byHost("conntrack_open_connections").count == 3 })
        #expect(labelled.byHost("conntrack_open_connections") == ["db-1.example.org:8080": 1, "office.example.org:8080": 1,
                                                                   "postgres.example.org:5432": 1])

        // The file is checked before each read of the table; a scrape sooner than the pacing allows
        // is answered from the last read, so each check below waits for a read that started after the write.
        let rewritten = { (text: String) throws -> Exposition in
            try text.write(toFile: file, atomically: false, encoding: .utf8)
            let written = Date().timeIntervalSince1970
            return try exporter.scrape(until: { ($0.value("conntrack_exporter_table_read_timestamp_seconds") ?? 0) > written }, seconds: 10)
        }
        // Changed: read again before the next read of the table.
        #expect(Self.named(try rewritten(names("db-2.example.org")))["198.18.0.7:8080"] == "db-2.example.org")
        // A bad line at a reload keeps the names in force.
        #expect(Self.named(try rewritten(names("db-3.example.org") + "198.18.0.300 broken.example.org\n"))["198.18.0.7:8080"] == "db-2.example.org")
        // SIGHUP reads it even unchanged.
        #expect(Self.named(try rewritten(names("db-3.example.org")))["198.18.0.7:8080"] == "db-3.example.org")
        kill(exporter.process.processIdentifier, SIGHUP)
        Thread.sleep(forTimeInterval: 0.5)
        let log = exporter.stop().log
        #expect(log.components(separatedBy: "names file reloaded").count - 1 == 3, "\(log)")
        #expect(log.contains("\(file):4: ") && log.contains("is not an address"), "\(log)")

        // At startup, a bad line stops the exporter, naming it.
        try "198.18.0.7 db-1.example.org\n198.18.0.8 bad\"name\n".write(toFile: file, atomically: false, encoding: .utf8)
        let refused = try runAllowingFailure(["ip", "netns", "exec", namespace.name, IntegrationEnvironment.executable("conntrack_exporter"),
                                              "--names.file", file, "--web.listen-address", "127.0.0.1:9320"])
        #expect(refused.status == 1 && refused.error.contains("\(file):2: "), "\(refused.error)")
        withExtendedLifetime((servers, clients, byName)) {}
    }
}
