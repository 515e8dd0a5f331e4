import ConntrackModel

/// One TCP connection of a table read, classified once for the gauges and the curl views.
public struct TrackedConnection: Sendable {
    public let host: HostKey
    public let direction: ConnectionDirection
    public let tcpState: TCPState
    public let state: ConnectionState
    /// Which end sent the first FIN; nil unless the connection is closing.
    public let closedBy: ClosingSide?
    /// Seconds since the last packet (see ``TCPTimeouts``); nil when unknown.
    public let idleSeconds: UInt32?
    /// Seconds since the kernel created the entry; nil without `nf_conntrack_timestamp`.
    public let ageSeconds: UInt32?
    /// Its bytes and packets so far; nil when the entry carries no counters.
    public let traffic: Traffic?

    public init(host: HostKey, direction: ConnectionDirection, tcpState: TCPState, state: ConnectionState,
                closedBy: ClosingSide?, idleSeconds: UInt32?, ageSeconds: UInt32?, traffic: Traffic? = nil) {
        self.host = host
        self.direction = direction
        self.tcpState = tcpState
        self.state = state
        self.closedBy = closedBy
        self.idleSeconds = idleSeconds
        self.ageSeconds = ageSeconds
        self.traffic = traffic
    }
}
