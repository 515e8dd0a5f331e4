import Glibc

/// A blocking HTTP/1.1 client on a raw socket, so tests control every byte sent.
package final class TestHTTPClient {
    package struct Response {
        package var status: Int
        package var headers: [String: String]
        package var bytes: [UInt8]
        package var body: String { String(decoding: bytes, as: UTF8.self) }
    }

    package let fd: Int32
    private var buffer: [UInt8] = []

    /// Connects to 127.0.0.1:`port` from 127.0.0.1, or from `source` (another loopback
    /// address: a client of its own); `receiveBuffer` shrinks the socket's receive buffer
    /// (set before connecting, so the window stays small), for a client that reads slowly.
    package init(port: UInt16, receiveBuffer: Int32? = nil, source: UInt8 = 1) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if var receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, socklen_t(MemoryLayout<Int32>.size))
        }
        if source != 1 {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = (UInt32(0x7f00_0000) | UInt32(source)).bigEndian
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { throw TestFailure("bind: \(String(cString: strerror(errno)))") }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else { throw TestFailure("connect: \(String(cString: strerror(errno)))") }
    }

    deinit {
        close(fd)
    }

    package func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw TestFailure("send: \(String(cString: strerror(errno)))") }
            offset += sent
        }
    }

    /// Sends a minimal `GET target` request; read the answer with ``response(head:)``.
    package func sendGet(_ target: String) throws {
        try send("GET \(target) HTTP/1.1\r\nHost: x\r\n\r\n")
    }

    /// Waits until something arrives (or the receive timeout passes), reading nothing.
    package func waitForData() throws {
        var byte: UInt8 = 0
        guard recv(fd, &byte, 1, Int32(MSG_PEEK)) == 1 else { throw TestFailure("nothing arrived") }
    }

    /// Whether something has arrived already, reading nothing and not waiting.
    package func hasData() -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) == 1
    }

    /// Ends the sending side (a FIN), keeping the receiving side open.
    package func shutdownWrite() {
        shutdown(fd, Int32(SHUT_WR))
    }

    /// Reads until the server ends the connection; returns the bytes read.
    package func drain() -> Int {
        var total = 0
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return total + buffer.count }
            total += count
        }
    }

    /// Closes with an RST instead of a FIN.
    package func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        shutdown(fd, Int32(SHUT_RDWR))
    }

    /// Reads one response; `head` true for the answer to a HEAD request (no body follows).
    package func response(head: Bool = false) throws -> Response {
        while findHeadEnd() == nil { try fill() }
        let end = findHeadEnd()!
        let lines = String(decoding: buffer[..<end], as: UTF8.self).split(separator: "\r\n")
        buffer.removeFirst(end)
        let status = Int(lines[0].split(separator: " ")[1])!
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            headers[parts[0].lowercased()] = String(parts[1].trimmingSpaces())
        }
        let length = head ? 0 : Int(headers["content-length"] ?? "0")!
        while buffer.count < length { try fill() }
        let bytes = Array(buffer[..<length])
        buffer.removeFirst(length)
        return Response(status: status, headers: headers, bytes: bytes)
    }

    /// Whether the server closed the connection (reads to the end of the stream).
    package func isClosedByServer() -> Bool {
        var byte: UInt8 = 0
        while true {
            let count = recv(fd, &byte, 1, 0)
            if count == 0 { return true }
            if count < 0 { return errno == ECONNRESET }
        }
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { throw TestFailure("connection ended or timed out while reading a response") }
        buffer += chunk[..<count]
    }

    private func findHeadEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for index in 0...(buffer.count - 4) where buffer[index..<index + 4].elementsEqual([13, 10, 13, 10]) {
            return index + 4
        }
        return nil
    }
}

package struct TestFailure: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
