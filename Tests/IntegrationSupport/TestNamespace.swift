import CTestNamespace
import Foundation
import Glibc
import Synchronization

/// A network namespace made for one test (`ip netns add`), with loopback up and
/// connection tracking switched on by an nftables rule; deleted when released.
package final class TestNamespace {
    private static let counter = Mutex(0)
    package let name: String

    package init() throws {
        try IntegrationEnvironment.requireRoot()
        let number = Self.counter.withLock { counter in
            counter += 1
            return counter
        }
        name = "cte-test-\(getpid())-\(number)"
        try run(["ip", "netns", "add", name])
        do {
            try exec(["ip", "link", "set", "lo", "up"])
            // Conntrack tracks nothing in a namespace until a rule uses it.
            try exec(["nft", "-f", "-"], input: """
                table inet cte {
                    chain out { type filter hook output priority 0; ct state new counter; }
                    chain in { type filter hook input priority 0; }
                }
                """)
        } catch {
            _ = try? runAllowingFailure(["ip", "netns", "delete", name])
            throw error
        }
    }

    deinit {
        killProcesses()
        _ = try? runAllowingFailure(["ip", "netns", "delete", name])
        try? FileManager.default.removeItem(atPath: "/etc/netns/\(name)")
    }

    /// The resolv.conf that programs started in the namespace (`ip netns exec`) read:
    /// `/etc/netns/NAME/resolv.conf`, mounted over /etc/resolv.conf for them alone.
    package func setResolvConf(_ text: String) throws {
        try FileManager.default.createDirectory(atPath: "/etc/netns/\(name)", withIntermediateDirectories: true)
        try text.write(toFile: "/etc/netns/\(name)/resolv.conf", atomically: true, encoding: .utf8)
    }

    /// Kills every process in the namespace, and only those. Never `exec(["pkill", ...])`:
    /// the namespace shares the machine's PIDs, so that would kill matching processes anywhere
    /// (other tests' servers, the CI runner itself).
    package func killProcesses() {
        _ = try? runAllowingFailure(["ip", "netns", "pids", name]).output
            .split(separator: "\n").compactMap { Int32($0) }.map { kill($0, SIGKILL) }
    }

    /// Runs a program inside the namespace; returns its standard output.
    @discardableResult
    package func exec(_ arguments: [String], input: String? = nil) throws -> String {
        try run(["ip", "netns", "exec", name] + arguments, input: input)
    }

    /// Sets one of the namespace's own sysctls (never the host's).
    package func sysctl(_ key: String, _ value: String) throws {
        try exec(["sysctl", "-q", "-w", "\(key)=\(value)"])
    }

    /// The table as `conntrack -L` lists it, both families.
    package func conntrackListing() throws -> ConntrackListing {
        ConntrackListing(try exec(["conntrack", "-L", "-f", "ipv4"]) + exec(["conntrack", "-L", "-f", "ipv6"]))
    }

    /// Runs `body` on a thread that has entered the namespace, so sockets it opens
    /// live there; they stay there when used from other threads afterwards.
    package func inside<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) throws -> Result {
        let path = "/run/netns/\(name)"
        let outcome = Mutex<Swift.Result<Result, any Error>?>(nil)
        let thread = Thread {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            defer { close(fd) }
            guard fd >= 0, ctn_enter_network_namespace(fd) == 0 else {
                outcome.withLock { $0 = .failure(TestFailure("setns \(path): \(String(cString: strerror(errno)))")) }
                return
            }
            let result = Swift.Result { try body() }
            outcome.withLock { $0 = result }
        }
        thread.start()
        while outcome.withLock({ $0 == nil }) { Thread.sleep(forTimeInterval: 0.001) }
        return try outcome.withLock { $0! }.get()
    }
}
