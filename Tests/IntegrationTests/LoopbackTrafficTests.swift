import Glibc
import IntegrationSupport
import Testing

/// Real TCP connections on a test namespace's loopback, in each counted state.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.shouldRun))
struct LoopbackTrafficTests {
    @Test func realConnectionsShowUpInTheirStates() throws {
        let namespace = try TestNamespace()
        // Keep reset connections (CLOSE) around for the whole test.
        try namespace.sysctl("net.netfilter.nf_conntrack_tcp_timeout_close", "120")
        try namespace.exec(["nft", "add", "rule", "inet", "cte", "in", "tcp", "dport", "7004", "drop"])

        let sockets = try namespace.inside { () throws -> [Int32] in
            var fds: [Int32] = []
            let open = try LoopbackSocket.listen(port: 7001)
            let closing = try LoopbackSocket.listen(port: 7002)
            let openV6 = try LoopbackSocket.listen(port: 7005, ipv6: true)
            fds += [open, closing, openV6]
            for _ in 0..<3 { fds += try LoopbackSocket.connectAndAccept(listener: open, port: 7001) }
            for _ in 0..<2 {
                let pair = try LoopbackSocket.connectAndAccept(listener: closing, port: 7002)
                shutdown(pair[0], Int32(SHUT_WR))  // FIN from the client: FIN_WAIT/CLOSE_WAIT
                fds += pair
            }
            for _ in 0..<2 { fds += try LoopbackSocket.connectAndAccept(listener: openV6, port: 7005, ipv6: true) }
            let reset = try LoopbackSocket.listen(port: 7003)
            fds.append(reset)
            for _ in 0..<2 {
                let pair = try LoopbackSocket.connectAndAccept(listener: reset, port: 7003)
                LoopbackSocket.reset(pair[0])  // RST after the handshake: CLOSE
                fds.append(pair[1])
            }
            for _ in 0..<4 { fds.append(try LoopbackSocket.connectDropped(port: 7004)) }
            return fds
        }
        defer { sockets.forEach { close($0) } }
        // Let the FINs be acknowledged.
        usleep(200_000)

        let exporter = try ExporterProcess(in: namespace, arguments: ["--ignore-hosts", ":9318"])
        let gauges = try exporter.scrape().gauges
        #expect(gauges["conntrack_open_connections"]?["127.0.0.1:7001"] == 3)
        #expect(gauges["conntrack_open_connections"]?["[::1]:7005"] == 2)
        #expect(gauges["conntrack_closing_connections"]?["127.0.0.1:7002"] == 2)
        #expect(gauges["conntrack_closed_connections"]?["127.0.0.1:7003"] == 2)
        #expect(gauges["conntrack_opening_connections"]?["127.0.0.1:7004"] == 4)
        let hosts = Set(gauges.values.flatMap(\.keys))
        #expect(hosts == ["127.0.0.1:7001", "[::1]:7005", "127.0.0.1:7002", "127.0.0.1:7003", "127.0.0.1:7004"])
    }
}
