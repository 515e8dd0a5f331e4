import Collectors
import Foundation
import IntegrationSupport
import Testing

/// Startup checks, shutdown, and the promise never to write the table.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.shouldRun))
struct ExporterLifecycleTests {
    @Test func startingScrapingAndStoppingLeavesTheTableUnchanged() throws {
        let namespace = try TestNamespace()
        try namespace.exec([IntegrationEnvironment.executable("conntrack-fill"), "--entries", "3000", "--hosts", "50"])
        let before = try tableSnapshot(namespace)
        let exporter = try ExporterProcess(in: namespace)
        for _ in 0..<3 { _ = try exporter.scrape() }
        let stopped = exporter.stop()
        #expect(stopped.status == 0, "\(stopped.log)")
        #expect(stopped.seconds < 1, "SIGTERM must stop the exporter within a second")
        #expect(stopped.log.contains("msg=stopping"))
        #expect(try tableSnapshot(namespace) == before)
    }

    @Test func exitsWithOneLineWithoutNetAdmin() throws {
        let namespace = try TestNamespace()
        let result = try runAllowingFailure([
            "ip", "netns", "exec", namespace.name, "setpriv", "--bounding-set", "-net_admin", "--inh-caps", "-net_admin",
            IntegrationEnvironment.executable("conntrack_exporter"), "--web.listen-address", "127.0.0.1:9318",
        ])
        #expect(result.status == 1)
        let lines = result.error.split(separator: "\n")
        #expect(lines.count == 1, "\(result.error)")
        #expect(result.error.contains("CAP_NET_ADMIN"))
        #expect(result.error.contains("--cap-add=NET_ADMIN"))
    }

    @Test func exitsNamingAnAddressInUse() throws {
        let namespace = try TestNamespace()
        let first = try ExporterProcess(in: namespace)
        let second = try runAllowingFailure([
            "ip", "netns", "exec", namespace.name, IntegrationEnvironment.executable("conntrack_exporter"),
            "--web.listen-address", "127.0.0.1:9318",
        ])
        #expect(second.status == 1)
        #expect(second.error.contains("127.0.0.1:9318 is already in use"), "\(second.error)")
        withExtendedLifetime(first) {}
    }

    /// A path with '?' or a space was accepted and then could never be requested.
    @Test(arguments: ["/metrics?x", "/my metrics", "/m#x", "metrics"])
    func anUnreachableTelemetryPathIsAStartupError(path: String) throws {
        let result = try runAllowingFailure([IntegrationEnvironment.executable("conntrack_exporter"), "--web.telemetry-path", path])
        #expect(result.status != 0)
        #expect(result.error.contains("--web.telemetry-path"), "\(result.error)")
    }

    @Test func logsThePortBoundForPortZero() throws {
        let namespace = try TestNamespace()
        let exporter = try ExporterProcess(in: namespace, arguments: ["--web.listen-address", "127.0.0.1:0"])
        let log = exporter.stop().log
        let listening = try #require(log.split(separator: "\n").first { $0.contains("msg=listening") })
        #expect(listening.contains(/,127\.0\.0\.1:[1-9][0-9]*( |$)/) && !listening.contains(":0 "), "\(listening)")
    }

    @Test func malformedIgnoreEntryIsAStartupErrorNamingIt() throws {
        let result = try runAllowingFailure([IntegrationEnvironment.executable("conntrack_exporter"),
                                             "--ignore-hosts", "198.18.0.1,300.1.2.3"])
        #expect(result.status != 0)
        #expect(result.error.contains("\"300.1.2.3\""), "\(result.error)")
    }

    @Test func listensOnIPv6AndComposesAliases() throws {
        let namespace = try TestNamespace()
        let exporter = try ExporterProcess(in: namespace, arguments: [
            "--web.listen-address", "[::1]:9400", "--bind-address", "127.0.0.2", "--listen-port", "9401",
            "--listen-path", "/m",
        ])
        for url in ["http://[::1]:9400/m", "http://127.0.0.2:9401/m", "http://127.0.0.1:9318/m"] {
            let text = try namespace.exec(["curl", "-sS", "--fail", url])
            #expect(text.contains("conntrack_exporter_collect_success 1"), "\(url)")
        }
        withExtendedLifetime(exporter) {}
    }

    /// Every entry's tuples, state and flags, without the countdown timer (and without
    /// the exporter's own scrape connections).
    private func tableSnapshot(_ namespace: TestNamespace) throws -> [String] {
        let text = try namespace.exec(["conntrack", "-L", "-f", "ipv4"]) + namespace.exec(["conntrack", "-L", "-f", "ipv6"])
        return text.split(separator: "\n")
            .filter { !$0.contains("dport=9318 ") }
            .map { line in line.split(separator: " ").enumerated().filter { $0.offset != 2 }.map(\.element).joined(separator: " ") }
            .sorted()
    }

    @Test func helpListsAFlagForEveryOptionalCollector() throws {
        let help = try run([IntegrationEnvironment.executable("conntrack_exporter"), "--help"])
        for name in CollectorName.allCases where name.isOptional {
            #expect(help.contains("--collector.\(name.rawValue)") && help.contains("--no-collector.\(name.rawValue)"), "\(name)")
        }
    }

    @Test func aCollectorSwitchedOffIsNotRunAndEventsAreNotSubscribed() throws {
        let namespace = try TestNamespace()
        let exporter = try ExporterProcess(in: namespace, arguments: ["--no-collector.lifecycle", "--no-collector.process"])
        let scrape = try exporter.scrape()
        #expect(scrape.value("conntrack_exporter_collector_success", ["collector": "connection_states"]) == 1)
        #expect(scrape.value("conntrack_exporter_collector_success", ["collector": "table_health"]) == 1)
        #expect(scrape.value("conntrack_exporter_collector_success", ["collector": "lifecycle"]) == nil)
        #expect(!scrape.text.contains("conntrack_exporter_events_total") && !scrape.text.contains("process_cpu_seconds_total"))
        // No conntrack event socket: no NETLINK_NETFILTER (12) socket of the namespace joins a group.
        let groups = try namespace.exec(["awk", "$2 == 12 && $4 != \"00000000\" { print }", "/proc/net/netlink"])
        #expect(groups.isEmpty, "a NETLINK_NETFILTER socket subscribed to groups: \(groups)")
    }
}
