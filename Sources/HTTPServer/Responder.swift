import Synchronization

/// One request's way back to its client, and how the work done for it learns that the client
/// left first. The server cancels it when the connection closes (the client reset it, shut
/// its side while waiting, or was evicted): work queued for the request checks
/// ``isCancelled`` or registers ``onCancel(_:)`` and is dropped before it costs anything.
public final class Responder: Sendable {
    private enum Phase {
        case waiting([@Sendable () -> Void])
        case answered
        case cancelled
    }

    private let phase = Mutex(Phase.waiting([]))
    private let shared = Atomic(false)
    private let deliver: @Sendable (HTTPResponse) -> Void

    /// `deliver` takes the one response, from any thread.
    public init(deliver: @escaping @Sendable (HTTPResponse) -> Void) {
        self.deliver = deliver
    }

    /// Answers the request; only the first call counts, and none after a cancellation.
    public func respond(_ response: HTTPResponse) {
        let first = phase.withLock { phase in
            guard case .waiting = phase else { return false }
            phase = .answered
            return true
        }
        if first { deliver(response) }
    }

    /// Says that the request rides on work already under way (a read other requests asked
    /// for): it costs nothing of its own and is answered when that work ends. The server then
    /// makes room from other requests first.
    public func markShared() {
        shared.store(true, ordering: .relaxed)
    }

    /// Whether ``markShared()`` was called.
    public var isShared: Bool { shared.load(ordering: .relaxed) }

    /// Whether the client left before the answer.
    public var isCancelled: Bool {
        phase.withLock { if case .cancelled = $0 { true } else { false } }
    }

    /// Runs `body` when the client leaves before the answer: at once if it has, never once answered.
    public func onCancel(_ body: @escaping @Sendable () -> Void) {
        let runNow = phase.withLock { phase in
            switch phase {
            case .waiting(let handlers):
                phase = .waiting(handlers + [body])
                return false
            case .answered: return false
            case .cancelled: return true
            }
        }
        if runNow { body() }
    }

    /// The client left: runs what was registered with ``onCancel(_:)``.
    public func cancel() {
        let handlers = phase.withLock { phase -> [@Sendable () -> Void] in
            guard case .waiting(let handlers) = phase else { return [] }
            phase = .cancelled
            return handlers
        }
        handlers.forEach { $0() }
    }

    /// A responder for the same request whose responses pass through `transform` (a gate
    /// adding headers); cancelling this one cancels it.
    public func map(_ transform: @escaping @Sendable (HTTPResponse) -> HTTPResponse) -> Responder {
        let mapped = Responder { [self] response in respond(transform(response)) }
        onCancel { mapped.cancel() }
        return mapped
    }
}
