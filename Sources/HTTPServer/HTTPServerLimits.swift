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
    /// How long a request may wait for its handler; then it is answered `503`.
    public var handlerTimeout: Duration = .seconds(60)
    /// A client that shuts its sending side within this of its request (`nc -N`) is
    /// half-closing and still gets the answer; one that does so later has left, and its
    /// request is dropped with its work. A reset always means it left.
    public var halfCloseGrace: Duration = .milliseconds(100)
    /// Open connections at most. A new connection beyond it always gets in: the client
    /// (IPv4 address or IPv6 /64) holding the most connections loses one, idle first, then
    /// one reading a head, then one waiting for its handler (answered `503`), then one within
    /// ``firstRequestGrace`` of its accept with nothing received, then one sending.
    public var maxConnections = 512
    /// How long a new connection that has sent nothing yet is spared when the server makes
    /// room, so that it can send its request: the reconnects of a flood from its own address
    /// would otherwise close it first.
    public var firstRequestGrace: Duration = .seconds(1)
    /// Bytes of response bodies held for clients that have not received them yet, each
    /// body counted once however many connections share it. Beyond it the connections
    /// that have been sending longest are closed; the newest response is always sent.
    public var maxPendingResponseBytes = 64 << 20
    /// Connections accepted per turn of the poll loop, so a flood of connects cannot
    /// keep requests already received from being read.
    public var acceptsPerTurn = 64

    public init() {}
}
