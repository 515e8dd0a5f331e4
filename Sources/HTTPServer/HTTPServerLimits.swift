/// The bounds that keep ``HTTPServer`` answering under slow, idle or hostile clients.
public struct HTTPServerLimits: Sendable {
    /// How long a request head may take, from the connection's accept or the request's
    /// first byte, whichever applies (408 beyond).
    public var headTimeout: Duration = .seconds(10)
    /// How long a kept-alive connection may wait for its next request.
    public var idleTimeout: Duration = .seconds(120)
    /// How long a response may take to be sent in full; a client that does not drain it
    /// in time is disconnected.
    public var writeTimeout: Duration = .seconds(60)
    /// Open connections at most. Beyond it a new connection evicts the longest-idle one,
    /// else the one whose request head has taken longest, else it is closed at once.
    public var maxConnections = 512
    /// Bytes of response bodies held for clients that have not received them yet, each
    /// body counted once however many connections share it. Beyond it the connections
    /// that have been sending longest are closed; the newest response is always sent.
    public var maxPendingResponseBytes = 64 << 20
    /// Connections accepted per turn of the poll loop, so a flood of connects cannot
    /// keep requests already received from being read.
    public var acceptsPerTurn = 64

    public init() {}
}
