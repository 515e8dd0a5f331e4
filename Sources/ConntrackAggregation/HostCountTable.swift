import CLinux
import ConntrackModel

/// The per-host counts of one table read: an open-addressing hash table whose slots hold
/// key and counts together, so that an entry's slot can be prefetched before it is counted.
///
/// A dump streams tens of megabytes through the caches, so nearly every host lookup
/// misses them. Each connection is counted one call late, after the next one's slot was
/// asked for: the two misses overlap instead of queueing. At 10,000 hosts this took a third
/// off the scrape's user-space time.
struct HostCountTable: Sendable {
    private struct Slot: Sendable {
        var key: HostKey
        var counts: StateCounts
        var used: Bool
    }

    private let idleThreshold: UInt32
    /// Distinct hosts counted apart at most (0: any number); further hosts count under
    /// ``HostKey/other``, so a flood of new hosts cannot grow a read without bound.
    private let maxHosts: Int
    /// Whether a host was counted under ``HostKey/other`` for want of room (the one in flight aside).
    private var countedOver = false
    private var slots: [Slot]
    /// Each slot's traffic, at the slot's index; empty until a connection carries counters
    /// (accounting is off on most machines, and the slots stay small).
    private var traffic: [Traffic] = []
    private var usedSlots = 0
    /// The connection counted last and its host's hash: not in `slots` yet.
    private var inFlight: (connection: TrackedConnection, hash: Int)?

    /// Room for `expectedHosts` before the first growth; `idleThreshold` as in ``StateCounts``.
    init(expectedHosts: Int, idleThreshold: UInt32, maxHosts: Int = 0) {
        self.idleThreshold = idleThreshold
        self.maxHosts = maxHosts
        slots = Self.emptySlots(Self.capacity(for: maxHosts > 0 ? min(expectedHosts, maxHosts + 1) : expectedHosts))
    }

    /// Counts `connection` under its host.
    mutating func add(_ connection: TrackedConnection) {
        let hash = Self.hash(connection.host)
        slots.withUnsafeBufferPointer { clinux_prefetch_for_write($0.baseAddress! + (hash & ($0.count - 1))) }
        if let (previous, previousHash) = inFlight {
            let index = slotIndex(counting: previous.host, hash: previousHash)
            slots[index].counts.add(previous, idleThreshold: idleThreshold)
            if let counted = previous.traffic {
                if traffic.isEmpty { traffic = Array(repeating: .zero, count: slots.count) }
                traffic[index] += counted
            }
        }
        inFlight = (connection, hash)
    }

    /// Hosts with counts.
    var count: Int {
        guard let (host, hash) = inFlightHost else { return usedSlots }
        return usedSlots + (slotIndex(of: host, hash: hash) == nil ? 1 : 0)
    }

    /// Whether some host was counted under ``HostKey/other`` for want of room.
    var overflowed: Bool {
        countedOver || (inFlightHost?.key == .other && inFlight?.connection.host != .other)
    }

    /// The host the connection in flight counts under, and its hash.
    private var inFlightHost: (key: HostKey, hash: Int)? {
        guard let (connection, hash) = inFlight else { return nil }
        if maxHosts > 0, usedSlots >= maxHosts, connection.host != .other, slotIndex(of: connection.host, hash: hash) == nil {
            return (.other, Self.hash(.other))
        }
        return (connection.host, hash)
    }

    /// Every host with traffic and its traffic, in no particular order.
    var hostTraffic: [(key: HostKey, value: Traffic)] {
        var hosts: [(key: HostKey, value: Traffic)] = []
        for (index, slot) in slots.enumerated() where slot.used && !traffic.isEmpty && traffic[index] != .zero {
            hosts.append((slot.key, traffic[index]))
        }
        guard let (connection, _) = inFlight, let counted = connection.traffic, let (host, _) = inFlightHost else { return hosts }
        if let position = hosts.firstIndex(where: { $0.key == host }) {
            hosts[position].value += counted
        } else {
            hosts.append((host, counted))
        }
        return hosts
    }

    /// Every host and its counts, in no particular order.
    var hosts: [(key: HostKey, value: StateCounts)] {
        var hosts: [(key: HostKey, value: StateCounts)] = []
        hosts.reserveCapacity(usedSlots + 1)
        for slot in slots where slot.used { hosts.append((slot.key, slot.counts)) }
        guard let (connection, _) = inFlight, let (host, hash) = inFlightHost else { return hosts }
        if let index = slotIndex(of: host, hash: hash) {
            let position = slots[..<index].lazy.filter(\.used).count
            hosts[position].value.add(connection, idleThreshold: idleThreshold)
        } else {
            var counts = StateCounts()
            counts.add(connection, idleThreshold: idleThreshold)
            hosts.append((host, counts))
        }
        return hosts
    }

    // Seeded per process, as Swift's own dictionaries are: clients choose their addresses.
    private static func hash(_ key: HostKey) -> Int {
        var hasher = Hasher()
        key.hash(into: &hasher)
        return hasher.finalize()
    }

    /// The slot `key` counts in: its own, taken for it if there is room, else other's.
    private mutating func slotIndex(counting key: HostKey, hash: Int) -> Int {
        guard maxHosts > 0, usedSlots >= maxHosts, key != .other else { return slotIndex(inserting: key, hash: hash) }
        let (index, found) = probe(key, hash: hash)
        if found { return index }
        countedOver = true
        return slotIndex(inserting: .other, hash: Self.hash(.other))
    }

    /// The slot of `key`, taken for it (with no counts) if it has none.
    private mutating func slotIndex(inserting key: HostKey, hash: Int) -> Int {
        if (usedSlots + 1) * 5 > slots.count * 4 { grow() }
        let (index, found) = probe(key, hash: hash)
        if !found {
            slots[index] = Slot(key: key, counts: StateCounts(), used: true)
            usedSlots += 1
        }
        return index
    }

    private func slotIndex(of key: HostKey, hash: Int) -> Int? {
        let (index, found) = probe(key, hash: hash)
        return found ? index : nil
    }

    /// The slot holding `key`, or the free slot where it would go.
    private func probe(_ key: HostKey, hash: Int) -> (index: Int, found: Bool) {
        let mask = slots.count - 1
        var index = hash & mask
        while slots[index].used {
            if slots[index].key == key { return (index, true) }
            index = (index + 1) & mask
        }
        return (index, false)
    }

    private mutating func grow() {
        let old = slots
        let oldTraffic = traffic
        slots = Self.emptySlots(old.count * 2)
        traffic = oldTraffic.isEmpty ? [] : Array(repeating: .zero, count: slots.count)
        usedSlots = 0
        for (oldIndex, slot) in old.enumerated() where slot.used {
            let index = slotIndex(inserting: slot.key, hash: Self.hash(slot.key))
            slots[index].counts = slot.counts
            if !oldTraffic.isEmpty { traffic[index] = oldTraffic[oldIndex] }
        }
    }

    // At most 80% full, as dense as Swift's own dictionaries: every read allocates its
    // table afresh, and each page of it costs a fault.
    private static func capacity(for hosts: Int) -> Int {
        var capacity = 16
        while capacity * 4 < hosts * 5 { capacity *= 2 }
        return capacity
    }

    private static func emptySlots(_ capacity: Int) -> [Slot] {
        Array(repeating: Slot(key: .other, counts: StateCounts(), used: false), count: capacity)
    }
}
