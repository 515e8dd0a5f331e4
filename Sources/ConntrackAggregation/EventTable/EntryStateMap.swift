/// A hash map from an entry's key to its packed state, 12 bytes a slot: what a table kept
/// from events holds per conntrack entry, millions of them on a NAT gateway.
///
/// Open addressing with linear probing and backward-shift deletion (no tombstones, so a
/// table with churn does not fill up with them). Keys are already seeded hashes (see
/// ``KeptTable/key(of:)``), so their low bits pick the slot; 0 marks a free slot. At most
/// 80% full and at least 40% after growing: 15 to 30 bytes per entry.
struct EntryStateMap: Sendable {
    private var keys: [UInt64]
    private var values: [UInt32]
    private(set) var count = 0

    init(expectedCount: Int = 0) {
        var capacity = 16
        while capacity * 4 < expectedCount * 5 { capacity *= 2 }
        keys = Array(repeating: 0, count: capacity)
        values = Array(repeating: 0, count: capacity)
    }

    /// Bytes the slots take.
    var bytes: Int { keys.count * (MemoryLayout<UInt64>.stride + MemoryLayout<UInt32>.stride) }

    subscript(key: UInt64) -> UInt32? {
        let (index, found) = probe(key)
        return found ? values[index] : nil
    }

    /// Sets the value of `key`; returns the one it replaced.
    @discardableResult
    mutating func updateValue(_ value: UInt32, forKey key: UInt64) -> UInt32? {
        precondition(key != 0, "0 marks a free slot")
        if (count + 1) * 5 > keys.count * 4 { grow() }
        let (index, found) = probe(key)
        let old = found ? values[index] : nil
        if !found {
            keys[index] = key
            count += 1
        }
        values[index] = value
        return old
    }

    /// Removes `key`; returns its value.
    @discardableResult
    mutating func removeValue(forKey key: UInt64) -> UInt32? {
        var (hole, found) = probe(key)
        guard found else { return nil }
        let removed = values[hole]
        let mask = keys.count - 1
        // Shift back every following key of the run that would no longer be found past the hole.
        var index = (hole + 1) & mask
        while keys[index] != 0 {
            let home = Int(truncatingIfNeeded: keys[index]) & mask
            if (index - home) & mask >= (index - hole) & mask {
                keys[hole] = keys[index]
                values[hole] = values[index]
                hole = index
            }
            index = (index + 1) & mask
        }
        keys[hole] = 0
        count -= 1
        return removed
    }

    /// Calls `body` with every key and value, in no particular order.
    func forEach(_ body: (UInt64, UInt32) -> Void) {
        for index in keys.indices where keys[index] != 0 { body(keys[index], values[index]) }
    }

    private func probe(_ key: UInt64) -> (index: Int, found: Bool) {
        let mask = keys.count - 1
        var index = Int(truncatingIfNeeded: key) & mask
        while keys[index] != 0 {
            if keys[index] == key { return (index, true) }
            index = (index + 1) & mask
        }
        return (index, false)
    }

    private mutating func grow() {
        var grown = EntryStateMap(expectedCount: keys.count)
        forEach { grown.updateValue($1, forKey: $0) }
        self = grown
    }
}
