/// How a TCP connection ended, judged from its DESTROY event's final state and whether
/// a reply was ever seen.
public enum ConnectionOutcome: Int, Sendable, CaseIterable {
    /// Never saw a reply and ended in CLOSE: an RST answered the SYN (nothing listening).
    case refused
    /// Never saw a reply otherwise: the SYN was dropped or lost (firewall, full backlog, dead host).
    case unanswered
    /// Saw replies and ended in CLOSE: an RST after the handshake.
    case reset
    /// Ended in TIME_WAIT: both sides closed.
    case graceful
    /// Ended in FIN_WAIT, CLOSE_WAIT or LAST_ACK: one side closed and the connection expired
    /// before the other finished closing (a leak, or a peer that vanished).
    case halfClosed
    /// Anything else: expired while established, deleted by an administrator, no state reported.
    case other

    public var label: String {
        switch self {
        case .refused: "refused"
        case .unanswered: "unanswered"
        case .reset: "reset"
        case .graceful: "graceful"
        case .halfClosed: "half_closed"
        case .other: "other"
        }
    }

    /// The outcome of a connection that ended in `state` (nil when the kernel, older
    /// than 5.11, sent none), having seen a reply or not.
    public init(finalState state: TCPState?, sawReply: Bool) {
        switch (state, sawReply) {
        case (nil, _), (TCPState.none?, _): self = .other
        case (.close?, false): self = .refused
        case (_, false): self = .unanswered
        case (.close?, true): self = .reset
        case (.timeWait?, true): self = .graceful
        case (let state?, true) where state.isHalfClosed: self = .halfClosed
        default: self = .other
        }
    }
}
