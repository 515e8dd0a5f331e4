import ConntrackAggregation
import ConntrackModel

/// `?state=`: one of the exporter's groups (opening, open, closing, closed, half_closed,
/// time_wait) or a kernel state as `conntrack -L` prints it (ESTABLISHED, CLOSE_WAIT…, any case).
public enum StateFilter: Sendable, Equatable {
    case group(ConnectionState)
    case halfClosed
    case kernel(TCPState)

    public init?(_ text: String) {
        switch text {
        case "opening": self = .group(.opening)
        case "open": self = .group(.open)
        case "closing": self = .group(.closing)
        case "closed": self = .group(.closed)
        case "half_closed": self = .halfClosed
        default:
            guard let state = TCPState(kernelName: text), state != .none else { return nil }
            self = .kernel(state)
        }
    }

    public func matches(_ connection: TrackedConnection) -> Bool {
        switch self {
        case .group(let state): connection.state == state
        case .halfClosed: connection.tcpState.isHalfClosed
        case .kernel(let state): connection.tcpState == state
        }
    }
}
