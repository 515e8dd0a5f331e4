import Foundation

/// Debian's unbound, serving only the records a test gives it (local zones, no recursion),
/// on 127.0.0.1:53 and [::1]:53 inside a test namespace whose resolv.conf points at it,
/// with every query it answers logged for the test to count.
package final class UnboundServer {
    private let namespace: TestNamespace
    private let directory: String
    private var process: NamespaceProcess?

    /// `zones` are served as static local zones (NXDOMAIN for names without records);
    /// `records` are unbound `local-data` lines in presentation format (`\DDD` and `\"` escapes).
    package init(in namespace: TestNamespace, zones: [String], records: [String]) throws {
        self.namespace = namespace
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(namespace.name)-unbound").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try namespace.setResolvConf("nameserver 127.0.0.1\n")
        try serve(zones: zones, records: records)
    }

    deinit {
        process = nil
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Restarts the server with other records (the query log is kept).
    package func serve(zones: [String], records: [String]) throws {
        process = nil
        // Passed through as written: unbound's record parser reads the escapes, its config parser keeps them.
        let quoted = { (text: String) in "\"\(text)\"" }
        let configuration = """
            server:
                interface: 127.0.0.1
                interface: ::1
                do-daemonize: no
                chroot: ""
                username: ""
                directory: "\(directory)"
                pidfile: ""
                use-syslog: no
                logfile: "\(directory)/queries.log"
                log-queries: yes
                module-config: "iterator"
                access-control: 127.0.0.0/8 allow
                access-control: ::1 allow
            \(zones.map { "    local-zone: \(quoted($0)) static" }.joined(separator: "\n"))
            \(records.map { "    local-data: \(quoted($0))" }.joined(separator: "\n"))
            remote-control:
                control-enable: no

            """
        let path = "\(directory)/unbound.conf"
        try configuration.write(toFile: path, atomically: true, encoding: .utf8)
        let check = try runAllowingFailure(["unbound-checkconf", path])
        guard check.status == 0 else { throw TestFailure("unbound-checkconf: \(check.output)\(check.error)") }
        let server = try NamespaceProcess(in: namespace, ["unbound", "-d", "-c", path])
        try server.waitUntilListening(port: 53)
        process = server
    }

    /// How many queries for `name` (with its trailing dot) of `type` the server has answered.
    package func queries(for name: String, type: String) -> Int {
        let log = (try? String(contentsOfFile: "\(directory)/queries.log", encoding: .utf8)) ?? ""
        return log.split(separator: "\n").filter { $0.hasSuffix(" \(name) \(type) IN") }.count
    }

    /// Queries of `type` answered, each with the second it was logged at.
    package func queryTimes(type: String) -> [Int] {
        let log = (try? String(contentsOfFile: "\(directory)/queries.log", encoding: .utf8)) ?? ""
        return log.split(separator: "\n").filter { $0.hasSuffix(" \(type) IN") }.compactMap { line in
            line.hasPrefix("[") ? Int(line.dropFirst().prefix { $0 != "]" }) : nil
        }
    }
}
