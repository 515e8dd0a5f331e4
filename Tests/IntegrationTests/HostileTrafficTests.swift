import Foundation
import Glibc
import IntegrationSupport
import Testing

/// The attacks of issue 18 against the exporter binary with its default flags, with the
/// issue's figures as the pass lines: pipelining hogs, abandoned requests, a flood of new
/// hosts, web config rewrites racing reloads, a looping client, forged netlink messages.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.shouldRun))
struct HostileTrafficTests {
    /// A namespace with 20,000 synthetic entries, the exporter's table for every attack.
    private func namespace() throws -> TestNamespace {
        let namespace = try TestNamespace()
        try namespace.exec([IntegrationEnvironment.executable("conntrack-fill"), "--entries", "20000", "--hosts", "2000"])
        return namespace
    }

    /// Fresh scrapes from `source` (the hogs use 127.0.0.2), each a new connection: how many were answered 200 in time.
    private func probes(_ namespace: TestNamespace, count: Int, source: String = "127.0.0.1", options: [String] = []) throws -> Int {
        try (0..<count).filter { _ in
            let result = try runAllowingFailure(["ip", "netns", "exec", namespace.name, "curl", "-s", "-o", "/dev/null",
                                                 "-w", "%{http_code}", "--max-time", "10", "--interface", source]
                                                + options + ["http://127.0.0.1:9318/metrics"])
            return result.output == "200"
        }.count
    }

    private static func status(of exporter: ExporterProcess, _ field: String) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(exporter.process.processIdentifier)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("\(field):") })
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])!
    }

    @Test(arguments: ["connections", "metrics-gzip", "wrong-password"])
    func pipeliningHogsCannotStarveAFreshScrape(request: String) throws {
        let namespace = try namespace()
        let auth = request == "wrong-password"
        let tls = try TLSFixture()
        var arguments: [String] = []
        var options: [String] = []
        if auth {
            try tls.writeWebConfig(users: ["prometheus": "right"])
            arguments = ["--web.config.file", tls.webConfig]
            options = ["-u", "prometheus:right"]
        }
        let exporter = try ExporterProcess(in: namespace, arguments: arguments, curlOptions: options)
        // The scraper's right password is checked and cached before the hogs come.
        #expect(try probes(namespace, count: 1, options: options) == 1)
        let hogs = try NamespaceProcess(in: namespace, HostileClients.pipelining(request, seconds: 60))
        Thread.sleep(forTimeInterval: 5)
        let fromAnotherAddress = try probes(namespace, count: 10, options: options)
        let fromTheHogsAddress = try probes(namespace, count: 5, source: "127.0.0.2", options: options)
        #expect(fromAnotherAddress >= 9, "\(fromAnotherAddress) of 10 fresh scrapes from another address answered")
        #expect(fromTheHogsAddress >= 4, "\(fromTheHogsAddress) of 5 fresh scrapes from the hogs' address answered")
        withExtendedLifetime(hogs) {}
        withExtendedLifetime(exporter) {}
    }

    @Test(arguments: ["connections-10000", "hosts", "wrong-password-7k"])
    func abandonedRequestsLeaveNothingBehind(request: String) throws {
        let namespace = try namespace()
        let auth = request == "wrong-password-7k"
        let tls = try TLSFixture()
        var arguments: [String] = []
        var options: [String] = []
        if auth {
            try tls.writeWebConfig(users: ["prometheus": "right"])
            arguments = ["--web.config.file", tls.webConfig]
            options = ["-u", "prometheus:right"]
        }
        let exporter = try ExporterProcess(in: namespace, arguments: arguments, curlOptions: options)
        _ = try exporter.scrape()
        let before = try Self.status(of: exporter, "VmRSS")
        let attack = try NamespaceProcess(in: namespace, HostileClients.abandoning(request, seconds: 15))
        var slowest = 0.0
        for _ in 0..<12 {
            let start = Date()
            _ = try exporter.scrape()
            slowest = max(slowest, Date().timeIntervalSince(start))
            Thread.sleep(forTimeInterval: 1)
        }
        withExtendedLifetime(attack) {}
        Thread.sleep(forTimeInterval: 4)
        let after = try Self.status(of: exporter, "VmRSS")
        #expect(slowest < 2, "every scrape under the attack took less than 2 s")
        #expect(after - before < 50 << 10, "RSS grew by \(after - before) KiB")
    }

    @Test func aFloodOfNewHostsStaysWithinTheDefaultBounds() throws {
        let namespace = try TestNamespace()
        for command in [["ip", "addr", "add", "198.18.255.1/32", "dev", "lo"], ["ip", "addr", "add", "2001:db8:ff::1/128", "dev", "lo"],
                        ["ip", "route", "add", "local", "198.18.0.0/24", "dev", "lo"],
                        ["ip", "-6", "route", "add", "local", "2001:db8:1::/64", "dev", "lo"]] {
            try namespace.exec(command)
        }
        // Reset connections leave the table within a second, so the flood never fills it.
        try namespace.sysctl("net.netfilter.nf_conntrack_tcp_timeout_close", "1")
        let exporter = try ExporterProcess(in: namespace)
        let flood = IntegrationEnvironment.executable("conntrack-flood")
        try namespace.exec([flood, "ports", "198.18.0.1", "198.18.255.1", "1", "65535"])
        try namespace.exec([flood, "sources", "2001:db8:1::", "300000", "2001:db8:ff::1", "8080"])
        Thread.sleep(forTimeInterval: 2)
        let scrape = try exporter.scrape()
        let body = scrape.text.utf8.count
        #expect(scrape.value("conntrack_exporter_tracked_hosts").map { $0 <= 1001 } == true)
        #expect(body < 2 << 20, "scrape body \(body) bytes, documented bound 2 MiB")
        let peak = try Self.status(of: exporter, "VmHWM")
        #expect(peak < 128 << 10, "peak RSS \(peak) KiB, the DaemonSet's limit is 128 MiB")
    }

    @Test func rewritingTheWebConfigInPlaceNeverOpensTheDoor() throws {
        let namespace = try TestNamespace()
        let tls = try TLSFixture()
        try tls.writeWebConfig(users: ["prometheus": "right"])
        let exporter = try ExporterProcess(in: namespace, arguments: ["--web.config.file", tls.webConfig],
                                           curlOptions: ["-u", "prometheus:right"])
        let writer = try NamespaceProcess(in: namespace, HostileClients.rewriting(tls.webConfig, seconds: 20))
        let unauthenticated = try (0..<300).filter { _ in
            try runAllowingFailure(["ip", "netns", "exec", namespace.name, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                    "--max-time", "5", "http://127.0.0.1:9318/metrics"]).output == "200"
        }.count
        // Done rewriting before the weaker files are written: a rewrite after one replaced it
        // before the reload read it (when the probes took under the writer's 20 s).
        writer.waitUntilExit()
        #expect(unauthenticated == 0)
        for weaker in ["basic_auth_users:\n", "", "# being written\n"] {
            try weaker.write(toFile: tls.webConfig, atomically: false, encoding: .utf8)
            kill(exporter.process.processIdentifier, SIGHUP)
            Thread.sleep(forTimeInterval: 0.3)
            let status = try runAllowingFailure(["ip", "netns", "exec", namespace.name, "curl", "-s", "-o", "/dev/null", "-w",
                                                 "%{http_code}", "--max-time", "5", "http://127.0.0.1:9318/metrics"]).output
            #expect(status == "401", "after writing \(weaker.debugDescription)")
        }
        #expect(exporter.stop().log.contains("removing basic auth needs a restart"))
    }

    @Test func aLoopingClientKeepsTheTableReadAQuarterOfTheTimeAtMost() throws {
        let namespace = try TestNamespace()
        try namespace.exec([IntegrationEnvironment.executable("conntrack-fill"), "--entries", "100000", "--hosts", "5000"])
        let exporter = try ExporterProcess(in: namespace)
        let reading = {
            let scrape = try exporter.scrape()
            return (seconds: try #require(scrape.value("conntrack_exporter_table_read_seconds_total")),
                    reads: try #require(scrape.value("conntrack_exporter_table_reads_total")))
        }
        let pid = exporter.process.processIdentifier
        func cpuSeconds() throws -> Double {
            let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
            let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
            return (Double(fields[11])! + Double(fields[12])!) / Double(sysconf(Int32(_SC_CLK_TCK)))
        }
        let before = (reading: try reading(), cpu: try cpuSeconds())
        let loop = try NamespaceProcess(in: namespace, ["bash", "-c",
            "end=$((SECONDS + 10)); while [ $SECONDS -lt $end ]; do curl -s -o /dev/null 'http://127.0.0.1:9318/connections?limit=1'; done"])
        Thread.sleep(forTimeInterval: 10)
        let cpu = (try cpuSeconds() - before.cpu) / 10
        withExtendedLifetime(loop) {}
        // Reads start no sooner than four times the last one's duration after it: a quarter of
        // the time, and a read more at each edge (the scrapes that measure), which on a loaded
        // machine, where a read of 100,000 entries takes most of a second, is a good part of 10 s.
        // Unpaced, the loop kept a core and more busy.
        let after = try reading()
        let share = (after.seconds - before.reading.seconds) / 10
        let meanRead = (after.seconds - before.reading.seconds) / max(after.reads - before.reading.reads, 1)
        #expect(share < 0.25 + 2 * meanRead / 10, "the table was read \(share) of the time, \(meanRead) s a read")
        #expect(cpu < 0.75, "the looping client cost \(cpu) of a core")
    }

    @Test func netlinkMessagesNotFromTheKernelAreDroppedAndCounted() throws {
        let namespace = try TestNamespace()
        let exporter = try ExporterProcess(in: namespace)
        // A NEW event for 127.0.0.1 -> 127.0.0.1:9999, as recorded from the kernel, sent by
        // another process to the exporter's event socket (the NETLINK_NETFILTER socket in a group).
        let newEvent = "c4000000000100060000000000000000020000003400018014000180080001007f000001080002007f0000011c000280050001000600000006000200a22e000006000300270f00003400028014000180080001007f000001080002007f0000011c000280050001000600000006000200270f000006000300a22e000008000c00a8d7ff5e08000300000000080800070000000078300004802c0001800500010001000000050002000a000000050003000000000006000400030000000600050000000000"
        try namespace.exec(["python3", "-c", """
            import socket
            port = next(int(f[2]) for f in (l.split() for l in open("/proc/net/netlink").readlines()[1:]) if f[1] == "12" and f[3] != "00000000")
            s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)
            s.bind((0, 0))
            s.sendto(bytes.fromhex("\(newEvent)"), (port, 0))
            """])
        let scrape = try exporter.scrape(until: { $0.value("conntrack_exporter_event_messages_rejected_total") == 1 }, seconds: 5)
        #expect(scrape.value("conntrack_exporter_event_messages_rejected_total") == 1)
        #expect(scrape.value("conntrack_connections_opened_total", ["host": "127.0.0.1:9999"]) == nil)
    }

    @Test func noCoreCanHoldItsSecrets() throws {
        let namespace = try TestNamespace()
        // Started as an unprivileged user with CAP_NET_ADMIN granted, as systemd's unit does:
        // no change of user inside, so only PR_SET_DUMPABLE makes it undumpable.
        let exporter = try ExporterProcess(in: namespace, launcher: [
            "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=+net_admin", "--ambient-caps=+net_admin",
        ])
        // A process that may not dump has its /proc files owned by root, whatever its user.
        var info = stat()
        #expect(stat("/proc/\(exporter.process.processIdentifier)/status", &info) == 0)
        #expect(info.st_uid == 0)
        let status = try String(contentsOfFile: "/proc/\(exporter.process.processIdentifier)/status", encoding: .utf8)
        #expect(status.contains("\nUid:\t65534"), "it runs as nobody")
    }
}
