/// Decides how each accepted connection's bytes cross the wire. The server asks once per
/// connection, so a provider can switch certificates between connections (the web config's
/// TLS does); ``PlainTransportProvider`` serves the socket as it is.
public protocol TransportProvider: Sendable {
    /// The transport for a connection just accepted on `fd`; nil to close it at once.
    func transport(for fd: Int32) -> (any ConnectionTransport)?
}

/// Plain HTTP.
public struct PlainTransportProvider: TransportProvider {
    public init() {}

    public func transport(for fd: Int32) -> (any ConnectionTransport)? {
        PlainTransport(fd: fd)
    }
}
