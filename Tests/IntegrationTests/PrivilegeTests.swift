import Foundation
import Glibc
import IntegrationSupport
import Testing

/// Started as root, the exporter keeps CAP_NET_ADMIN and nothing else, and can switch
/// to an unprivileged user; it still reads the table either way.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.shouldRun))
struct PrivilegeTests {
    @Test func rootKeepsOnlyNetAdmin() throws {
        let namespace = try TestNamespace()
        try namespace.exec([IntegrationEnvironment.executable("conntrack-fill"), "--entries", "10", "--hosts", "2"])
        let exporter = try ExporterProcess(in: namespace)
        #expect(try exporter.scrape().value("conntrack_exporter_collect_success") == 1)
        let threads = try ThreadStatus.all(of: exporter.process.processIdentifier)
        #expect(threads.count >= 2)
        for proc in threads {
            for set in ["CapEff", "CapPrm", "CapBnd"] { #expect(proc[set] == ThreadStatus.netAdminOnly, "\(proc["Name"] ?? "") \(set): \(proc[set] ?? "-")") }
            #expect(proc["CapInh"] == "0000000000000000")
            #expect(proc["CapAmb"] == "0000000000000000")
        }
    }

    @Test func switchesToAnUnprivilegedUser() throws {
        let namespace = try TestNamespace()
        try namespace.exec([IntegrationEnvironment.executable("conntrack-fill"), "--entries", "500", "--hosts", "20"])
        let exporter = try ExporterProcess(in: namespace, arguments: ["--user", "nobody", "--ignore-hosts", ":9318"])
        let scrape = try exporter.scrape()
        for proc in try ThreadStatus.all(of: exporter.process.processIdentifier) {
            #expect(proc["Uid"]?.split(separator: "\t").allSatisfy { $0 == "65534" } == true, "\(proc["Uid"] ?? "-")")
            #expect(proc["Groups"] == "")
            #expect(proc["CapEff"] == ThreadStatus.netAdminOnly)
            #expect(proc["CapBnd"] == ThreadStatus.netAdminOnly)
        }
        #expect(scrape.value("conntrack_exporter_collect_success") == 1)
        #expect(scrape.gauges == (try namespace.conntrackListing().expectedGauges(ignoredPort: 9318)))
    }

    @Test func anUnknownUserIsAStartupError() throws {
        let result = try runAllowingFailure([IntegrationEnvironment.executable("conntrack_exporter"), "--user", "no-such-user-cte"])
        #expect(result.status != 0)
        #expect(result.error.contains("no-such-user-cte"))
    }
}
