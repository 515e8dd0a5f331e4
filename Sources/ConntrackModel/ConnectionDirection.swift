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

}
