@testable import ConntrackAggregation
import Testing

/// `--table.source=auto`'s choice on a synthetic cost model: a dump costs 2.4 µs of CPU per
/// entry and an event 2.3 µs (both near what the benchmark measures), scrapes every 15 s.
@Suite struct TableSourcePolicyTests {
    private let policy = TableSourcePolicy(checkIntervalSeconds: 600)

    private func measured(entries: Int, connectionsPerSecond: Double, readsPerSecond: Double = 1.0 / 15) -> TableSourcePolicy.Measurements {
        TableSourcePolicy.Measurements(entries: entries, dumpSecondsPerEntry: 2.4e-6, readsPerSecond: readsPerSecond,
                                       lifecycleEventsPerSecond: 2 * connectionsPerSecond, eventSeconds: 2.3e-6,
                                       lifecycleSubscribed: true)
    }

    @Test func picksDumpsForASmallTableWithFastChurn() {
        #expect(policy.choose(.dump, measured(entries: 250_000, connectionsPerSecond: 8_000)) == .dump)
        #expect(policy.choose(.events, measured(entries: 250_000, connectionsPerSecond: 8_000)) == .dump)
    }

    @Test func picksEventsForALargeMostlyLongLivedTable() {
        #expect(policy.choose(.dump, measured(entries: 2_000_000, connectionsPerSecond: 2_000)) == .events)
        #expect(policy.choose(.events, measured(entries: 2_000_000, connectionsPerSecond: 2_000)) == .events)
    }

    @Test func estimatesOneDumpPerReadAgainstEventsAndChecks() {
        let cost = policy.estimate(measured(entries: 1_000_000, connectionsPerSecond: 100))
        // Dumps: 2.4 s per read at a read per 15 s, plus NEW and DESTROY; events: 5 per connection
        // (NEW, the three UPDATE the socket's filter passes, DESTROY), plus a check per 600 s.
        #expect(abs(cost.dump - (2.4 / 15 + 200 * 2.3e-6)) < 1e-9)
        #expect(abs(cost.events - (500 * 2.3e-6 + 2.4 / 600)) < 1e-9)
    }

    /// Between half of the dumps' cost and all of it, the source in force stays.
    @Test func holdsInTheBandBetweenTheThresholds() {
        // Events cost about 0.6 of dumps here.
        let band = measured(entries: 1_000_000, connectionsPerSecond: 10_000)
        let cost = policy.estimate(band)
        #expect(cost.events > 0.5 * cost.dump && cost.events < cost.dump)
        #expect(policy.choose(.dump, band) == .dump)
        #expect(policy.choose(.events, band) == .events)
    }

    @Test func withoutTheLifecycleCollectorDumpModeReceivesNoEvents() {
        var quiet = measured(entries: 100_000, connectionsPerSecond: 1_000)
        #expect(policy.choose(.dump, quiet) == .dump)
        quiet.readsPerSecond = 1
        #expect(policy.choose(.dump, quiet) == .events)
        quiet.lifecycleSubscribed = false
        #expect(policy.estimate(quiet).dump == 100_000 * 2.4e-6)
    }

    @Test func decidesOnWindowsOfAMinuteOrTheCheckInterval() {
        #expect(policy.windowSeconds == 60)
        #expect(TableSourcePolicy(checkIntervalSeconds: 10).windowSeconds == 10)
    }
}
