/// Which way a connection goes, seen from this machine.
public enum ConnectionDirection: Sendable {
    /// A remote client connected to a local address (original source remote, destination local).
    case inbound
    /// This machine connected out (original source local), including to its own addresses.
    case outbound
    /// Neither end is local: routed or NATed through this machine.
    case forwarded

    /// How the curl views print it.
    public var label: String {
        switch self {
        case .inbound: "in"
        case .outbound: "out"
        case .forwarded: "forwarded"
        }
    }

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
