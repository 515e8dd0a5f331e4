import ConntrackKernel
import ConntrackModel

/// The conntrack table as events keep it: each entry's host, TCP state and closing side,
/// packed in 4 bytes under a 64-bit key, and each host's ``StateCounts`` moved as entries
/// change state. What a scrape in events mode serves instead of a dump.
struct KeptTable: Sendable {
    /// What one entry is counted as.
    struct EntryState: Equatable, Sendable {
        let host: HostKey
        let tcpState: TCPState
        let closedBy: ClosingSide?

        /// `tcpState` is kept as ``kept(_:)`` says.
        init(host: HostKey, tcpState: TCPState, closedBy: ClosingSide?) {
            self.host = host
            self.tcpState = Self.kept(tcpState)
            self.closedBy = closedBy
        }

        /// The state kept for an entry in `state`, from an event or a dump alike: the event
        /// socket drops UPDATE events into SYN_RECV, CLOSE_WAIT and LAST_ACK (see
        /// `cct_events_open`), which the kernel reaches from a state counted the same.
        static func kept(_ state: TCPState) -> TCPState {
            switch state {
            case .synReceived: .synSent
            case .closeWait, .lastAck: .finWait
            default: state
            }
        }

        init(_ connection: TrackedConnection) {
            self.init(host: connection.host, tcpState: connection.tcpState, closedBy: connection.closedBy)
        }

        /// The state of an event's entry in `tcpState`, as ``ConnectionClassifier`` would count
        /// it without what events leave out (idle time, age, traffic); nil when not counted.
        init?(_ entry: ConntrackEntry, tcpState: TCPState, classified: (host: HostKey, direction: ConnectionDirection)?) {
            guard let classified, let state = ConnectionState(tcpState) else { return nil }
            self.init(host: classified.host, tcpState: tcpState,
                      closedBy: state == .closing ? ClosingSide(of: entry, direction: classified.direction) : nil)
        }
    }

    /// Host indexes fit in the 24 bits above the state and side.
    static let maxHostSlots = 1 << 24

    private var entries: EntryStateMap
    private var hostIndexes: [HostKey: UInt32] = [:]
    private var hostKeys: [HostKey] = []
    private var hostCounts: [StateCounts] = []
    /// Indexes of hosts whose last connection went, for the next new host.
    private var freeHosts: [UInt32] = []
    /// Hosts counted apart at most (0: any number); further hosts count under ``HostKey/other``.
    private let maxHosts: Int
    /// The NAT families, moved with the entries.
    private(set) var translations: KeptTranslations
    /// When ages are kept (the kernel stamps entries): each opening or open entry's start, in
    /// seconds since ``startsEpoch``, with ``openBit`` set while it is open. Closing entries
    /// have no age to show and are not kept here.
    private var starts: EntryStateMap?
    /// 2020-01-01: a start in 31 bits lasts until 2088.
    static let startsEpoch: UInt64 = 1_577_836_800
    private static let openBit: UInt32 = 1 << 31

    /// With `keepsAges`, each entry's start is kept too (15 to 23 bytes more per entry).
    init(expectedEntries: Int = 0, maxHosts: Int = 0, keepsAges: Bool = false) {
        entries = EntryStateMap(expectedCount: expectedEntries)
        self.maxHosts = maxHosts > 0 ? min(maxHosts, Self.maxHostSlots - 1) : Self.maxHostSlots - 1
        translations = KeptTranslations(maxPairs: maxHosts)
        starts = keepsAges ? EntryStateMap(expectedCount: expectedEntries) : nil
    }

    /// Entries kept.
    var count: Int { entries.count }

    /// Bytes the entries' slots take, their starts' included (the hosts aside).
    var entryBytes: Int { entries.bytes + (starts?.bytes ?? 0) }

    /// The key of `entry`: its kernel id and original tuple hashed together with the process's
    /// seed. The id alone (32 bits) repeats among a few million entries; the pair does not.
    static func key(of entry: ConntrackEntry) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(entry.id ?? 0)
        hasher.combine(entry.source?.high ?? 0)
        hasher.combine(entry.source?.low ?? 0)
        hasher.combine(entry.destination?.high ?? 0)
        hasher.combine(entry.destination?.low ?? 0)
        hasher.combine(UInt32(entry.sourcePort) << 16 | UInt32(entry.destinationPort))
        let key = UInt64(bitPattern: Int64(hasher.finalize()))
        return key == 0 ? 1 : key
    }

    /// Sizes the entries' slots for the entries kept now, after a rebuild's dump filled them.
    mutating func fit() {
        entries.fit()
    }

    /// The state of the entry under `key`, nil when none is kept.
    subscript(key: UInt64) -> EntryState? {
        entries[key].map(decode)
    }

    /// Keeps `state` for the entry under `key` (nil: the entry is gone, or no longer counted),
    /// translated as `translation` says and started at `startNanoseconds` (real time; nil:
    /// unchanged), both from the same event or dump entry.
    mutating func set(_ key: UInt64, to state: EntryState?, translation: KeptTranslations.Translation? = nil,
                      startNanoseconds: UInt64? = nil) {
        if starts != nil { keepStart(key, state: state, startNanoseconds: startNanoseconds) }
        var old: UInt32?
        var new: EntryState?
        if let state {
            let index = hostIndex(for: state.host)
            hostCounts[Int(index)].count(state.tcpState, closedBy: state.closedBy, adding: true)
            let packed = Self.pack(state, host: index)
            new = translation == nil ? nil : decode(packed)
            old = entries.updateValue(packed, forKey: key)
        } else {
            old = entries.removeValue(forKey: key)
        }
        // Read before the old value's host may be freed.
        if let translation, old != nil || new != nil { translations.move(translation, from: old.map(decode), to: new) }
        if let old { uncount(old) }
    }

    private mutating func keepStart(_ key: UInt64, state: EntryState?, startNanoseconds: UInt64?) {
        guard let state, let counted = ConnectionState(state.tcpState), counted == .opening || counted == .open else {
            starts!.removeValue(forKey: key)
            return
        }
        let seconds = startNanoseconds.map { UInt32(clamping: ($0 / 1_000_000_000) &- Self.startsEpoch) & ~Self.openBit }
            ?? starts![key].map { $0 & ~Self.openBit }
        guard let seconds else { return }
        starts!.updateValue(counted == .open ? seconds | Self.openBit : seconds, forKey: key)
    }

    /// The age of every open entry whose start is kept, at `nowNanoseconds`; nil when ages are not kept.
    func ages(nowNanoseconds: UInt64) -> Histogram? {
        guard let starts else { return nil }
        var ages = Histogram(upperBounds: LifecycleCounters.durationBounds)
        let now = nowNanoseconds / 1_000_000_000 &- Self.startsEpoch
        starts.forEach { _, value in
            guard value & Self.openBit != 0 else { return }
            let start = UInt64(value & ~Self.openBit)
            ages.observe(Double(now > start ? now - start : 0))
        }
        return ages
    }

    /// Every host with connections and its counts, in no particular order.
    var hosts: [(key: HostKey, value: StateCounts)] {
        var hosts: [(key: HostKey, value: StateCounts)] = []
        hosts.reserveCapacity(hostIndexes.count)
        for index in hostIndexes.values { hosts.append((hostKeys[Int(index)], hostCounts[Int(index)])) }
        return hosts
    }

    /// Entries kept differently here and in `other` (present in one only, or with another
    /// state): what a rebuild corrected.
    func differences(from other: KeptTable) -> Int {
        var differing = 0
        var shared = 0
        entries.forEach { key, value in
            guard let theirs = other.entries[key] else {
                differing += 1
                return
            }
            shared += 1
            // The packed state and side, and the host by key: the tables number hosts apart.
            if Self.stateAndSide(of: value) != Self.stateAndSide(of: theirs)
                || hostKeys[Self.hostIndex(of: value)] != other.hostKeys[Self.hostIndex(of: theirs)] { differing += 1 }
        }
        return differing + (other.count - shared)
    }

    private func decode(_ value: UInt32) -> EntryState {
        let side = (value >> 4) & 3
        return EntryState(host: hostKeys[Self.hostIndex(of: value)], tcpState: TCPState(rawValue: UInt8(value & 0xf)) ?? .none,
                          closedBy: side == 0 ? nil : ClosingSide(rawValue: Int(side) - 1))
    }

    private static func pack(_ state: EntryState, host: UInt32) -> UInt32 {
        host << 8 | UInt32(state.closedBy.map { $0.rawValue + 1 } ?? 0) << 4 | UInt32(state.tcpState.rawValue)
    }

    /// The host index a packed value holds (its upper 24 bits).
    private static func hostIndex(of value: UInt32) -> Int { Int(value >> 8) }

    /// The state and closing side a packed value holds (its low 8 bits).
    private static func stateAndSide(of value: UInt32) -> UInt32 { value & 0xff }

    private mutating func uncount(_ value: UInt32) {
        let old = decode(value)
        let index = Self.hostIndex(of: value)
        hostCounts[index].count(old.tcpState, closedBy: old.closedBy, adding: false)
        if hostCounts[index].total == 0 {
            hostIndexes[old.host] = nil
            freeHosts.append(UInt32(index))
        }
    }

    private mutating func hostIndex(for host: HostKey) -> UInt32 {
        if let index = hostIndexes[host] { return index }
        if hostIndexes.count >= maxHosts, host != .other { return hostIndex(for: .other) }
        let index: UInt32
        if let free = freeHosts.popLast() {
            index = free
            hostKeys[Int(index)] = host
            hostCounts[Int(index)] = StateCounts()
        } else {
            index = UInt32(hostKeys.count)
            hostKeys.append(host)
            hostCounts.append(StateCounts())
        }
        hostIndexes[host] = index
        return index
    }
}
