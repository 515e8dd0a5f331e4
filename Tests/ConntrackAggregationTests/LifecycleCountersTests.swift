@testable import ConntrackAggregation
@testable import ConntrackModel
import Testing

/// The event counters: per host, forgotten after standing still, capped by `--max-hosts`
/// without a counter ever going down.
@Suite struct LifecycleCountersTests {
    @Test func countsEachHostOnce() {
        var counters = LifecycleCounters()
        let a = host("198.18.0.1")
        let b = host("198.18.0.2")
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
        let quiet = host("198.18.0.1")
        let busy = host("198.18.0.2")
        counters.recordOpened(quiet, at: 100)
        counters.recordClosed(quiet, outcome: .graceful, durationSeconds: 1, at: 200)
        counters.recordOpened(busy, at: 100)
        counters.recordClosed(busy, outcome: .reset, durationSeconds: nil, at: 3700)
        counters.forgetHosts(unchangedSince: 3700 - 3600)
        #expect(counters.hostCount == 2, "a change at the cutoff itself is kept")
        counters.forgetHosts(unchangedSince: 3800 - 3600)
        #expect(counters.hostCount == 2)
        #expect(counters.forgetHosts(unchangedSince: 3801 - 3600) == 1)
        #expect(counters.hostCount == 1)
        #expect(counters.opened[quiet] == nil && counters.closed[quiet] == nil)
        #expect(counters.opened[busy] == 1 && counters.closed[busy]?[.reset] == 1)
        #expect(counters.forgottenHosts == 1)
        #expect(counters.durations[ConnectionOutcome.graceful.rawValue].count == 1, "histograms have no host: kept")
    }

    @Test func admitsHostsUntilTheCapThenCountsNewOnesUnderOther() {
        var counters = LifecycleCounters(maxHosts: 2)
        let hosts = ["198.18.0.1", "198.18.0.2", "198.18.0.3", "198.18.0.4"].map { host($0) }
        for host in hosts { counters.recordOpened(host, at: 0) }
        counters.recordClosed(hosts[3], outcome: .graceful, durationSeconds: nil, at: 1)
        counters.recordOpened(hosts[0], at: 1)
        #expect(counters.opened == [hosts[0]: 2, hosts[1]: 1, .other: 2])
        #expect(counters.closed[.other]?[.graceful] == 1)

        // Room freed by the TTL goes to the next new host; what `other` counted stays there.
        counters.forgetHosts(unchangedSince: 1)
        counters.recordOpened(hosts[2], at: 2)
        #expect(counters.opened == [hosts[0]: 2, hosts[2]: 1, .other: 2])
    }

    private func host(_ address: String) -> HostKey {
        HostKey(endpoint(address, 80), mode: .endpoint)
    }
}
