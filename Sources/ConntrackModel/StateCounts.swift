/// Connections of one host in each ``ConnectionState``, the closing ones split into
/// half-closed and TIME_WAIT by ``ClosingSide``, and the open ones idle past the threshold.
public struct StateCounts: Equatable, Sendable {
    private var opening: UInt32 = 0
    private var open: UInt32 = 0
    private var closing: UInt32 = 0
    private var closed: UInt32 = 0
    private var halfClosedBy: (UInt32, UInt32, UInt32) = (0, 0, 0)
    private var timeWaitBy: (UInt32, UInt32, UInt32) = (0, 0, 0)
    /// Open connections idle for at least the table's threshold.
    public var idle: UInt32 = 0

    public init() {}

    public subscript(state: ConnectionState) -> UInt32 {
        get {
            switch state {
            case .opening: opening
            case .open: open
            case .closing: closing
            case .closed: closed
            }
        }
        set {
            switch state {
            case .opening: opening = newValue
            case .open: open = newValue
            case .closing: closing = newValue
            case .closed: closed = newValue
            }
        }
    }

    /// Half-closed connections (FIN_WAIT, CLOSE_WAIT, LAST_ACK) whose first FIN came from `side`.
    public subscript(halfClosedBy side: ClosingSide) -> UInt32 {
        get { Self.element(halfClosedBy, side) }
        set { Self.setElement(&halfClosedBy, side, newValue) }
    }

    /// TIME_WAIT connections whose first FIN came from `side`.
    public subscript(timeWaitBy side: ClosingSide) -> UInt32 {
        get { Self.element(timeWaitBy, side) }
        set { Self.setElement(&timeWaitBy, side, newValue) }
    }

    /// Half-closed connections, whoever closed first.
    public var halfClosed: UInt32 { halfClosedBy.0 + halfClosedBy.1 + halfClosedBy.2 }
    /// TIME_WAIT connections, whoever closed first.
    public var timeWait: UInt32 { timeWaitBy.0 + timeWaitBy.1 + timeWaitBy.2 }

    /// Adds every count of `other` (hosts folded into one).
    public mutating func add(_ other: StateCounts) {
        opening += other.opening
        open += other.open
        closing += other.closing
        closed += other.closed
        halfClosedBy = (halfClosedBy.0 + other.halfClosedBy.0, halfClosedBy.1 + other.halfClosedBy.1,
                        halfClosedBy.2 + other.halfClosedBy.2)
        timeWaitBy = (timeWaitBy.0 + other.timeWaitBy.0, timeWaitBy.1 + other.timeWaitBy.1, timeWaitBy.2 + other.timeWaitBy.2)
        idle += other.idle
    }

    /// Counts one connection in `tcpState` (closing, first closed by `closedBy`) in, or out
    /// when `adding` is false (a table kept from events moves connections between states).
    public mutating func count(_ tcpState: TCPState, closedBy: ClosingSide?, adding: Bool) {
        guard let state = ConnectionState(tcpState) else { return }
        let delta: UInt32 = adding ? 1 : ~0
        self[state] &+= delta
        guard let closedBy else { return }
        if tcpState.isHalfClosed {
            self[halfClosedBy: closedBy] &+= delta
        } else {
            self[timeWaitBy: closedBy] &+= delta
        }
    }

    /// Every connection of the host in the table.
    public var total: UInt32 { opening + open + closing + closed }

    public static func == (lhs: StateCounts, rhs: StateCounts) -> Bool {
        ConnectionState.allCases.allSatisfy { lhs[$0] == rhs[$0] } && lhs.idle == rhs.idle
            && ClosingSide.allCases.allSatisfy { lhs[halfClosedBy: $0] == rhs[halfClosedBy: $0]
                && lhs[timeWaitBy: $0] == rhs[timeWaitBy: $0] }
    }

    // Tuples, not arrays: a host's counts stay one inline value with no allocation.
    private static func element(_ counts: (UInt32, UInt32, UInt32), _ side: ClosingSide) -> UInt32 {
        switch side {
        case .local: counts.0
        case .remote: counts.1
        case .unknown: counts.2
        }
    }

    private static func setElement(_ counts: inout (UInt32, UInt32, UInt32), _ side: ClosingSide, _ value: UInt32) {
        switch side {
        case .local: counts.0 = value
        case .remote: counts.1 = value
        case .unknown: counts.2 = value
        }
    }
}
