import ConntrackAggregation

/// What `GET /connections` asks for: filters, how many rows, and the format.
public struct ConnectionQuery: Sendable {
    public static let defaultLimit = 100
    /// Bounds a request's memory: rows are kept in a buffer of twice the limit.
    public static let maximumLimit = 10_000

    public var host: HostFilter?
    public var state: StateFilter?
    public var idleMinimum: UInt32 = 0
    public var limit = Self.defaultLimit
    public var format = ViewFormat.text

    public init() {}

    /// Parses `host`, `state`, `idle_min` (seconds), `limit` and `format`.
    /// With `names`, `host=` may be a host's name.
    public init(parsing query: String?, names: Bool = false) throws(ViewQueryError) {
        let parameters = try ViewParameters(parsing: query, allowed: ["host", "state", "idle_min", "limit", "format"])
        host = try parameters.host(names: names)
        if let text = parameters["state"] {
            guard let state = StateFilter(text) else {
                throw ViewQueryError("""
                    state must be opening, open, closing, closed, half_closed, time_wait or a kernel state \
                    (SYN_SENT, ESTABLISHED, CLOSE_WAIT…), not "\(text)"
                    """)
            }
            self.state = state
        }
        if let text = parameters["idle_min"] {
            guard let seconds = UInt32(text) else {
                throw ViewQueryError("idle_min must be a whole number of seconds, not \"\(text)\"")
            }
            idleMinimum = seconds
        }
        limit = try parameters.limit(byDefault: Self.defaultLimit, maximum: Self.maximumLimit)
        format = try parameters.format()
    }

    public func matches(_ connection: TrackedConnection, renderer: HostRenderer) -> Bool {
        if let host, !host.matches(connection.host, renderer: renderer) { return false }
        if let state, !state.matches(connection) { return false }
        return idleMinimum == 0 || (connection.idleSeconds ?? 0) >= idleMinimum
    }
}
