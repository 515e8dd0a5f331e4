import Synchronization

/// The event counters behind a lock: the listener thread writes them per event, scrapes and
/// views read or update them, each for nanoseconds to microseconds.
public final class LifecycleStore: Sendable {
    private let counters: Mutex<LifecycleCounters>

    public init(_ counters: LifecycleCounters) {
        self.counters = Mutex(counters)
    }

    /// Runs `body` on the counters, under their lock (held for as long as `body` runs).
    public func withCounters<Result: Sendable>(_ body: (inout LifecycleCounters) -> Result) -> Result {
        counters.withLock { body(&$0) }
    }

    /// A copy of the counters as they are now.
    public var snapshot: LifecycleCounters {
        counters.withLock { $0 }
    }
}
