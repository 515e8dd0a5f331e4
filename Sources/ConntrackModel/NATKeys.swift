/// A destination-NATed connection's translation: the host the client asked for (a virtual
/// address, such as a Kubernetes Service's) and the backend its reply came from.
public struct BackendKey: Hashable, Sendable {
    public let host: HostKey
    public let backend: RemoteEndpoint

    public init(host: HostKey, backend: RemoteEndpoint) {
        self.host = host
        self.backend = backend
    }

    /// Where pairs past the cap count, as hosts past it count under ``HostKey/other``.
    public static let other = BackendKey(host: .other, backend: .other)
}

/// One source-NAT port pool as the kernel allocates it: a translated port is unique per reply
/// tuple, so per translated source address, far end of the reply (the server actually reached:
/// under destination NAT the backend, not the address the client asked for) and protocol.
public struct SNATKey: Hashable, Sendable {
    public let address: IPAddress
    /// The reply tuple's source: the server the translated connections reach.
    public let farEnd: RemoteEndpoint
    /// The layer-4 protocol number (6 TCP, 17 UDP).
    public let protocolNumber: UInt8

    public init(address: IPAddress, farEnd: RemoteEndpoint, protocolNumber: UInt8) {
        self.address = address
        self.farEnd = farEnd
        self.protocolNumber = protocolNumber
    }

    /// `tcp`, `udp` or the number.
    public var protocolName: String {
        switch protocolNumber {
        case 6: "tcp"
        case 17: "udp"
        default: "\(protocolNumber)"
        }
    }
}

/// A source-NAT pool's use: the connections holding one of its ports, and the address they
/// asked for (under destination NAT a virtual address, whose backend is the pool's far end;
/// the least of several, so a read always shows the same).
public struct SNATPool: Sendable, Equatable {
    public var ports: Int
    public var destination: RemoteEndpoint

    public init(ports: Int, destination: RemoteEndpoint) {
        self.ports = ports
        self.destination = destination
    }

    /// One more connection, which asked for `asked`.
    public mutating func add(asked: RemoteEndpoint) {
        ports += 1
        if HostKey(asked, mode: .endpoint) < HostKey(destination, mode: .endpoint) { destination = asked }
    }
}

extension RemoteEndpoint {
    /// Every backend past the cap, shown as `other`.
    public static let other = RemoteEndpoint(address: HostKey.other.address, port: 0)
}
