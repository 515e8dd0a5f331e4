/// The far side of a connection as the exporter labels it: the remote address and
/// the server-side port (so client ephemeral ports never create series).
public struct RemoteEndpoint: Hashable, Sendable {
    public let address: IPAddress
    public let port: UInt16

    public init(address: IPAddress, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// Which end of `entry` is remote, given the local addresses:
    /// - outbound (original source local): original destination and its port;
    /// - inbound (original destination local): original source with the local service port;
    /// - forwarded (neither local): original destination and its port.
    public init?(of entry: ConntrackEntry, local: LocalAddresses) {
        guard let source = entry.source, let destination = entry.destination else { return nil }
        if !local.contains(source) && local.contains(destination) {
            self.init(address: source, port: entry.destinationPort)
        } else {
            self.init(address: destination, port: entry.destinationPort)
        }
    }
}
