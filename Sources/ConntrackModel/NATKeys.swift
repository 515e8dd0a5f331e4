/// A destination-NATed connection's translation: the host the client asked for (a virtual
/// address, such as a Kubernetes Service's) and the backend its reply came from.
public struct BackendKey: Hashable, Sendable {
    public let host: HostKey
    public let backend: RemoteEndpoint

    public init(host: HostKey, backend: RemoteEndpoint) {
        self.host = host
        self.backend = backend
    }

    /// Where backends past the cap count, under their host.
    public static func other(of host: HostKey) -> BackendKey {
        BackendKey(host: host, backend: RemoteEndpoint.other)
    }
}

/// One source-NAT translation toward one destination: the translated source address, the
/// destination and the protocol. Each connection through it holds one translated port.
public struct SNATKey: Hashable, Sendable {
    public let address: IPAddress
    public let destination: RemoteEndpoint
    /// The layer-4 protocol number (6 TCP, 17 UDP).
    public let protocolNumber: UInt8

    public init(address: IPAddress, destination: RemoteEndpoint, protocolNumber: UInt8) {
        self.address = address
        self.destination = destination
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

extension RemoteEndpoint {
    /// Every backend past the cap, shown as `other`.
    public static let other = RemoteEndpoint(address: HostKey.other.address, port: 0)
}
