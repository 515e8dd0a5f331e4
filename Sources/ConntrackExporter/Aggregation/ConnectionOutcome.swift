/// How a TCP connection ended, judged from its DESTROY event.
public enum ConnectionOutcome: Int, Sendable, CaseIterable {
    /// Never saw a reply and ended in CLOSE: an RST answered the SYN (nothing listening).
    case refused
    /// Never saw a reply otherwise: the SYN was dropped or lost (firewall, full backlog, dead host).
    case unanswered
    /// Saw replies and ended in CLOSE: an RST after the handshake.
    case reset
    /// Ended in FIN_WAIT, CLOSE_WAIT, LAST_ACK or TIME_WAIT: a FIN exchange started.
    case graceful
    /// Anything else: expired while established, deleted by an administrator, no state reported.
    case other

    public var label: String {
        switch self {
        case .refused: "refused"
        case .unanswered: "unanswered"
        case .reset: "reset"
        case .graceful: "graceful"
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
        case (.finWait?, true), (.closeWait?, true), (.lastAck?, true), (.timeWait?, true): self = .graceful
        default: self = .other
        }
    }
}
