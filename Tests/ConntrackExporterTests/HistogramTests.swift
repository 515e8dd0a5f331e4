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
        counters.recordOpened(a, at: 0)
        counters.recordClosed(a, outcome: .graceful, durationSeconds: 2, at: 0)
        counters.recordClosed(b, outcome: .refused, durationSeconds: nil, at: 0)
        #expect(counters.hostCount == 2)
        #expect(counters.closed[a]?[.graceful] == 1)
        #expect(counters.durations[ConnectionOutcome.graceful.rawValue].count == 1)
        #expect(counters.durations[ConnectionOutcome.refused.rawValue].count == 0)
    }

    @Test func hostsWhoseCountersStoodStillAreForgotten() {
        var counters = LifecycleCounters()
        let quiet = HostKey(endpoint("198.18.0.1", 80), mode: .endpoint)
        let busy = HostKey(endpoint("198.18.0.2", 80), mode: .endpoint)
        counters.recordOpened(quiet, at: 100)
        counters.recordClosed(quiet, outcome: .graceful, durationSeconds: 1, at: 200)
        counters.recordOpened(busy, at: 100)
        counters.recordClosed(busy, outcome: .reset, durationSeconds: nil, at: 3700)
        counters.forgetHosts(unchangedSince: 3700 - 3600)
        #expect(counters.hostCount == 2, "a change at the cutoff itself is kept")
        counters.forgetHosts(unchangedSince: 3800 - 3600)
        #expect(counters.hostCount == 2)
        counters.forgetHosts(unchangedSince: 3801 - 3600)
        #expect(counters.hostCount == 1)
        #expect(counters.opened[quiet] == nil && counters.closed[quiet] == nil)
        #expect(counters.opened[busy] == 1 && counters.closed[busy]?[.reset] == 1)
        #expect(counters.forgottenHosts == 1)
        #expect(counters.durations[ConnectionOutcome.graceful.rawValue].count == 1, "histograms have no host: kept")
    }
}
