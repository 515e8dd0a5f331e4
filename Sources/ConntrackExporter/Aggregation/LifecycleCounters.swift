/// Counters driven by conntrack events: connections opened and closed per host, how
/// they ended, how long they lived, and the events themselves. They only grow.
public struct LifecycleCounters: Sendable {
    /// Connection lifetimes span milliseconds (refused) to days (idle pools).
    public static let durationBounds: [Double] = [0.001, 0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800, 3600, 21600, 86400]

    public private(set) var opened: [HostKey: UInt64] = [:]
    public private(set) var closed: [HostKey: OutcomeCounts] = [:]
    public private(set) var durations: [Histogram] = ConnectionOutcome.allCases.map { _ in
        Histogram(upperBounds: durationBounds)
    }
    public private(set) var newEvents: UInt64 = 0
    public private(set) var destroyEvents: UInt64 = 0
    public private(set) var overflows: UInt64 = 0

    public init() {}

    /// Counts one event the listener received, before any filtering.
    public mutating func countEvent(_ message: ConntrackEntry.Message) {
        if message == .destroy { destroyEvents += 1 } else { newEvents += 1 }
    }

    public mutating func countOverflow() {
        overflows += 1
    }

    public mutating func recordOpened(_ host: HostKey) {
        opened[host, default: 0] += 1
    }

    public mutating func recordClosed(_ host: HostKey, outcome: ConnectionOutcome, durationSeconds: Double?) {
        closed[host, default: OutcomeCounts()][outcome] += 1
        if let durationSeconds { durations[outcome.rawValue].observe(durationSeconds) }
    }

    /// Hosts with at least one counter.
    public var hostCount: Int {
        opened.count + closed.keys.filter { opened[$0] == nil }.count
    }
}

/// Closed connections of one host per ``ConnectionOutcome``.
public struct OutcomeCounts: Sendable, Equatable {
    private var counts = [UInt64](repeating: 0, count: ConnectionOutcome.allCases.count)

    public init() {}

    public subscript(outcome: ConnectionOutcome) -> UInt64 {
        get { counts[outcome.rawValue] }
        set { counts[outcome.rawValue] = newValue }
    }
}
