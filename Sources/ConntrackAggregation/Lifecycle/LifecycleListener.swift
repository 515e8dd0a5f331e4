import ConntrackKernel
import ConntrackModel
import Glibc
import LinuxSystem
import Logging
import Synchronization

/// Receives conntrack events on a thread of its own and keeps ``LifecycleCounters``.
///
/// Per event it classifies the remote end, applies the ignore list and bumps counters
/// under a lock held for nanoseconds; scrapes read a copy. Local addresses are re-read
/// only when rtnetlink says they changed. When the kernel reports lost events (ENOBUFS),
/// the loss is counted and logged and the receive buffer grows, up to a cap. Hosts whose
/// counters have not moved for the host TTL are forgotten, checked a few times per TTL.
public final class LifecycleListener: Sendable {
    /// The receive buffer asked for at first (the kernel doubles it): holds a burst of
    /// tens of thousands of new connections, each event taking about 1 KiB of buffer.
    public static let initialBufferBytes = 16 << 20
    /// The pause after each drain of the socket: counters are at most this late.
    static let drainPauseMicroseconds: UInt32 = 10_000
    /// The most it grows to after overflows.
    public static let maxBufferBytes = 128 << 20

    /// The longest a drain of the socket runs before the thread goes back to its housekeeping
    /// (forgetting hosts, local addresses), however fast events come.
    static let drainBudget: Duration = .milliseconds(100)
    /// With the host cap reached, hosts unchanged this long are forgotten early (or after
    /// the host TTL, if shorter), making room for new hosts: a scan's one-off hosts do not
    /// hold the cap for a whole TTL.
    static let pressureTTL: Int64 = 300

    /// The listener thread's name, as /proc/PID/task/TID/comm shows it.
    public static let threadName = "ct-events"

    /// The counters, shared with the collectors and views that read them.
    public let store: LifecycleStore
    private let socket: UncheckedBox<ConntrackEventSocket>
    private let monitor: UncheckedBox<AddressMonitor>
    private let ignore: IgnoreList
    private let mode: HostLabelMode
    private let log: EventLog?
    private let logger: Logger
    /// Seconds without a change after which a host's counters are dropped; 0 keeps them.
    private let hostTTL: Int64
    /// The table kept from events, with the reads that rebuild it; nil in dump mode.
    private let kept: KeptTableFeed?
    /// Whether closed connections are timed from their start to their first FIN or RST, from
    /// UPDATE events (subscribed to in every mode then).
    public let timesDurations: Bool
    /// The listener thread's CPU time, taken after each drain of the socket.
    private let cpu = Atomic<UInt64>(0)

    /// What the listener needs to keep an ``EventTable``: the table, the reads that rebuild it
    /// (on a socket of their own) and the seconds between checks.
    public struct KeptTableFeed: Sendable {
        public let table: EventTable
        public let rebuilds: UncheckedTableSource
        public let checkInterval: Int64

        public init(table: EventTable, rebuilds: any TableSource, checkInterval: Int64) {
            self.table = table
            self.rebuilds = UncheckedTableSource(rebuilds)
            self.checkInterval = checkInterval
        }
    }

    /// The rebuild thread's name.
    public static let rebuildThreadName = "ct-rebuild"

    /// Subscribes to events now: call before the first table read, so no connection
    /// the table shows can end without its DESTROY being seen.
    /// With `kept`, UPDATE events are subscribed to as well and the table is kept from them,
    /// unless the table is not active yet (``keepTable(_:)`` starts it).
    /// `store` holds the counters it keeps (made beforehand, so table readers can refer to it).
    /// With `timesDurations` (the kernel stamps entries: `nf_conntrack_timestamp=1`), UPDATE
    /// events are subscribed to whatever the table source, for when each connection began to close.
    public init(ignore: IgnoreList, mode: HostLabelMode, hostTTL: Int64, store: LifecycleStore = LifecycleStore(LifecycleCounters()),
                log: EventLog?, kept: KeptTableFeed? = nil, timesDurations: Bool = false, logger: Logger) throws(SystemError) {
        self.store = store
        self.hostTTL = hostTTL
        self.kept = kept
        self.timesDurations = timesDurations
        socket = UncheckedBox(try ConntrackEventSocket(bufferBytes: Self.initialBufferBytes,
                                                       updates: timesDurations || kept?.table.isActive == true))
        monitor = UncheckedBox(try AddressMonitor())
        self.ignore = ignore
        self.mode = mode
        self.log = log
        self.logger = logger
    }

    /// A copy of the counters as they are now.
    public var snapshot: LifecycleCounters {
        store.snapshot
    }

    /// Messages its socket dropped because another process, not the kernel, sent them.
    public var rejectedMessages: UInt64 { socket.value.rejectedMessages }

    /// The listener's totals, for ``TableSourceChooser``.
    public var totals: TableSourceChooser.ListenerTotals {
        let cpuNanoseconds = cpu.load(ordering: .relaxed)
        let lossRebuilds = kept?.table.health.rebuilds[.loss] ?? 0
        return store.withCounters { counters in
            TableSourceChooser.ListenerTotals(cpuNanoseconds: cpuNanoseconds, newEvents: counters.newEvents,
                                              destroyEvents: counters.destroyEvents, updateEvents: counters.updateEvents,
                                              lossRebuilds: lossRebuilds)
        }
    }

    /// Starts keeping the table from events (UPDATE subscribed, then a rebuild) or stops
    /// (UPDATE left, the table's memory handed back), for `--table.source=auto`.
    public func keepTable(_ on: Bool) throws(SystemError) {
        guard let kept, on != kept.table.isActive else { return }
        // Subscribed before the rebuild's dump starts: every change after the dump's walk comes as an event.
        // Durations keep them in any case.
        if !timesDurations { try socket.value.receiveUpdates(on) }
        if on {
            kept.table.activate()
            try startRebuild(.start)
        } else {
            kept.table.deactivate()
        }
    }

    /// Events the kernel dropped for the listener's socket (exact, unlike the overflow episodes).
    public func lostEvents() throws(SystemError) -> UInt64 {
        try socket.value.lostEvents()
    }

    /// Starts handling events on a new thread (and the kept table's first dump on another).
    public func start() throws(SystemError) {
        let labeler = HostLabeler(local: try LocalAddresses.read(), ignore: ignore, mode: mode)
        logger.debug("listening for conntrack events", metadata: ["buffer_bytes": "\(socket.value.bufferBytes)"])
        if kept?.table.isActive == true { try startRebuild(.start) }
        try startDetachedThread(name: Self.threadName) { [self] in run(labeler: labeler) }
    }

    /// Starts a rebuild of the kept table unless one runs; false when one runs.
    private func startRebuild(_ reason: EventTable.RebuildReason) throws(SystemError) {
        guard let kept, kept.table.beginRebuild() else { return }
        logger.debug("rebuilding the table kept from events", metadata: ["reason": "\(reason.rawValue)"])
        try startDetachedThread(name: Self.rebuildThreadName) { [logger] in
            do {
                try kept.table.rebuild(reading: kept.rebuilds.source, reason: reason)
            } catch {
                logger.error("rebuilding the table kept from events failed; retrying at the next check",
                             metadata: ["reason": "\(reason.rawValue)", "err": "\(error)"])
            }
        }
    }

    private func run(labeler initial: HostLabeler) {
        var labeler = initial
        // A rebuild that could not start yet (one was running) or is due.
        var wantedRebuild: EventTable.RebuildReason?
        var lastCheck = MonotonicClock.seconds()
        let socket = socket.value
        var fds = [pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: monitor.value.fd, events: Int16(POLLIN), revents: 0)]
        // Forgetting is checked every quarter of the TTL, and at least once a minute: a host
        // goes at most that late, even when no event wakes the thread.
        let forgetInterval = hostTTL > 0 ? min(max(hostTTL / 4, 1), 60) : 0
        var lastForget = MonotonicClock.seconds()
        var closeTimes = CloseTimes()
        var lastStaleDrop = MonotonicClock.seconds()
        while true {
            var timeout = forgetInterval > 0 ? Int32(forgetInterval * 1000) : -1
            if let kept { timeout = min(timeout < 0 ? Int32.max : timeout, wantedRebuild != nil ? 100 : Int32(kept.checkInterval * 1000)) }
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            let now = MonotonicClock.seconds()
            if let kept, now - lastCheck >= kept.checkInterval {
                if kept.table.isActive { wantedRebuild = wantedRebuild ?? .check }
                lastCheck = now
            }
            if forgetInterval > 0, now - lastForget >= forgetInterval {
                let forgotten = store.withCounters { counters in
                    counters.forgetHosts(unchangedSince: now - (counters.isAtCap ? min(hostTTL, Self.pressureTTL) : hostTTL))
                }
                if forgotten > 0 {
                    // The freed dictionaries go back to the kernel, not just to malloc.
                    HeapPolicy.releaseFreeMemory()
                }
                lastForget = now
            }
            if timesDurations, now - lastStaleDrop >= 60 {
                closeTimes.dropStale(now: ConnectionClassifier.realTimeNanoseconds())
                lastStaleDrop = now
            }
            if ready > 0 && fds[1].revents != 0 && monitor.value.drain() {
                do {
                    labeler = HostLabeler(local: try LocalAddresses.read(), ignore: ignore, mode: mode)
                } catch {
                    logger.warning("cannot re-read local addresses", metadata: ["err": "\(error)"])
                }
            }
            var drained = true
            if ready > 0 && fds[0].revents != 0 {
                do {
                    drained = try drain(socket, labeler: labeler, closeTimes: &closeTimes, at: now)
                } catch where error.errno == ENOBUFS {
                    handleOverflow(socket)
                    // What the lost events changed is unknown: only a new dump tells.
                    if kept?.table.isActive == true { wantedRebuild = .loss }
                    drained = false
                } catch {
                    logger.error("receiving conntrack events failed", metadata: ["err": "\(error)"])
                }
                cpu.store(ThreadCPUTime.nanoseconds(), ordering: .relaxed)
                // Let events gather in the kernel's buffer before the next drain: under churn, one
                // wake-up then handles hundreds of events, where a wake-up per event costs more
                // than handling it. The buffer holds far more than a pause's worth.
                usleep(Self.drainPauseMicroseconds)
            }
            // A rebuild starts with the socket emptied: until then the kernel drops events without
            // a new ENOBUFS (the socket stays congested), and the dump must start after every drop.
            // And once the last rebuild's pause is over: a flood that overflows the socket again
            // and again gets a dump a quarter of the time at most, not one after another.
            if let reason = wantedRebuild, drained, kept?.table.isRebuilding == false, kept?.table.mayStartRebuild() == true {
                do {
                    // Not kept any more (auto chose dumps): nothing to rebuild.
                    if kept?.table.isActive == true { try startRebuild(reason) }
                    wantedRebuild = nil
                } catch {
                    logger.error("cannot start a rebuild of the table kept from events", metadata: ["err": "\(error)"])
                }
            }
        }
    }

    /// Handles queued events for up to ``drainBudget``; true when the socket was emptied.
    private func drain(_ socket: ConntrackEventSocket, labeler: HostLabeler, closeTimes: inout CloseTimes,
                       at now: Int64) throws(SystemError) -> Bool {
        let drainEnd = ContinuousClock.now + Self.drainBudget
        while ContinuousClock.now < drainEnd {
            if try socket.receive({ handle($0, labeler: labeler, closeTimes: &closeTimes, at: now) }) == 0 { return true }
        }
        return false
    }

    private func handle(_ entry: ConntrackEntry, labeler: HostLabeler, closeTimes: inout CloseTimes, at now: Int64) {
        let classified = labeler.classify(entry)
        kept?.table.apply(entry, classified: classified)
        guard entry.message != .update else {
            // The clock is read as the event is handled, after the system call that brought it (one
            // receive makes several): never before the event happened, at most the drain pause late.
            if timesDurations, entry.tcpState?.isClosing == true, let id = entry.id {
                closeTimes.recordClose(of: id, at: ConnectionClassifier.realTimeNanoseconds())
            }
            store.withCounters { $0.countEvent(entry.message) }
            return
        }
        let counted = classified?.host
        let outcome = entry.message == .destroy ? ConnectionOutcome(finalState: entry.tcpState, sawReply: entry.sawReply) : nil
        // From the first packet to the first FIN or the RST, never the kernel's linger after it. An
        // entry removed before it expired (its DESTROY carries the time left: an RST answering the
        // SYN, a deletion) closed as its DESTROY came.
        let closed = outcome == nil || !timesDurations ? nil
            : entry.id.flatMap { closeTimes.takeClose(of: $0) } ?? (entry.timeoutSeconds != nil ? ConnectionClassifier.realTimeNanoseconds() : nil)
        var duration: Double?
        if let start = entry.startNanoseconds, let closed, closed >= start { duration = Double(closed - start) / 1e9 }
        let traffic = classified.flatMap { Traffic(of: entry, direction: $0.direction) }
        // A destination-NATed connection's reply came from the backend it reached.
        let backend = outcome != nil && entry.isDestinationNAT
            ? entry.reply.map { RemoteEndpoint(address: $0.source, port: $0.sourcePort) } : nil
        store.withCounters { counters in
            counters.countEvent(entry.message)
            guard let counted, entry.isTCP else { return }
            if let outcome {
                counters.recordClosed(counted, outcome: outcome, durationSeconds: duration, timed: timesDurations,
                                      traffic: traffic, at: now)
                if let backend { counters.recordBackendClosed(counted, backend: backend, outcome: outcome) }
            } else {
                counters.recordOpened(counted, at: now)
            }
        }
        if let log, let counted, entry.isTCP { log.write(entry, host: counted, outcome: outcome, duration: duration) }
    }

    private func handleOverflow(_ socket: ConntrackEventSocket) {
        store.withCounters { $0.countOverflow() }
        let granted = socket.bufferBytes
        // The kernel reports twice what was asked: ask for the granted size to double it.
        let requested = min(granted, Self.maxBufferBytes)
        if requested * 2 > granted {
            try? socket.requestBuffer(bytes: requested)
        }
        logger.warning("conntrack events were lost: the receive buffer overflowed", metadata: [
            "buffer_bytes": "\(socket.bufferBytes)",
            "note": kept == nil ? "opened/closed counters missed some connections; the gauges are unaffected (each scrape reads the table)"
                : "opened/closed counters missed some connections; the table kept from events is rebuilt from a dump",
        ])
    }
}

/// A table source used by one rebuild at a time (``EventTable/beginRebuild()`` ensures it).
public struct UncheckedTableSource: @unchecked Sendable {
    let source: any TableSource
    init(_ source: any TableSource) { self.source = source }
}

/// Holds a non-Sendable object that only the listener thread uses after start.
private struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
