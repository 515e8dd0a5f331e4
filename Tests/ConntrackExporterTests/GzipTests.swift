import Foundation
import Testing
@testable import ConntrackExporter

/// Decompresses with the system's gzip, an implementation independent of the exporter's.
func gunzip(_ bytes: [UInt8]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["gzip", "-dc"]
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    let writer = Thread {
        input.fileHandleForWriting.write(Data(bytes))
        try? input.fileHandleForWriting.close()
    }
    writer.start()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw TestFailure("gzip -dc failed") }
    return String(decoding: data, as: UTF8.self)
}

@Suite struct GzipTests {
    @Test func producesAStreamGzipReads() throws {
        let text = String(repeating: "conntrack_open_connections{host=\"198.18.0.7:5432\"} 12\n", count: 5000)
        let compressed = try #require(Gzip.compress(Array(text.utf8)))
        #expect(compressed.starts(with: [0x1f, 0x8b]))
        #expect(compressed.count < text.utf8.count / 10)
        #expect(try gunzip(compressed) == text)
    }

    @Test func handlesEmptyInput() throws {
        #expect(try gunzip(try #require(Gzip.compress([]))) == "")
    }
}
