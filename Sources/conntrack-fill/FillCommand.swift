import ArgumentParser
import CConntrackWriter
import ConntrackKernel
import ConntrackModel
import LinuxSystem
import Glibc

/// Fills the conntrack table of a test's network namespace with synthetic entries.
@main
struct FillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conntrack-fill",
        abstract: "Creates synthetic conntrack entries in a test network namespace (tests and benchmarks only).",
        discussion: """
        Refuses to run outside a namespace made with `ip netns add`: run it with `ip netns exec NAME`. \
        Remote hosts are 198.18.0.0/15 and 2001:db8::/32; local ends are 127.0.0.1 and ::1.
        """
    )

    @Option(help: "Entries to create.")
    var entries = 1000

    @Option(help: "Distinct remote hosts.")
    var hosts = 100

    @Option(name: .customLong("first-host"), help: "The number of the first remote host (successive fills with new hosts).")
    var firstHost = 0

    @Option(name: .customLong("ipv6-percent"), help: "Share of IPv6 entries, 0-100.")
    var ipv6Percent = 20

    @Option(name: .customLong("udp-percent"), help: "Share of UDP entries, 0-100.")
    var udpPercent = 5

    @Option(help: "Entry timeout in seconds.")
    var timeout: UInt32 = 600

    func validate() throws {
        guard entries >= 0, hosts >= 1, firstHost >= 0, firstHost + hosts <= SyntheticEntries.maxHosts else {
            throw ValidationError("--hosts must be 1 or more, and --first-host plus --hosts at most \(SyntheticEntries.maxHosts)")
        }
        guard (0...100).contains(ipv6Percent), (0...100).contains(udpPercent) else {
            throw ValidationError("percentages must be 0-100")
        }
    }

    func run() throws {
        guard try NetworkNamespace.isNamed() else {
            throw ValidationError("refusing to write this conntrack table: run inside a test namespace (ip netns add, ip netns exec)")
        }
        guard let writer = cct_writer_open() else {
            throw SystemError(operation: "opening a conntrack handle", errno: errno)
        }
        defer { cct_writer_close(writer) }
        let generator = SyntheticEntries(hosts: hosts, firstHost: firstHost, ipv6Percent: ipv6Percent, udpPercent: udpPercent)
        var existing = 0
        for index in 0..<entries {
            var (entry, status) = generator.entry(index)
            if cct_writer_create(writer, &entry, status, timeout) != 0 {
                guard errno == EEXIST else {
                    throw SystemError(operation: "creating entry \(index)", errno: errno)
                }
                existing += 1
            }
        }
        print("created \(entries - existing) entries (\(existing) already existed)")
    }
}
