@testable import ConntrackModel
import Testing

@Suite struct WrappingCounterTests {
    @Test func keepsCountingPastTheKernelsWrap() {
        var counter = WrappingCounter(UInt32.max - 5)
        #expect(counter.total == UInt64(UInt32.max - 5))
        counter.update(UInt32.max)
        counter.update(4)  // wrapped: 5 more to reach 2^32, then 4
        #expect(counter.total == UInt64(UInt32.max) + 5)
        counter.update(4)
        #expect(counter.total == UInt64(UInt32.max) + 5)
    }
}
