/// A hash map from an entry's key to its packed state, 12 bytes a slot: what a table kept
/// from events holds per conntrack entry, millions of them on a NAT gateway.
///
/// Open addressing with linear probing and backward-shift deletion (no tombstones, so a
/// table with churn does not fill up with them). A slot's key and value sit side by side,
/// one cache miss per lookup on a table far larger than the caches. Keys are already seeded
/// hashes (see ``KeptTable/key(of:)``): the high bits, scaled to the capacity, pick the slot,
/// so the capacity need not be a power of two; 0 marks a free slot. At most 80% full, about
/// 67% after ``fit()`` and at least 53% after growing: 15 to 23 bytes per entry.
struct EntryStateMap: Sendable {
    /// Three words a slot: the key's high half, its low half, the value.
    private var words: [UInt32]
    private var capacity: Int
    private(set) var count = 0

    init(expectedCount: Int = 0) {
        self.init(capacity: expectedCount * 3 / 2)
    }

    private init(capacity: Int) {
        self.capacity = max(16, capacity)
        words = Array(repeating: 0, count: self.capacity * 3)
    }

    /// Bytes the slots take.
    var bytes: Int { words.count * MemoryLayout<UInt32>.stride }

    subscript(key: UInt64) -> UInt32? {
        let (slot, found) = probe(key)
        return found ? words[slot * 3 + 2] : nil
    }

    /// Sets the value of `key`; returns the one it replaced.
    @discardableResult
    mutating func updateValue(_ value: UInt32, forKey key: UInt64) -> UInt32? {
        precondition(key != 0, "0 marks a free slot")
        if (count + 1) * 5 > capacity * 4 { resize(to: capacity * 3 / 2) }
        let (slot, found) = probe(key)
        let old = found ? words[slot * 3 + 2] : nil
        if !found {
            words[slot * 3] = UInt32(truncatingIfNeeded: key >> 32)
            words[slot * 3 + 1] = UInt32(truncatingIfNeeded: key)
            count += 1
        }
        words[slot * 3 + 2] = value
        return old
    }

    /// Removes `key`; returns its value.
    @discardableResult
    mutating func removeValue(forKey key: UInt64) -> UInt32? {
        var (hole, found) = probe(key)
        guard found else { return nil }
        let removed = words[hole * 3 + 2]
        // Shift back every following key of the run that would no longer be found past the hole.
        var slot = next(hole)
        while case let moved = self.key(at: slot), moved != 0 {
            if distance(from: home(of: moved), to: slot) >= distance(from: hole, to: slot) {
                for word in 0..<3 { words[hole * 3 + word] = words[slot * 3 + word] }
                hole = slot
            }
            slot = next(slot)
        }
        for word in 0..<3 { words[hole * 3 + word] = 0 }
        count -= 1
        return removed
    }

    /// Sizes the slots for the entries held now (about 67% full), after a rebuild filled the
    /// map by growing it.
    mutating func fit() {
        let fitted = count * 3 / 2
        if fitted * 10 < capacity * 9 || fitted * 10 > capacity * 11 { resize(to: fitted) }
    }

    /// Calls `body` with every key and value, in no particular order.
    func forEach(_ body: (UInt64, UInt32) -> Void) {
        for slot in 0..<capacity {
            let key = key(at: slot)
            if key != 0 { body(key, words[slot * 3 + 2]) }
        }
    }

    private func key(at slot: Int) -> UInt64 {
        UInt64(words[slot * 3]) << 32 | UInt64(words[slot * 3 + 1])
    }

    private func home(of key: UInt64) -> Int {
        Int(truncatingIfNeeded: key.multipliedFullWidth(by: UInt64(capacity)).high)
    }

    private func next(_ slot: Int) -> Int {
        slot + 1 == capacity ? 0 : slot + 1
    }

    /// Steps from `start` forward to `end`, wrapping at the end of the slots.
    private func distance(from start: Int, to end: Int) -> Int {
        end >= start ? end - start : end + capacity - start
    }

    private func probe(_ key: UInt64) -> (slot: Int, found: Bool) {
        var slot = home(of: key)
        while case let held = self.key(at: slot), held != 0 {
            if held == key { return (slot, true) }
            slot = next(slot)
        }
        return (slot, false)
    }

    private mutating func resize(to newCapacity: Int) {
        var resized = EntryStateMap(capacity: newCapacity)
        forEach { resized.updateValue($1, forKey: $0) }
        self = resized
    }
}
