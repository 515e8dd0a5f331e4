/// Connections of one host in each ``ConnectionState``.
public struct StateCounts: Equatable, Sendable {
    private var opening: UInt32 = 0
    private var open: UInt32 = 0
    private var closing: UInt32 = 0
    private var closed: UInt32 = 0

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
}
