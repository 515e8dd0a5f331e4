import Testing
@testable import ConntrackExporter

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

    @Test func lifecycleCountersCountHostsOnce() {
        var counters = LifecycleCounters()
        let a = HostKey(endpoint("198.18.0.1", 80), mode: .endpoint)
        let b = HostKey(endpoint("198.18.0.2", 80), mode: .endpoint)
        counters.recordOpened(a)
        counters.recordClosed(a, outcome: .graceful, durationSeconds: 2)
        counters.recordClosed(b, outcome: .refused, durationSeconds: nil)
        #expect(counters.hostCount == 2)
        #expect(counters.closed[a]?[.graceful] == 1)
        #expect(counters.durations[ConnectionOutcome.graceful.rawValue].count == 1)
        #expect(counters.durations[ConnectionOutcome.refused.rawValue].count == 0)
    }
}
