/// The kernel's TCP conntrack states (`enum tcp_conntrack`), as a middle box sees them.
public enum TCPState: UInt8, Sendable, CaseIterable {
    case none = 0
    case synSent = 1
    case synReceived = 2
    case established = 3
    case finWait = 4
    case closeWait = 5
    case lastAck = 6
    case timeWait = 7
    case close = 8
    /// SYN_SENT2 (a simultaneous open); the kernel reuses the obsolete LISTEN value.
    case synSent2 = 9

    /// The name `conntrack -L` prints for the state.
    public var kernelName: String {
        switch self {
        case .none: "NONE"
        case .synSent: "SYN_SENT"
        case .synReceived: "SYN_RECV"
        case .established: "ESTABLISHED"
        case .finWait: "FIN_WAIT"
        case .closeWait: "CLOSE_WAIT"
        case .lastAck: "LAST_ACK"
        case .timeWait: "TIME_WAIT"
        case .close: "CLOSE"
        case .synSent2: "SYN_SENT2"
        }
    }

    /// One side has closed and the other not yet: FIN_WAIT, CLOSE_WAIT or LAST_ACK.
    public var isHalfClosed: Bool { self == .finWait || self == .closeWait || self == .lastAck }

    /// The state `conntrack -L` names `name` (any case); nil for other names.
    public init?(kernelName name: some StringProtocol) {
        let upper = name.uppercased()
        guard let state = Self.allCases.first(where: { $0.kernelName == upper }) else { return nil }
        self = state
    }
}
