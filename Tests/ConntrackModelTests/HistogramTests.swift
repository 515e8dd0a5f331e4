@testable import ConntrackModel
import Testing

@Suite struct HistogramTests {
    @Test func bucketsAreCumulativeAndEndWithInfinity() {
        var histogram = Histogram(upperBounds: [1, 10])
        for value in [0.5, 1, 3, 50] { histogram.observe(value) }
        let buckets = histogram.cumulativeBuckets
        #expect(buckets.map(\.upperBound) == [1, 10, .infinity])
        #expect(buckets.map(\.count) == [2, 3, 4])
        #expect(histogram.sum == 54.5)
        #expect(histogram.count == 4)
    }
}
