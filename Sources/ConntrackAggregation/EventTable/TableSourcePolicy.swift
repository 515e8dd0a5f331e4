/// How `--table.source=auto` chooses between dumps and the table kept from events: by the CPU
/// each costs per second, estimated from the exporter's own measurements and the packet path's
/// cost of UPDATE messages, with hysteresis so that a cost near the boundary does not make it
/// switch back and forth, and dumps kept while they cost too little to be worth the kept
/// table's older idle and age data. Pure policy, no I/O: ``TableSourceChooser`` measures and acts.
public struct TableSourcePolicy: Sendable {
    /// What was measured over a window.
    public struct Measurements: Sendable {
        /// Entries of the table, from the latest dump.
        public var entries: Int
        /// CPU seconds of the latest dump per entry it walked.
        public var dumpSecondsPerEntry: Double
        /// Reads for scrapes and `/hosts` per second: each one dump in dump mode.
        public var readsPerSecond: Double
        /// NEW and DESTROY events per second, received in either mode (auto runs with the
        /// lifecycle collector only, which receives them anyway).
        public var lifecycleEventsPerSecond: Double
        /// UPDATE events per NEW event: measured while the table was kept, else ``estimatedUpdatesPerNew``.
        public var updatesPerNew: Double
        /// The listener thread's CPU seconds per event it handled.
        public var eventSeconds: Double
        /// Rebuilds after lost events per second, while the table was kept: each one a dump.
        public var lossRebuildsPerSecond: Double

        public init(entries: Int, dumpSecondsPerEntry: Double, readsPerSecond: Double, lifecycleEventsPerSecond: Double,
                    updatesPerNew: Double = TableSourcePolicy.estimatedUpdatesPerNew, eventSeconds: Double,
                    lossRebuildsPerSecond: Double = 0) {
            self.entries = entries
            self.dumpSecondsPerEntry = dumpSecondsPerEntry
            self.readsPerSecond = readsPerSecond
            self.lifecycleEventsPerSecond = lifecycleEventsPerSecond
            self.updatesPerNew = updatesPerNew
            self.eventSeconds = eventSeconds
            self.lossRebuildsPerSecond = lossRebuildsPerSecond
        }
    }

    /// CPU seconds per second each source would cost.
    public struct Estimate: Sendable, Equatable {
        public let dump: Double
        /// The exporter's and the packet path's (``TableSourcePolicy/kernelSecondsPerConnection``).
        public let events: Double
    }

    /// UPDATE events per connection before any were measured: of a connection closed with FINs
    /// the event socket's filter passes ESTABLISHED, FIN_WAIT and TIME_WAIT (the benchmark's
    /// loopback churn counts 5 events per connection, NEW and DESTROY among them).
    public static let estimatedUpdatesPerNew = 3.0

    /// What subscribing to UPDATE costs the machine per connection beyond the listener, unless
    /// told: `Benchmarks/run.sh update-cost` measured 6.8 and 7.8 µs in two runs (3.4-9.9 per
    /// round) on a 2-core AMD EPYC under loopback churn (BENCHMARKS.md).
    public static let defaultKernelSecondsPerConnection = 8e-6

    /// Seconds between the kept table's check dumps (`--table.check-interval`).
    public let checkIntervalSeconds: Double
    /// What a connection's UPDATE messages cost the machine beyond the exporter while the table
    /// is kept (`--table.kernel-cost-per-connection`): built in the packet path, where the
    /// exporter cannot measure it.
    public let kernelSecondsPerConnection: Double
    /// Dumps costing less CPU a second than this (1% of a core: about 60,000 entries read every
    /// 15 s) stay: the kept table would save little, and its idle times, ages and NAT counts are
    /// up to a check interval old. Once kept, the table stays until dumps cost under half this.
    public var dumpsWorthReplacing = 0.01
    /// Events replace dumps when they cost less than this share of them, and give way when
    /// they cost more than dumps: the band between keeps a cost near the boundary from flapping.
    public var eventsBelowShareOfDumps = 0.5
    /// The shortest window a decision is taken on (or the check interval, if shorter): long
    /// enough for several scrapes at the usual 15 s interval.
    public var minimumWindowSeconds = 60.0

    public init(checkIntervalSeconds: Double, kernelSecondsPerConnection: Double = TableSourcePolicy.defaultKernelSecondsPerConnection) {
        self.checkIntervalSeconds = checkIntervalSeconds
        self.kernelSecondsPerConnection = kernelSecondsPerConnection
    }

    /// The seconds a window must last before ``choose(_:_:)`` is asked.
    public var windowSeconds: Double { min(minimumWindowSeconds, checkIntervalSeconds) }

    /// What each source costs under `measured`: dumps are one per read, events one handling
    /// each, the packet path's UPDATE messages, a check dump per interval and a dump per
    /// rebuild after lost events; NEW and DESTROY count in both.
    public func estimate(_ measured: Measurements) -> Estimate {
        let dumpSeconds = Double(measured.entries) * measured.dumpSecondsPerEntry
        let lifecycle = measured.lifecycleEventsPerSecond * measured.eventSeconds
        // NEW and DESTROY are two events per connection; UPDATE comes per NEW.
        let connections = measured.lifecycleEventsPerSecond / 2
        let updates = connections * (measured.updatesPerNew * measured.eventSeconds + kernelSecondsPerConnection)
        let rebuilds = dumpSeconds * (1 / checkIntervalSeconds + measured.lossRebuildsPerSecond)
        return Estimate(dump: measured.readsPerSecond * dumpSeconds + lifecycle,
                        events: lifecycle + updates + rebuilds)
    }

    /// The source to use after a window measured as `measured`, using `current` during it.
    public func choose(_ current: TableSourceMode, _ measured: Measurements) -> TableSourceMode {
        let cost = estimate(measured)
        switch current {
        case .dump:
            return cost.dump >= dumpsWorthReplacing && cost.events < eventsBelowShareOfDumps * cost.dump ? .events : .dump
        case .events:
            return cost.events > cost.dump || cost.dump < dumpsWorthReplacing / 2 ? .dump : .events
        }
    }
}
