import Glibc

/// Plain blocking sockets on 127.0.0.1 or ::1, for making real connections.
package enum LoopbackSocket {
    package static func listen(port: UInt16, ipv6: Bool = false) throws -> Int32 {
        let fd = try make(ipv6: ipv6)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        try withAddress(port: port, ipv6: ipv6) { address, length in
            guard bind(fd, address, length) == 0, Glibc.listen(fd, 64) == 0 else { throw failure("listen \(port)") }
        }
        return fd
    }

    /// A client connected to `port`.
    package static func connect(port: UInt16, ipv6: Bool = false) throws -> Int32 {
        let client = try make(ipv6: ipv6)
        try withAddress(port: port, ipv6: ipv6) { address, length in
            guard Glibc.connect(client, address, length) == 0 else { throw failure("connect \(port)") }
        }
        return client
    }

    /// A connected client and the server side of the connection.
    package static func connectAndAccept(listener: Int32, port: UInt16, ipv6: Bool = false) throws -> [Int32] {
        let client = try connect(port: port, ipv6: ipv6)
        let server = accept(listener, nil, nil)
        guard server >= 0 else { throw failure("accept") }
        return [client, server]
    }

    /// A connection attempt to a port nothing listens on.
    package static func connectRefused(port: UInt16) throws {
        let fd = try make(ipv6: false)
        defer { close(fd) }
        try withAddress(port: port, ipv6: false) { address, length in
            guard Glibc.connect(fd, address, length) != 0, errno == ECONNREFUSED else { throw failure("expected a refusal") }
        }
    }

    /// Closes `fd` with an RST instead of a FIN.
    package static func reset(_ fd: Int32) {
        var option = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        close(fd)
    }

    /// A connection attempt whose SYN is dropped; the socket stays in SYN_SENT.
    package static func connectDropped(port: UInt16) throws -> Int32 {
        let fd = try make(ipv6: false)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        try withAddress(port: port, ipv6: false) { address, length in
            guard Glibc.connect(fd, address, length) != 0, errno == EINPROGRESS else { throw failure("expected EINPROGRESS") }
        }
        return fd
    }

    private static func make(ipv6: Bool) throws -> Int32 {
        let fd = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw failure("socket") }
        return fd
    }

    private static func withAddress(port: UInt16, ipv6: Bool,
                                    _ body: (UnsafePointer<sockaddr>, socklen_t) throws -> Void) throws {
        if ipv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            address.sin6_addr = in6addr_loopback
            try withUnsafePointer(to: &address) {
                try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
            try withUnsafePointer(to: &address) {
                try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
    }

    private static func failure(_ what: String) -> TestFailure {
        TestFailure("\(what): \(String(cString: strerror(errno)))")
    }
}
