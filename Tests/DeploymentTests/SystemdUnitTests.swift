import Foundation
import Testing

/// The systemd unit: it verifies, and it grants CAP_NET_ADMIN and nothing else.
@Suite struct SystemdUnitTests {
    let unit = (try? Repository.read("systemd/conntrack_exporter.service")) ?? ""

    @Test func grantsOnlyNetAdminToADynamicUser() {
        for line in ["DynamicUser=yes", "AmbientCapabilities=CAP_NET_ADMIN", "CapabilityBoundingSet=CAP_NET_ADMIN",
                     "NoNewPrivileges=yes", "ProtectSystem=strict",
                     "RestrictAddressFamilies=AF_NETLINK AF_INET AF_INET6 AF_UNIX",
                     "EnvironmentFile=-/etc/default/conntrack_exporter",
                     "ExecStart=/usr/local/bin/conntrack_exporter $CONNTRACK_EXPORTER_ARGS"] {
            #expect(unit.contains("\n\(line)\n"), "\(line)")
        }
        // The exporter must see the host's table: nothing may detach it from the host's network.
        #expect(!unit.contains("PrivateNetwork="))
        #expect(!unit.contains("NetworkNamespacePath="))
    }

    @Test(.enabled(if: Repository.has("systemd-analyze"))) func verifiesAndIsWellConfined() throws {
        // systemd-analyze verify checks that ExecStart exists: point it at a binary that does.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("unit-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let copy = directory.appendingPathComponent("conntrack_exporter.service").path
        try unit.replacing("/usr/local/bin/conntrack_exporter", with: "/bin/true").write(toFile: copy, atomically: true, encoding: .utf8)
        let verify = try Repository.run(["systemd-analyze", "verify", copy])
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.output.isEmpty, "\(verify.output)")
        // systemd's own exposure score, 0 (confined) to 10 (not at all): 3.0 at most.
        let security = try Repository.run(["systemd-analyze", "security", "--offline=yes", "--threshold=30", copy])
        #expect(security.status == 0, "\(security.output)")
    }
}
