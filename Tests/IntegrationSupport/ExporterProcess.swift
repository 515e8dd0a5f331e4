import Foundation
import Glibc

/// The exporter binary running inside a test namespace, listening on 127.0.0.1.
package final class ExporterProcess {
    package let namespace: TestNamespace
    package let port: Int
    /// "https" when the exporter serves TLS; `curlOptions` then carry the CA and credentials.
    package let scheme: String
    package let curlOptions: [String]
    package let process = Process()
    /// Standard error goes to a file, not a pipe: a pipe read only at `stop()` fills up when the
    /// exporter logs much (64 KiB), and then its next log line blocks the exporter itself.
    private let errorLog: String

    /// Starts the exporter with `arguments` and waits until it answers a scrape; its
    /// standard output goes to `outputFile` when given.
    /// `launcher` runs the exporter (setpriv, say); it must exec it, so the process is the exporter.
    package init(in namespace: TestNamespace, port: Int = 9318, arguments: [String] = [], outputFile: String? = nil,
         scheme: String = "http", curlOptions: [String] = [], launcher: [String] = []) throws {
        self.namespace = namespace
        self.port = port
        self.scheme = scheme
        self.curlOptions = curlOptions
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ip", "netns", "exec", namespace.name] + launcher + [IntegrationEnvironment.executable("conntrack_exporter"),
                             "--web.listen-address", "127.0.0.1:\(port)"] + arguments
        errorLog = FileManager.default.temporaryDirectory.appendingPathComponent("\(namespace.name)-exporter-\(UUID().uuidString).log").path
        _ = FileManager.default.createFile(atPath: errorLog, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: errorLog)
        if let outputFile {
            _ = FileManager.default.createFile(atPath: outputFile, contents: nil)
            process.standardOutput = FileHandle(forWritingAtPath: outputFile)
        } else {
            process.standardOutput = FileHandle.nullDevice
        }
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while (try? scrape(path: "/")) == nil {
            guard process.isRunning, Date() < deadline else {
                throw TestFailure("exporter did not start: \(stop().log)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    deinit {
        if process.isRunning { _ = stop() }
        try? FileManager.default.removeItem(atPath: errorLog)
    }

    /// Scrapes until `done` holds for a scrape (returned), or fails after `seconds`.
    package func scrape(until done: (Exposition) -> Bool, seconds: Double = 60) throws -> Exposition {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let exposition = try scrape()
            if done(exposition) { return exposition }
            guard Date() < deadline else { return exposition }
            Thread.sleep(forTimeInterval: 0.5)
        }
    }

    /// GET of the telemetry path, from inside the namespace.
    package func scrape(path: String = "/metrics") throws -> Exposition {
        Exposition(try namespace.exec(["curl", "-sS", "--fail", "--max-time", "10"] + curlOptions + ["\(scheme)://127.0.0.1:\(port)\(path)"]))
    }

    /// Sends SIGTERM; returns the exit status, how long the exit took, and the log.
    package func stop() -> (status: Int32, seconds: Double, log: String) {
        let start = Date()
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
        let seconds = Date().timeIntervalSince(start)
        let log = (try? String(contentsOfFile: errorLog, encoding: .utf8)) ?? ""
        return (process.terminationStatus, seconds, log)
    }
}
