import Foundation
import Glibc
import IntegrationSupport
import Testing

/// The exporter binary against real attack and load tools from Debian's packages
/// (slowhttptest, wrk), and against running out of descriptors.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.shouldRun))
struct HostileClientTests {
    private func scrapes(_ exporter: ExporterProcess, count: Int) -> Int {
        (0..<count).filter { _ in (try? exporter.scrape()) != nil }.count
    }

    @Test func slowlorisFromSlowhttptestLeavesRoomForScrapes() throws {
        let namespace = try TestNamespace()
        let exporter = try ExporterProcess(in: namespace)
        let attack = Process()
        attack.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        attack.arguments = ["ip", "netns", "exec", namespace.name, "slowhttptest", "-H", "-c", "1000", "-r", "500", "-i", "2",
                            "-l", "20", "-u", "http://127.0.0.1:9318/metrics", "-p", "3"]
        attack.standardOutput = FileHandle.nullDevice
        attack.standardError = FileHandle.nullDevice
        try attack.run()
        defer { attack.terminate(); attack.waitUntilExit() }
        Thread.sleep(forTimeInterval: 4)   // 1,000 connections open and trickling
        #expect(scrapes(exporter, count: 8) == 8)
    }

    @Test func aConnectionFloodFromWrkIsServed() throws {
        let namespace = try TestNamespace()
        let exporter = try ExporterProcess(in: namespace)
        // More connections than the server's 512 slots.
        let output = try namespace.exec(["prlimit", "--nofile=8192", "wrk", "-c", "2000", "-t", "2", "-d", "5s",
                                         "http://127.0.0.1:9318/"])
        let rate = output.split(separator: "\n").first { $0.hasPrefix("Requests/sec:") }
            .flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
        #expect(rate > 100, "\(output)")
        #expect(scrapes(exporter, count: 3) == 3)
    }

    @Test func runningOutOfDescriptorsBacksOffAndRecovers() throws {
        let namespace = try TestNamespace()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("\(namespace.name)-emfile.log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let exporter = Process()
        exporter.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        exporter.arguments = ["ip", "netns", "exec", namespace.name, "prlimit", "--nofile=64",
                              IntegrationEnvironment.executable("conntrack_exporter"), "--web.listen-address", "127.0.0.1:9318"]
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        exporter.standardError = FileHandle(forWritingAtPath: log)
        exporter.standardOutput = FileHandle.nullDevice
        try exporter.run()
        defer { exporter.terminate(); exporter.waitUntilExit() }
        Thread.sleep(forTimeInterval: 1)

        // 80 idle clients: more than the 64 descriptors the exporter may hold.
        let clients = try namespace.inside { try (0..<80).map { _ in try LoopbackSocket.connect(port: 9318) } }
        Thread.sleep(forTimeInterval: 3)
        clients.forEach { close($0) }
        let failures = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").filter { $0.contains("accept failed") }
        // At most one line a second (it was 16,000 a second).
        #expect(failures.count >= 1 && failures.count <= 5, "\(failures.count) lines")
        #expect(failures.first?.contains("Too many open files") == true)
        Thread.sleep(forTimeInterval: 1.5)
        #expect(try namespace.exec(["curl", "-sS", "--fail", "--max-time", "10", "http://127.0.0.1:9318/metrics"])
            .contains("conntrack_exporter_collect_success 1"))
    }

    @Test func reloadAndUserSignalsDoNotStopIt() throws {
        let namespace = try TestNamespace()
        let exporter = try ExporterProcess(in: namespace)
        for signal in [SIGHUP, SIGUSR1, SIGUSR2] {
            kill(exporter.process.processIdentifier, signal)
            Thread.sleep(forTimeInterval: 0.2)
            #expect(exporter.process.isRunning, "signal \(signal)")
        }
        #expect(try exporter.scrape().value("conntrack_exporter_collect_success") == 1)
        let stopped = exporter.stop()
        #expect(stopped.status == 0)
        #expect(stopped.seconds < 1)
    }
}
