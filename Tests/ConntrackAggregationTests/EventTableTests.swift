@testable import ConntrackAggregation
import ConntrackKernel
import ConntrackModel
import LinuxSystem
import Synchronization
import TestFixtures
import Testing

/// The table kept from events, fed recorded UPDATE messages and synthetic entries: states
/// follow every event, a rebuild replays the events that raced its dump, and counts what
/// it corrected.
@Suite struct EventTableTests {
    private let classifier = makeTable(local: ["127.0.0.1"]).classifier

    @Test func followsARecordedConnectionThroughEveryState() throws {
        let table = EventTable(maxHosts: 0)
        var seen: [(ConntrackEntry.Message, KeptTable.EntryState?)] = []
        try ConntrackMessages.parse(RecordedEvents.updates, asEvents: true) { entry in
            table.apply(entry, classified: classifier.labeler.classify(entry))
            seen.append((entry.message, table.kept(entry)))
        }
        let host = HostKey(RemoteEndpoint(address: IPAddress("127.0.0.1")!, port: 9998), mode: .endpoint)
        #expect(seen.map(\.0) == [.new, .update, .update, .update, .update, .update, .update])
        // SYN_RECV, CLOSE_WAIT and LAST_ACK are kept as the state before them (the socket's filter drops them).
        #expect(seen.map { $0.1?.tcpState } == [.synSent, .synSent, .established, .finWait, .finWait, .finWait, .timeWait])
        #expect(seen.allSatisfy { $0.1?.host == host })
        // The client (this machine's end) sent the first FIN; the kernel marks it from FIN_WAIT on.
        #expect(seen.map { $0.1?.closedBy } == [nil, nil, nil, .local, .local, .local, .local])
        #expect(table.health.entries == 1)
    }

    @Test func keepsEachStateAsOneCountedTheSame() {
        for state in TCPState.allCases {
            let kept = KeptTable.EntryState.kept(state)
            #expect(ConnectionState(kept) == ConnectionState(state) && kept.isHalfClosed == state.isHalfClosed, "\(state)")
            #expect(KeptTable.EntryState.kept(kept) == kept)
        }
    }

    @Test func servesNothingUntilTheFirstRebuild() throws {
        let table = EventTable(maxHosts: 0)
        #expect(table.read(nowNanoseconds: 1) == nil)
        #expect(table.beginRebuild())
        try table.rebuild(reading: FixedTable(entries: [makeEntry(from: "127.0.0.1", 40000, to: "198.18.0.1", 443)]), reason: .start)
        let read = try #require(table.read(nowNanoseconds: 5_000_000_000))
        #expect(read.table.counts.values.map(\.total) == [1])
        #expect(read.table.classifier.nowNanoseconds == 5_000_000_000)
        #expect(read.detailsNanoseconds == 0)
        #expect(table.health.rebuilds == [.start: 1] && table.health.corrections == 0)
    }

    @Test func replaysEventsThatRacedTheDumpAndCountsCorrections() throws {
        let table = EventTable(maxHosts: 0)
        let early = makeEntry(from: "127.0.0.1", 40001, to: "198.18.0.1", 443, state: .established)
        let closing = makeEntry(from: "127.0.0.1", 40001, to: "198.18.0.1", 443, state: .finWait, firstFin: .original,
                                message: .update)
        let gone = makeEntry(from: "127.0.0.1", 40002, to: "198.18.0.1", 443, state: .established)
        let destroyed = makeEntry(from: "127.0.0.1", 40002, to: "198.18.0.1", 443, state: .close, message: .destroy)
        #expect(table.beginRebuild())
        // The dump saw the first entry established and the second alive; events that came
        // during the dump moved the first to FIN_WAIT and destroyed the second.
        let dump = RacingTable(entries: [early, gone]) {
            table.apply(closing, classified: classifier.labeler.classify(closing))
            table.apply(destroyed, classified: classifier.labeler.classify(destroyed))
        }
        #expect(!table.beginRebuild())
        try table.rebuild(reading: dump, reason: .start)
        #expect(table.kept(early) == KeptTable.EntryState(host: try #require(table.kept(closing)?.host), tcpState: .finWait, closedBy: .local))
        #expect(table.kept(gone) == nil)
        #expect(table.health.entries == 1)

        // A check that finds the table as kept corrects nothing; one after a lost event does.
        #expect(table.beginRebuild())
        try table.rebuild(reading: FixedTable(entries: [makeEntry(from: "127.0.0.1", 40001, to: "198.18.0.1", 443,
                                                                  state: .finWait, firstFin: .original)]), reason: .check)
        #expect(table.health.corrections == 0)
        #expect(table.beginRebuild())
        try table.rebuild(reading: FixedTable(entries: [makeEntry(from: "127.0.0.1", 40001, to: "198.18.0.1", 443,
                                                                  state: .timeWait, firstFin: .original)]), reason: .loss)
        #expect(table.health.corrections == 1)
        #expect(table.health.rebuilds == [.start: 1, .check: 1, .loss: 1])
    }

    @Test func aFailedRebuildKeepsTheTableAndAllowsTheNext() throws {
        let table = EventTable(maxHosts: 0)
        #expect(table.beginRebuild())
        #expect(throws: SystemError.self) { try table.rebuild(reading: FixedTable(fails: true), reason: .start) }
        #expect(table.health.lastRebuildFailed)
        #expect(table.beginRebuild())
    }

    /// Lost events again and again (a flood) must not chain dumps one after another: the next
    /// rebuild waits three times the last one's duration, failed or not.
    @Test func theNextRebuildWaitsThreeTimesTheLastOnesDuration() throws {
        let table = EventTable(maxHosts: 0)
        #expect(table.mayStartRebuild(), "the first rebuild starts at once")
        for fails in [false, true] {
            let before = MonotonicClock.preciseSeconds()
            #expect(table.beginRebuild())
            let failed = (try? table.rebuild(reading: SlowTable(FixedTable(fails: fails), delay: 0.1), reason: .loss)) == nil
            #expect(failed == fails)
            let after = MonotonicClock.preciseSeconds()
            #expect(!table.mayStartRebuild(nowSeconds: after), "failed: \(fails)")
            #expect(!table.mayStartRebuild(nowSeconds: after + 2.5 * 0.1), "failed: \(fails)")
            #expect(table.mayStartRebuild(nowSeconds: after + 3 * (after - before)), "failed: \(fails)")
        }
    }
}

/// A dump during which events arrive: `during` runs before the entries are read.
private final class RacingTable: TableSource, @unchecked Sendable {
    let entries: FixedTable
    let during: () -> Void

    init(entries: [ConntrackEntry], during: @escaping () -> Void) {
        self.entries = FixedTable(entries: entries)
        self.during = during
    }

    func read(observers: [any ConnectionObserver]) throws(SystemError) -> TableRead {
        during()
        return try entries.read(observers: observers)
    }
}
