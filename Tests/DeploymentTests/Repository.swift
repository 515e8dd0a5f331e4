import Foundation

/// The repository's files and the tools that check them.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }

    static func read(_ relative: String) throws -> String {
        try String(contentsOfFile: path(relative), encoding: .utf8)
    }

    /// Whether `tool` is on PATH; under CI=true a missing tool is a failure, not a skip.
    static func has(_ tool: String) -> Bool {
        ProcessInfo.processInfo.environment["CI"] == "true"
            || (try? run(["sh", "-c", "command -v \(tool)"]).status) == 0
    }

    /// Runs a program from the repository's root; returns its status and both outputs.
    @discardableResult
    static func run(_ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = root
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let standardInput = Pipe()
        process.standardInput = standardInput
        try process.run()
        if let input { standardInput.fileHandleForWriting.write(Data(input.utf8)) }
        try standardInput.fileHandleForWriting.close()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// A YAML file's documents as JSON objects (PyYAML reads, Foundation parses).
    static func yamlDocuments(_ relative: String) throws -> [[String: Any]] {
        let result = try run(["python3", "-c",
                              "import json, sys, yaml; print(json.dumps([d for d in yaml.safe_load_all(open(sys.argv[1])) if d]))",
                              path(relative)])
        guard result.status == 0 else { throw DeploymentFailure("cannot read \(relative) as YAML: \(result.output)") }
        return try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]] ?? []
    }

    /// Metric names PromQL mentions: conntrack_ families, not recording rules (level:metric:ops).
    static func metricNames(in promql: String) -> Set<String> {
        let regex = try! Regex("[a-z_:]*conntrack_[a-z_]+[a-z][a-z_:0-9]*")
        return Set(promql.matches(of: regex).map { String(promql[$0.range]) }.filter { !$0.contains(":") })
    }
}

struct DeploymentFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
