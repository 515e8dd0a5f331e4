import ConntrackKernel
import ConntrackModel
import LinuxSystem
import Synchronization

/// The conntrack table kept from NEW, UPDATE and DESTROY events (`--table.source=events`),
/// rebuilt from a dump at start, after any loss of events and at each check.
///
/// The listener thread applies every event. A rebuild dumps on a thread of its own while
/// events go on being applied and, from the moment the rebuild starts, also recorded; when
/// the dump ends the recorded events are replayed onto it in order. Each event carries its
/// entry's whole new state, so the replayed table ends where the kernel's is, however the
/// dump and the events raced. The entries the rebuilt table holds differently from the kept
/// one are counted as corrections: none without a loss of events (or a dump that missed an
/// entry, which the kernel allows on a changing table).
///
/// Each rebuild's dump is also a full table read: the idle times, ages, traffic and UDP
/// translations that TCP events do not carry come from the latest one (``details``).
public final class EventTable: Sendable {
    /// Why the table was rebuilt, as `conntrack_exporter_table_rebuilds_total{reason}` says.
    public enum RebuildReason: String, Sendable, CaseIterable {
        /// The first dump, after subscribing.
        case start
        /// Events were lost (the receive buffer overflowed).
        case loss
        /// The periodic check (`--table.check-interval`).
        case check
    }

    /// An event recorded while a rebuild's dump runs.
    private struct RecordedEvent: Sendable {
        let key: UInt64
        let state: KeptTable.EntryState?
        let translation: KeptTranslations.Translation?
        let startNanoseconds: UInt64?
    }

    private struct State: Sendable {
        var kept: KeptTable
        /// Events since the running rebuild started; nil when none runs.
        var recorded: [RecordedEvent]?
        var details: TableRead?
        var corrections: UInt64 = 0
        var rebuilds: [RebuildReason: UInt64] = [:]
        var lastRebuildFailed = false
        /// Monotonic seconds before which the next rebuild waits (``rebuildPause``).
        var nextRebuildSeconds = 0.0
    }

    /// After a rebuild, the next waits this many times its duration: under lost events again
    /// and again (a flood), dumps then take a quarter of the time at most, as the reads'
    /// pacing keeps them, instead of one after another.
    static let rebuildPause = 3.0

    private let state: Mutex<State>
    private let maxHosts: Int
    /// Whether each entry's start is kept, for the open connections' ages.
    private let keepsAges: Bool
    /// Whether the table is kept at all: `--table.source=auto` keeps it only while events cost less than dumps.
    private let active: Atomic<Bool>

    /// `maxHosts` as ``TableReader``'s: hosts counted apart at most, 0 for any number.
    /// Not `active`, it ignores events until ``activate()``. With `keepsAges` (the kernel stamps
    /// entries) the open connections' ages are kept from events too.
    public init(maxHosts: Int, active: Bool = true, keepsAges: Bool = false) {
        self.maxHosts = maxHosts
        self.keepsAges = keepsAges
        self.active = Atomic(active)
        state = Mutex(State(kept: KeptTable(maxHosts: maxHosts, keepsAges: keepsAges)))
    }

    /// Whether events are applied and rebuilds kept.
    public var isActive: Bool { active.load(ordering: .relaxed) }

    /// Starts applying events; reads come from the table once the next rebuild ends.
    public func activate() {
        active.store(true, ordering: .relaxed)
    }

    /// Stops keeping the table and hands its memory back: reads get nil (dumps) until it is
    /// activated and rebuilt again. A rebuild running meanwhile is discarded when it ends.
    public func deactivate() {
        // Under the lock that ``apply(_:classifier:)`` checks it in: no event lands after the emptying.
        state.withLock { state in
            active.store(false, ordering: .relaxed)
            state.kept = KeptTable(maxHosts: maxHosts, keepsAges: keepsAges)
            state.details = nil
        }
        HeapPolicy.releaseFreeMemory()
    }

    /// Applies one event; `classified` is its host and direction as ``HostLabeler`` gives them
    /// (nil: the entry is not, or no longer, counted).
    public func apply(_ entry: ConntrackEntry, classified: (host: HostKey, direction: ConnectionDirection)?) {
        guard entry.isTCP, isActive else { return }
        let update: KeptTable.EntryState?
        if entry.message == .destroy {
            update = nil
        } else if let tcpState = entry.tcpState {
            update = KeptTable.EntryState(entry, tcpState: tcpState, classified: classified)
        } else {
            return  // a status change without the state: nothing to move
        }
        let key = KeptTable.key(of: entry)
        let translation = KeptTranslations.Translation(entry)
        // A NEW event starts its entry now, unless it carries the kernel's stamp.
        let start = keepsAges && entry.message == .new ? entry.startNanoseconds ?? ConnectionClassifier.realTimeNanoseconds() : nil
        state.withLock { state in
            // Checked again under the lock: deactivated meanwhile, the table was emptied.
            guard isActive else { return }
            state.kept.set(key, to: update, translation: translation, startNanoseconds: start)
            state.recorded?.append(RecordedEvent(key: key, state: update, translation: translation, startNanoseconds: start))
        }
    }

    /// Whether a rebuild is running.
    public var isRebuilding: Bool { state.withLock { $0.recorded != nil } }

    /// Starts recording events for a rebuild; false when one already runs. Call on the thread
    /// that applies events, before the rebuild's dump starts.
    public func beginRebuild() -> Bool {
        state.withLock { state in
            guard state.recorded == nil else { return false }
            state.recorded = []
            return true
        }
    }

    /// Whether the pause after the latest rebuild (``rebuildPause`` times its duration) is over.
    public func mayStartRebuild(nowSeconds: Double = MonotonicClock.preciseSeconds()) -> Bool {
        state.withLock { nowSeconds >= $0.nextRebuildSeconds }
    }

    /// Dumps the table through `reader` and replaces the kept table with the dump and the
    /// events recorded since ``beginRebuild()``. Runs on the rebuild's own thread.
    public func rebuild(reading reader: any TableSource, reason: RebuildReason) throws(SystemError) {
        let startSeconds = MonotonicClock.preciseSeconds()
        defer {
            let end = MonotonicClock.preciseSeconds()
            state.withLock { $0.nextRebuildSeconds = end + Self.rebuildPause * (end - startSeconds) }
        }
        let builder = KeptTableBuilder(maxHosts: maxHosts, expectedEntries: state.withLock { $0.kept.count }, keepsAges: keepsAges)
        let read: TableRead
        do {
            read = try reader.read(observers: [builder])
        } catch {
            state.withLock { state in
                state.recorded = nil
                state.lastRebuildFailed = true
            }
            throw error
        }
        var rebuilt = builder.table
        rebuilt.fit()
        state.withLock { state in
            // Deactivated while the dump ran: the events it missed were never recorded.
            guard isActive else { return state.recorded = nil }
            for event in state.recorded ?? [] {
                rebuilt.set(event.key, to: event.state, translation: event.translation, startNanoseconds: event.startNanoseconds)
            }
            if reason != .start { state.corrections += UInt64(rebuilt.differences(from: state.kept)) }
            state.kept = rebuilt
            state.recorded = nil
            state.details = read
            state.rebuilds[reason, default: 0] += 1
            state.lastRebuildFailed = false
        }
        // The replaced table's arrays (megabytes on a large table) go back to the kernel, not just to malloc.
        HeapPolicy.releaseFreeMemory()
    }

    /// The kept table's counts per host, its TCP translations and (when kept) the open
    /// connections' ages, with what only a dump carries (idle counts and times, traffic, UDP
    /// translations) from the latest rebuild's read; nil before the first.
    public func read(nowNanoseconds: UInt64) -> TableRead? {
        let (hosts, translations, ages, details) = state.withLock {
            ($0.kept.hosts, $0.kept.translations, $0.kept.ages(nowNanoseconds: nowNanoseconds), $0.details)
        }
        guard let details else { return nil }
        return TableRead(table: details.table.replacingCounts(with: hosts, ages: ages, nowNanoseconds: nowNanoseconds),
                         tcpEntries: details.tcpEntries, otherProtocolEntries: details.otherProtocolEntries,
                         nat: details.nat?.replacingTCP(with: translations), detailsNanoseconds: details.table.classifier.nowNanoseconds,
                         closedTraffic: details.closedTraffic)
    }

    /// What the collectors expose of the table itself.
    public struct Health: Sendable {
        public let entries: Int
        public let entryBytes: Int
        public let corrections: UInt64
        public let rebuilds: [RebuildReason: UInt64]
        public let lastRebuildFailed: Bool
    }

    public var health: Health {
        state.withLock { state in
            Health(entries: state.kept.count, entryBytes: state.kept.entryBytes, corrections: state.corrections,
                   rebuilds: state.rebuilds, lastRebuildFailed: state.lastRebuildFailed)
        }
    }

    /// The state `entry` is kept in, for tests.
    func kept(_ entry: ConntrackEntry) -> KeptTable.EntryState? {
        state.withLock { $0.kept[KeptTable.key(of: entry)] }
    }
}

/// Collects a rebuild's dump into a fresh ``KeptTable``, on the reading thread.
private final class KeptTableBuilder: ConnectionObserver, @unchecked Sendable {
    // Touched by the reading thread only, during the read.
    var table: KeptTable

    init(maxHosts: Int, expectedEntries: Int, keepsAges: Bool) {
        table = KeptTable(expectedEntries: expectedEntries, maxHosts: maxHosts, keepsAges: keepsAges)
    }

    func observe(_ connection: TrackedConnection, entry: ConntrackEntry) {
        table.set(KeptTable.key(of: entry), to: KeptTable.EntryState(connection), translation: KeptTranslations.Translation(entry),
                  startNanoseconds: entry.startNanoseconds)
    }
}
