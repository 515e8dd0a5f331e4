import Synchronization

/// What the server turned away, by why: the figures an operator looks at under attack.
public final class HTTPServerStatistics: Sendable {
    /// Why a connection was closed or a request answered without its handler.
    public enum Reason: String, CaseIterable, Sendable {
        /// A new connection arrived at the connection limit: one of the busiest client's was closed.
        case connectionLimit = "connection_limit"
        /// A request waited for its handler past the handler timeout (503).
        case handlerTimeout = "handler_timeout"
        /// The client left (FIN or RST) while its request waited; its work was dropped.
        case clientGone = "client_gone"
        /// A handler refused the request for lack of room (503 or 429 from a bound).
        case busy
    }

    private let counts = Mutex([Reason: UInt64]())

    public init() {}

    public func count(_ reason: Reason) {
        counts.withLock { $0[reason, default: 0] += 1 }
    }

    public subscript(reason: Reason) -> UInt64 {
        counts.withLock { $0[reason] ?? 0 }
    }
}
