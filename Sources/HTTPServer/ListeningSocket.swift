import Glibc
import LinuxSystem

/// A non-blocking TCP socket listening on one resolved address.
public final class ListeningSocket {
    public let fd: Int32
    /// The address as the user wrote it, for messages.
    public let address: ListenAddress

    private init(fd: Int32, address: ListenAddress) {
        self.fd = fd
        self.address = address
    }

    deinit {
        FileDescriptor.close(fd)
    }

    /// The port the kernel bound (differs from the address's when it asked for port 0).
    public var boundPort: UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return withUnsafeBytes(of: storage) { bytes in
            // sin_port and sin6_port share the same offset, in network order.
            UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
        }
    }

    /// The address as bound, with the port the kernel chose for port 0, for the log.
    public var boundAddress: ListenAddress {
        ListenAddress(host: address.host, port: boundPort)
    }

    /// Binds every address `address` resolves to. `:port` listens on IPv6 and IPv4
    /// through one dual-stack socket, or on IPv4 alone where IPv6 is unavailable.
    public static func open(_ address: ListenAddress) throws(ListenError) -> [ListeningSocket] {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = address.host == nil ? AF_INET6 : AF_UNSPEC
        let bindAll = { (hints: addrinfo) throws(ListenError) -> [ListeningSocket] in
            try resolve(address, hints: hints).map { candidate throws(ListenError) in try bind(candidate, address: address) }
        }
        do {
            return try bindAll(hints)
        } catch where address.host == nil && error.errno == EAFNOSUPPORT {
            hints.ai_family = AF_INET
            return try bindAll(hints)
        }
    }

    private struct Candidate {
        var family: Int32
        var storage: sockaddr_storage
        var length: socklen_t
    }

    private static func resolve(_ address: ListenAddress, hints: addrinfo) throws(ListenError) -> [Candidate] {
        var hints = hints
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(address.host, String(address.port), &hints, &list)
        guard status == 0 else {
            throw ListenError(address: address, errno: 0, detail: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var candidates: [Candidate] = []
        var cursor = list
        while let entry = cursor {
            cursor = entry.pointee.ai_next
            var storage = sockaddr_storage()
            withUnsafeMutableBytes(of: &storage) { target in
                target.copyMemory(from: UnsafeRawBufferPointer(start: entry.pointee.ai_addr, count: Int(entry.pointee.ai_addrlen)))
            }
            candidates.append(Candidate(family: entry.pointee.ai_family, storage: storage, length: entry.pointee.ai_addrlen))
        }
        return candidates
    }

    private static func bind(_ candidate: Candidate, address: ListenAddress) throws(ListenError) -> ListeningSocket {
        do {
            let fd = try systemCall("socket") {
                socket(candidate.family, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
            }
            let listening = ListeningSocket(fd: fd, address: address)
            try FileDescriptor.setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, "setsockopt SO_REUSEADDR")
            if candidate.family == AF_INET6 {
                // `:port` and `[::]:port` also accept IPv4, whatever net.ipv6.bindv6only says.
                try FileDescriptor.setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 0, "setsockopt IPV6_V6ONLY")
            }
            var storage = candidate.storage
            try systemCall("bind") {
                withUnsafePointer(to: &storage) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, candidate.length) }
                }
            }
            try systemCall("listen") { listen(fd, SOMAXCONN) }
            return listening
        } catch {
            throw ListenError(address: address, errno: error.errno, detail: nil)
        }
    }
}

/// Listening on an address failed.
public struct ListenError: Error, CustomStringConvertible {
    public let address: ListenAddress
    public let errno: Int32
    let detail: String?

    public var description: String {
        if errno == EADDRINUSE { return "listen address \(address) is already in use" }
        return "cannot listen on \(address): \(detail ?? String(cString: strerror(errno)))"
    }
}
