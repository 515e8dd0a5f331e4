import Foundation
import Glibc
import IntegrationSupport
import Testing

/// The container image, built from the repository's Dockerfile and run with podman in a
/// test namespace filled with synthetic entries, the ways the README and the Kubernetes
/// DaemonSet run it.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.shouldRun), .timeLimit(.minutes(30)))
struct ContainerImageTests {
    /// A namespace with 2,000 synthetic entries, and the image built.
    private func prepare() throws -> TestNamespace {
        _ = try ContainerImage.build.get()
        let namespace = try TestNamespace()
        try namespace.exec([IntegrationEnvironment.executable("conntrack-fill"), "--entries", "2000", "--hosts", "100"])
        return namespace
    }

    /// Starts the image detached in `namespace` with `options`; returns the container's name.
    private func start(_ namespace: TestNamespace, _ options: [String]) throws -> String {
        let name = "\(namespace.name)-\(UUID().uuidString.prefix(8))"
        try ContainerImage.runDetached(["--name", name, "--network", "ns:/run/netns/\(namespace.name)"]
            + options + [ContainerImage.tag, "--web.listen-address", "127.0.0.1:9318", "--ignore-hosts", ":9318"])
        let deadline = Date().addingTimeInterval(20)
        while (try? namespace.exec(["curl", "-sf", "-o", "/dev/null", "http://127.0.0.1:9318/"])) == nil, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
        }
        return name
    }

    private func remove(_ name: String) {
        _ = try? ContainerImage.podman(["rm", "-f", "-t", "0", name])
    }

    /// Every thread's status lines of the container's main process, seen from the host.
    private func threads(of name: String) throws -> [[String: String]] {
        let pid = try ContainerImage.podman(["inspect", "--format", "{{.State.Pid}}", name]).output
        return try ThreadStatus.all(of: Int32(pid.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1)
    }

    private func expectTableRead(_ namespace: TestNamespace) throws {
        let scrape = Exposition(try namespace.exec(["curl", "-sS", "--fail", "http://127.0.0.1:9318/metrics"]))
        #expect(scrape.value("conntrack_exporter_collect_success") == 1)
        #expect(scrape.gauges == (try namespace.conntrackListing().expectedGauges(ignoredPort: 9318)))
    }

    @Test func nonRootWithNetAdminReadsTheTableWithThatCapabilityAlone() throws {
        let namespace = try prepare()
        let name = try start(namespace, ["--cap-add=NET_ADMIN"])
        defer { remove(name) }
        try expectTableRead(namespace)
        for proc in try threads(of: name) {
            #expect(proc["Uid"]?.split(separator: "\t").allSatisfy { $0 == "10001" } == true, "\(proc["Uid"] ?? "-")")
            #expect(proc["CapEff"] == ThreadStatus.netAdminOnly)
            #expect(proc["CapPrm"] == ThreadStatus.netAdminOnly)
            #expect(proc["CapInh"] == "0000000000000000")
            #expect(proc["CapAmb"] == "0000000000000000")
        }
    }

    @Test func withoutNetAdminItExitsWithOneLine() throws {
        let namespace = try prepare()
        let result = try ContainerImage.podman(["run", "--rm", "--network", "ns:/run/netns/\(namespace.name)", ContainerImage.tag])
        #expect(result.status == 1)
        let lines = result.error.split(separator: "\n")
        #expect(lines.count == 1, "\(result.error)")
        #expect(result.error.contains("CAP_NET_ADMIN") && result.error.contains("--cap-add=NET_ADMIN"))
        #expect(result.output.isEmpty)
    }

    @Test func runsAsTheDaemonSetRunsIt() throws {
        let namespace = try prepare()
        let name = try start(namespace, ["--user", "0", "--cap-drop=ALL", "--cap-add=NET_ADMIN", "--read-only",
                                         "--security-opt", "no-new-privileges"])
        defer { remove(name) }
        try expectTableRead(namespace)
        for proc in try threads(of: name) {
            for set in ["CapEff", "CapPrm", "CapBnd"] { #expect(proc[set] == ThreadStatus.netAdminOnly, "\(set): \(proc[set] ?? "-")") }
        }
    }

    /// podman raises an added capability as ambient for a non-root user, so the image works
    /// there even with no-new-privileges (the exporter then clears the ambient set itself).
    @Test func nonRootWithNoNewPrivilegesWorksUnderPodman() throws {
        let namespace = try prepare()
        let name = try start(namespace, ["--cap-add=NET_ADMIN", "--security-opt", "no-new-privileges"])
        defer { remove(name) }
        try expectTableRead(namespace)
        for proc in try threads(of: name) {
            #expect(proc["NoNewPrivs"] == "1")
            #expect(proc["CapEff"] == ThreadStatus.netAdminOnly)
            #expect(proc["CapAmb"] == "0000000000000000")
        }
    }

    @Test func podmanStopEndsItWithinASecondWithStatusZero() throws {
        let namespace = try prepare()
        let name = try start(namespace, ["--cap-add=NET_ADMIN"])
        defer { remove(name) }
        // podman stop sends SIGTERM and would send SIGKILL after 10 s (status 137).
        let sent = Date()
        let stop = try ContainerImage.podman(["stop", "-t", "10", name])
        let elapsed = Date().timeIntervalSince(sent)
        #expect(stop.status == 0, "\(stop.error)")
        #expect(elapsed < 1, "\(elapsed) s")
        let status = try ContainerImage.podman(["inspect", "--format", "{{.State.ExitCode}}", name])
        #expect(status.output.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        let log = try ContainerImage.podman(["logs", name])
        #expect((log.output + log.error).contains("msg=stopping signal=Terminated"))
    }
}
