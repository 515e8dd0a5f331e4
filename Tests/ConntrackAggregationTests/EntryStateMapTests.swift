@testable import ConntrackAggregation
import Testing

/// The kept table's entry map holds what a dictionary holds, through growth and through
/// deletions that shift runs back.
@Suite struct EntryStateMapTests {
    @Test func holdsWhatADictionaryHoldsThroughChurn() {
        var map = EntryStateMap()
        var expected: [UInt64: UInt32] = [:]
        var generator = SystemRandomNumberGenerator()
        // Few distinct high bits (they pick the slot): long probe runs, so backward shifts are
        // exercised; the last ones start at the last slot, so runs wrap around.
        let clustered: [UInt64] = (0..<4_000).map { UInt64($0 % 64) << 58 | UInt64($0) + 1 }
        let wrapping: [UInt64] = (0..<64).map { ~UInt64($0) }
        let keys = clustered + wrapping
        for round in 0..<40_000 {
            let key = keys[Int.random(in: 0..<keys.count, using: &generator)]
            if round % 3 == 0 {
                #expect(map.removeValue(forKey: key) == expected.removeValue(forKey: key))
            } else {
                let value = UInt32(round)
                #expect(map.updateValue(value, forKey: key) == expected.updateValue(value, forKey: key))
            }
        }
        #expect(map.count == expected.count)
        for key in keys { #expect(map[key] == expected[key]) }
        var seen: [UInt64: UInt32] = [:]
        map.forEach { seen[$0] = $1 }
        #expect(seen == expected)
    }

    @Test func takesAtMostTwentyThreeBytesPerEntryAndEighteenOnceFitted() {
        var map = EntryStateMap()
        for count in 1...100_000 {
            map.updateValue(0, forKey: UInt64(count) &* 0x9E37_79B9_7F4A_7C15)
            if count > 1000, count % 997 == 0 { #expect(map.bytes <= count * 23) }
        }
        map.fit()
        #expect(map.bytes <= 100_000 * 18)
        for count in stride(from: 1, through: 100_000, by: 7) { #expect(map[UInt64(count) &* 0x9E37_79B9_7F4A_7C15] == 0) }
    }
}
