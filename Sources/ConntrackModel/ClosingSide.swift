/// Which end of a closing connection sent the first FIN, as the `closed_by` label says.
public enum ClosingSide: Int, Sendable, CaseIterable {
    /// This machine's end; for a forwarded connection, the client's end.
    case local
    /// The end the `host` label names.
    case remote
    /// The kernel marked neither direction (the entry was picked up mid-connection).
    case unknown

    public var label: String {
        switch self {
        case .local: "local"
        case .remote: "remote"
        case .unknown: "unknown"
        }
    }

}
