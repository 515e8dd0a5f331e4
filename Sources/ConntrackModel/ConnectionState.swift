/// The four states the exporter counts, each a gauge family.
public enum ConnectionState: Int, Sendable, CaseIterable {
    case opening
    case open
    case closing
    case closed

    /// Maps a kernel TCP state; nil for states that are not counted (NONE).
    public init?(_ state: TCPState) {
        switch state {
        case .synSent, .synSent2, .synReceived: self = .opening
        case .established: self = .open
        case .finWait, .closeWait, .lastAck, .timeWait: self = .closing
        case .close: self = .closed
        case .none: return nil
        }
    }
}
