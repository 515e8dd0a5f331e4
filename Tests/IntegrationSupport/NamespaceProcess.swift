import Foundation
import Glibc

/// A program running in the background inside a test namespace (a server, a proxy, a
/// client holding connections); stopped when released. Its standard error is kept for
/// failure messages.
package final class NamespaceProcess {
    private let namespace: TestNamespace
    private let process = Process()
    private let errorLog: String

    package init(in namespace: TestNamespace, _ arguments: [String]) throws {
        self.namespace = namespace
        errorLog = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(namespace.name)-\(UUID().uuidString).stderr").path
        _ = FileManager.default.createFile(atPath: errorLog, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ip", "netns", "exec", namespace.name] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: errorLog)
        try process.run()
    }

    /// A Python program given as its source text.
    package convenience init(in namespace: TestNamespace, python source: String) throws {
        try self.init(in: namespace, ["python3", "-c", source])
    }

    /// SIGTERM first, so a server with workers (nginx) stops them; SIGKILL after 5 s.
    deinit {
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: errorLog)
    }

    /// Waits until the program exits (a client that runs for a set time).
    package func waitUntilExit() {
        process.waitUntilExit()
    }

    /// Waits until something in the namespace listens on `port` (TCP); fails after 10 s or
    /// when the program exits, with what it wrote to standard error.
    package func waitUntilListening(port: Int) throws {
        let deadline = Date().addingTimeInterval(10)
        while try namespace.exec(["ss", "-Hltn", "sport = :\(port)"]).isEmpty {
            guard process.isRunning, Date() < deadline else {
                let log = (try? String(contentsOfFile: errorLog, encoding: .utf8)) ?? ""
                throw TestFailure("nothing listens on port \(port) (\(process.arguments?.dropFirst(4).first ?? "?") "
                                  + "\(process.isRunning ? "running" : "exited \(process.terminationStatus)")): \(log)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }
}
