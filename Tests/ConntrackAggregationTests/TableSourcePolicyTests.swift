@testable import ConntrackAggregation
import Testing

/// `--table.source=auto`'s choice on a synthetic cost model: a dump costs 2.4 µs of CPU per
/// entry, an event 2.3 µs and a connection's UPDATE messages 8 µs in the packet path (all near
/// what the benchmark measures), scrapes every 15 s.
@Suite struct TableSourcePolicyTests {
    private let policy = TableSourcePolicy(checkIntervalSeconds: 600)

    private func measured(entries: Int, connectionsPerSecond: Double, readsPerSecond: Double = 1.0 / 15) -> TableSourcePolicy.Measurements {
        TableSourcePolicy.Measurements(entries: entries, dumpSecondsPerEntry: 2.4e-6, readsPerSecond: readsPerSecond,
                                       lifecycleEventsPerSecond: 2 * connectionsPerSecond, eventSeconds: 2.3e-6)
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
        // (NEW, the three UPDATE the socket's filter passes, DESTROY) and the packet path's 8 µs
        // for the UPDATE messages, plus a check per 600 s.
        #expect(abs(cost.dump - (2.4 / 15 + 200 * 2.3e-6)) < 1e-9)
        #expect(abs(cost.events - (500 * 2.3e-6 + 100 * 8e-6 + 2.4 / 600)) < 1e-9)
    }

    /// Cheaper for the exporter is not cheaper for the machine: the kernel builds every UPDATE
    /// message in the packet path, which the exporter's own CPU does not show.
    @Test func weighsWhatTheUpdateMessagesCostThePacketPath() {
        let churning = measured(entries: 250_000, connectionsPerSecond: 1_500)
        #expect(TableSourcePolicy(checkIntervalSeconds: 600, kernelSecondsPerConnection: 0).choose(.dump, churning) == .events)
        #expect(policy.choose(.dump, churning) == .dump)
    }

    /// Dumps under 1% of a core stay: the kept table would save little and its idle and age data
    /// are up to a check interval old. Kept, the table goes once dumps cost under half of that.
    @Test func keepsDumpsThatCostLittle() {
        let small = measured(entries: 50_000, connectionsPerSecond: 10)
        #expect(policy.estimate(small).events < 0.5 * policy.estimate(small).dump)
        #expect(policy.choose(.dump, small) == .dump)
        #expect(policy.choose(.events, small) == .events, "0.8% of a core: within the band")
        #expect(policy.choose(.events, measured(entries: 20_000, connectionsPerSecond: 10)) == .dump)
        #expect(policy.choose(.dump, measured(entries: 100_000, connectionsPerSecond: 10)) == .events)
    }

    /// A rebuild after lost events is a dump: under losses again and again the kept table costs
    /// more than the dumps it saves.
    @Test func countsADumpPerRebuildAfterLostEvents() {
        var losing = measured(entries: 2_000_000, connectionsPerSecond: 2_000)
        #expect(policy.choose(.events, losing) == .events)
        losing.lossRebuildsPerSecond = 0.1
        #expect(policy.choose(.events, losing) == .dump)
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

    @Test func readsMoreOftenTipTheBalance() {
        var churning = measured(entries: 100_000, connectionsPerSecond: 1_000)
        #expect(policy.choose(.dump, churning) == .dump)
        churning.readsPerSecond = 1
        #expect(policy.choose(.dump, churning) == .events)
    }

    @Test func decidesOnWindowsOfAMinuteOrTheCheckInterval() {
        #expect(policy.windowSeconds == 60)
        #expect(TableSourcePolicy(checkIntervalSeconds: 10).windowSeconds == 10)
    }
}
