/// The identity of one `host` label value: a remote address and, unless the label
/// mode drops it, the server-side port.
public struct HostKey: Hashable, Sendable, CustomStringConvertible {
    public let address: IPAddress
    public let port: UInt16?

    public init(_ endpoint: RemoteEndpoint, mode: HostLabelMode) {
        address = endpoint.address
        port = mode == .endpoint ? endpoint.port : nil
    }

    /// The label value: `198.18.0.7:5432`, `[2001:db8::7]:443`, or the bare address.
    public var description: String {
        guard let port else { return address.description }
        return address.family == .v6 ? "[\(address)]:\(port)" : "\(address):\(port)"
    }
}
