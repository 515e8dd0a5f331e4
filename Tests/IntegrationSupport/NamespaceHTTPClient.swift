import Foundation
import Glibc

/// One kept-alive HTTP connection to the exporter inside a test namespace, so repeated
/// scrapes add no conntrack entries of their own.
package final class NamespaceHTTPClient {
    private let fd: Int32

    package init(namespace: TestNamespace, port: UInt16) throws {
        fd = try namespace.inside { try LoopbackSocket.connect(port: port) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(fd)
    }

    package func scrape() throws -> Exposition {
        let request = Array("GET /metrics HTTP/1.1\r\nHost: test\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else {
            throw TestFailure("send failed")
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let text = String(decoding: received, as: UTF8.self)
            if let headEnd = text.utf8.firstRange(of: "\r\n\r\n".utf8),
               let lengthLine = text[..<headEnd.lowerBound].split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") }),
               let length = Int(lengthLine.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)),
               received.count - text.utf8.distance(from: text.utf8.startIndex, to: headEnd.upperBound) >= length {
                return Exposition(String(text[headEnd.upperBound...]))
            }
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw TestFailure("connection ended while reading a response") }
            received += chunk[..<count]
        }
    }
}
