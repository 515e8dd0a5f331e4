/// How `--table.source=auto` chooses between dumps and the table kept from events: by the CPU
/// each costs per second, estimated from the exporter's own measurements, with hysteresis so
/// that a cost near the boundary does not make it switch back and forth. Pure policy, no I/O:
/// ``TableSourceChooser`` measures and acts.
public struct TableSourcePolicy: Sendable {
    /// What was measured over a window.
    public struct Measurements: Sendable {
        /// Entries of the table, from the latest dump.
        public var entries: Int
        /// CPU seconds of the latest dump per entry it walked.
        public var dumpSecondsPerEntry: Double
        /// Reads for scrapes and `/hosts` per second: each one dump in dump mode.
        public var readsPerSecond: Double
        /// NEW and DESTROY events per second, received in either mode.
        public var lifecycleEventsPerSecond: Double
        /// UPDATE events per NEW event: measured while the table was kept, else ``estimatedUpdatesPerNew``.
        public var updatesPerNew: Double
        /// The listener thread's CPU seconds per event it handled.
        public var eventSeconds: Double
        /// Whether dump mode receives NEW and DESTROY too (for the opened/closed counters).
        public var lifecycleSubscribed: Bool

        public init(entries: Int, dumpSecondsPerEntry: Double, readsPerSecond: Double, lifecycleEventsPerSecond: Double,
                    updatesPerNew: Double = TableSourcePolicy.estimatedUpdatesPerNew, eventSeconds: Double,
                    lifecycleSubscribed: Bool) {
            self.entries = entries
            self.dumpSecondsPerEntry = dumpSecondsPerEntry
            self.readsPerSecond = readsPerSecond
            self.lifecycleEventsPerSecond = lifecycleEventsPerSecond
            self.updatesPerNew = updatesPerNew
            self.eventSeconds = eventSeconds
            self.lifecycleSubscribed = lifecycleSubscribed
        }
    }

    /// CPU seconds per second each source would cost.
    public struct Estimate: Sendable, Equatable {
        public let dump: Double
        public let events: Double
    }

    /// UPDATE events per connection before any were measured: of a connection closed with FINs
    /// the event socket's filter passes ESTABLISHED, FIN_WAIT and TIME_WAIT (the benchmark's
    /// loopback churn counts 5 events per connection, NEW and DESTROY among them).
    public static let estimatedUpdatesPerNew = 3.0

    /// Seconds between the kept table's check dumps (`--table.check-interval`).
    public let checkIntervalSeconds: Double
    /// Events replace dumps when they cost less than this share of them, and give way when
    /// they cost more than dumps: the band between keeps a cost near the boundary from flapping.
    public var eventsBelowShareOfDumps = 0.5
    /// The shortest window a decision is taken on (or the check interval, if shorter): long
    /// enough for several scrapes at the usual 15 s interval.
    public var minimumWindowSeconds = 60.0

    public init(checkIntervalSeconds: Double) {
        self.checkIntervalSeconds = checkIntervalSeconds
    }

    /// The seconds a window must last before ``choose(_:_:)`` is asked.
    public var windowSeconds: Double { min(minimumWindowSeconds, checkIntervalSeconds) }

    /// What each source costs under `measured`: dumps are one per read, events one handling
    /// each plus a check dump per interval; NEW and DESTROY count in both when dump mode
    /// receives them anyway. The kernel's own cost of building UPDATE messages is left out:
    /// it is paid in the packet path, not by the exporter (README, "Table kept from events").
    public func estimate(_ measured: Measurements) -> Estimate {
        let dumpSeconds = Double(measured.entries) * measured.dumpSecondsPerEntry
        let lifecycle = measured.lifecycleEventsPerSecond * measured.eventSeconds
        // NEW and DESTROY are two events per connection; UPDATE comes per NEW.
        let updates = measured.lifecycleEventsPerSecond / 2 * measured.updatesPerNew * measured.eventSeconds
        return Estimate(dump: measured.readsPerSecond * dumpSeconds + (measured.lifecycleSubscribed ? lifecycle : 0),
                        events: lifecycle + updates + dumpSeconds / checkIntervalSeconds)
    }

    /// The source to use after a window measured as `measured`, using `current` during it.
    public func choose(_ current: TableSourceMode, _ measured: Measurements) -> TableSourceMode {
        let cost = estimate(measured)
        switch current {
        case .dump: return cost.events < eventsBelowShareOfDumps * cost.dump ? .events : .dump
        case .events: return cost.events > cost.dump ? .dump : .events
        }
    }
}
