import Logging
import LinuxSystem
import Synchronization

/// `--table.source=auto` at work: counts the reads scrapes ask for, measures dumps (through
/// ``DumpCost``) and the event listener, asks ``TableSourcePolicy`` at the end of each window
/// and switches the source, logging why.
public final class TableSourceChooser: Sendable {
    /// The event listener's totals: its thread's CPU, the events it received and the kept
    /// table's rebuilds after lost events.
    public struct ListenerTotals: Sendable {
        public var cpuNanoseconds: UInt64
        public var newEvents: UInt64
        public var destroyEvents: UInt64
        public var updateEvents: UInt64
        public var lossRebuilds: UInt64

        public init(cpuNanoseconds: UInt64, newEvents: UInt64, destroyEvents: UInt64, updateEvents: UInt64, lossRebuilds: UInt64 = 0) {
            self.cpuNanoseconds = cpuNanoseconds
            self.newEvents = newEvents
            self.destroyEvents = destroyEvents
            self.updateEvents = updateEvents
            self.lossRebuilds = lossRebuilds
        }

        var events: UInt64 { newEvents + destroyEvents + updateEvents }
    }

    private struct Window {
        let startSeconds: Double
        let listener: ListenerTotals
        var reads = 0
    }

    private struct State {
        var mode = TableSourceMode.dump
        var window: Window
        var estimate: TableSourcePolicy.Estimate?
        /// UPDATE per NEW event, once measured while the table was kept.
        var updatesPerNew: Double?
    }

    /// Listener CPU per event before any was measured: a bare listener's, in the benchmark.
    static let defaultEventSeconds = 2e-6

    private let policy: TableSourcePolicy
    private let dumps: DumpCost
    private let listener: @Sendable () -> ListenerTotals
    private let switchTo: @Sendable (TableSourceMode) throws(SystemError) -> Void
    private let logger: Logger
    private let state: Mutex<State>

    /// `listener` reads the listener's totals; `switchTo` starts or stops keeping the table.
    public init(policy: TableSourcePolicy, dumps: DumpCost, nowSeconds: Double = MonotonicClock.preciseSeconds(),
                logger: Logger, listener: @escaping @Sendable () -> ListenerTotals,
                switchTo: @escaping @Sendable (TableSourceMode) throws(SystemError) -> Void) {
        self.policy = policy
        self.dumps = dumps
        self.listener = listener
        self.switchTo = switchTo
        self.logger = logger
        state = Mutex(State(window: Window(startSeconds: nowSeconds, listener: listener())))
    }

    /// The source in force.
    public var mode: TableSourceMode { state.withLock { $0.mode } }

    /// What each source cost per second at the latest decision; nil before the first.
    public var estimate: TableSourcePolicy.Estimate? { state.withLock { $0.estimate } }

    /// Counts a read for a scrape or `/hosts` and decides when the window has run its length.
    public func readFinished(nowSeconds: Double = MonotonicClock.preciseSeconds()) {
        let totals = listener()
        let decision = state.withLock { state -> (from: TableSourceMode, to: TableSourceMode, TableSourcePolicy.Measurements)? in
            state.window.reads += 1
            let seconds = nowSeconds - state.window.startSeconds
            guard seconds >= policy.windowSeconds, let dump = dumps.reading else { return nil }
            let start = state.window.listener
            let new = Double(totals.newEvents - start.newEvents)
            let events = totals.events - start.events
            if state.mode == .events, new > 0 { state.updatesPerNew = Double(totals.updateEvents - start.updateEvents) / new }
            let measured = TableSourcePolicy.Measurements(
                entries: dump.entries, dumpSecondsPerEntry: dump.secondsPerEntry, readsPerSecond: Double(state.window.reads) / seconds,
                lifecycleEventsPerSecond: (new + Double(totals.destroyEvents - start.destroyEvents)) / seconds,
                updatesPerNew: state.updatesPerNew ?? TableSourcePolicy.estimatedUpdatesPerNew,
                eventSeconds: events > 0 ? Double(totals.cpuNanoseconds - start.cpuNanoseconds) / 1e9 / Double(events) : Self.defaultEventSeconds,
                lossRebuildsPerSecond: Double(totals.lossRebuilds - start.lossRebuilds) / seconds)
            state.estimate = policy.estimate(measured)
            state.window = Window(startSeconds: nowSeconds, listener: totals)
            let from = state.mode
            state.mode = policy.choose(from, measured)
            return (from, state.mode, measured)
        }
        guard let (from, to, measured) = decision, from != to else { return }
        let cost = policy.estimate(measured)
        let why: Logger.Metadata = [
            "from": "\(from.rawValue)", "to": "\(to.rawValue)",
            "dump_cpu_per_second": "\(cost.dump)", "events_cpu_per_second": "\(cost.events)",
            "entries": "\(measured.entries)", "reads_per_second": "\(measured.readsPerSecond)",
            "connection_events_per_second": "\(measured.lifecycleEventsPerSecond)",
            "kernel_cpu_per_connection": "\(policy.kernelSecondsPerConnection)",
            "loss_rebuilds_per_second": "\(measured.lossRebuildsPerSecond)",
        ]
        do {
            try switchTo(to)
            logger.info("table source switched: the other source's estimated CPU is lower", metadata: why)
        } catch {
            state.withLock { $0.mode = from }
            logger.error("cannot switch the table source; keeping it", metadata: why.merging(["err": "\(error)"]) { $1 })
        }
    }
}
