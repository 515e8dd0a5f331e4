/// The far side of a connection as the exporter labels it: the remote address and
/// the server-side port (so client ephemeral ports never create series).
public struct RemoteEndpoint: Hashable, Sendable {
    public let address: IPAddress
    public let port: UInt16

    public init(address: IPAddress, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// The remote end of `entry` going `direction` (see ``ConnectionDirection``): the
    /// original source for inbound connections, else the original destination; the port
    /// is always the original destination's (the server's).
    public init?(of entry: ConntrackEntry, direction: ConnectionDirection) {
        guard let address = direction == .inbound ? entry.source : entry.destination else { return nil }
        self.init(address: address, port: entry.destinationPort)
    }
}
