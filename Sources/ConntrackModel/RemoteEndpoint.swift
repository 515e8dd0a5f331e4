/// The far side of a connection as the exporter labels it: the remote address and
/// the server-side port (so client ephemeral ports never create series).
public struct RemoteEndpoint: Hashable, Sendable {
    public let address: IPAddress
    public let port: UInt16

    @inlinable public init(address: IPAddress, port: UInt16) {
        self.address = address
        self.port = port
    }

}
