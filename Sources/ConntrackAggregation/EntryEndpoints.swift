import ConntrackKernel
import ConntrackModel

// How an entry's tuples map onto the model: which way it goes, which end is remote, who
// closed first. The HostLabeler applies them in this order.

extension ConnectionDirection {
    /// Nil when the entry's addresses are unknown.
    public init?(of entry: ConntrackEntry, local: LocalAddresses) {
        guard let source = entry.source, let destination = entry.destination else { return nil }
        if local.contains(source) {
            self = .outbound
        } else {
            self = local.contains(destination) ? .inbound : .forwarded
        }
    }
}

extension RemoteEndpoint {
    /// The remote end of `entry` going `direction` (see ``ConnectionDirection``): the
    /// original source for inbound connections, else the original destination; the port
    /// is always the original destination's (the server's).
    public init?(of entry: ConntrackEntry, direction: ConnectionDirection) {
        guard let address = direction == .inbound ? entry.source : entry.destination else { return nil }
        self.init(address: address, port: entry.destinationPort)
    }
}

extension Traffic {
    /// The counters of `entry` going `direction`, as seen from this machine; nil without counters.
    @inlinable public init?(of entry: ConntrackEntry, direction: ConnectionDirection) {
        guard let counters = entry.counters else { return nil }
        // The original direction is sent by the remote end only for inbound connections.
        let (out, back) = direction == .inbound ? (counters.reply, counters.original) : (counters.original, counters.reply)
        self.init(sentBytes: out.bytes, sentPackets: out.packets, receivedBytes: back.bytes, receivedPackets: back.packets)
    }
}

extension ClosingSide {
    /// The side that closed first in `entry`, going `direction`.
    public init(of entry: ConntrackEntry, direction: ConnectionDirection) {
        switch entry.firstFin {
        case nil: self = .unknown
        // The original direction is sent by the remote end only for inbound connections.
        case .original?: self = direction == .inbound ? .remote : .local
        case .reply?: self = direction == .inbound ? .local : .remote
        }
    }
}
