@testable import Exposition
import Foundation
import TestFixtures
import Testing

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
