@testable import ConntrackAggregation
import ConntrackModel
import Testing

/// The table kept from events moves each entry's count between states and hosts as its
/// state changes, frees hosts whose last connection went, and tells two tables apart.
@Suite struct KeptTableTests {
    private let web = HostKey(RemoteEndpoint(address: IPAddress("198.18.0.1")!, port: 443), mode: .endpoint)
    private let db = HostKey(RemoteEndpoint(address: IPAddress("198.18.0.2")!, port: 5432), mode: .endpoint)

    private func state(_ host: HostKey, _ tcpState: TCPState, _ side: ClosingSide? = nil) -> KeptTable.EntryState {
        KeptTable.EntryState(host: host, tcpState: tcpState, closedBy: side)
    }

    private func counts(_ table: KeptTable) -> [HostKey: StateCounts] {
        Dictionary(uniqueKeysWithValues: table.hosts.map { ($0.key, $0.value) })
    }

    @Test func movesCountsAsEntriesChangeState() {
        var table = KeptTable()
        table.set(1, to: state(web, .synSent))
        table.set(2, to: state(web, .established))
        table.set(1, to: state(web, .established))
        table.set(2, to: state(web, .finWait, .remote))
        var expected = StateCounts()
        expected[.open] = 1
        expected[.closing] = 1
        expected[halfClosedBy: .remote] = 1
        #expect(counts(table) == [web: expected])
        #expect(table[2] == state(web, .finWait, .remote))

        table.set(2, to: state(web, .timeWait, .remote))
        expected[halfClosedBy: .remote] = 0
        expected[timeWaitBy: .remote] = 1
        #expect(counts(table) == [web: expected])
    }

    @Test func freesHostsAndReusesTheirSlots() {
        var table = KeptTable()
        table.set(1, to: state(web, .established))
        table.set(1, to: nil)
        #expect(table.hosts.isEmpty && table.count == 0)
        table.set(2, to: state(db, .established))
        table.set(3, to: state(db, .close))
        #expect(counts(table)[db]?.total == 2)
        // A DESTROY of an entry never kept changes nothing.
        table.set(99, to: nil)
        #expect(table.count == 2)
    }

    @Test func hostsPastTheCapCountAsOther() {
        var table = KeptTable(maxHosts: 1)
        table.set(1, to: state(web, .established))
        table.set(2, to: state(db, .established))
        #expect(Set(counts(table).keys) == [web, .other])
        #expect(table[2]?.host == .other)
    }

    @Test func countsEntriesKeptDifferently() {
        var kept = KeptTable()
        var rebuilt = KeptTable()
        for key in 1...10 as ClosedRange<UInt64> {
            kept.set(key, to: state(web, .established))
            rebuilt.set(key, to: state(web, .established))
        }
        #expect(kept.differences(from: rebuilt) == 0)
        kept.set(11, to: state(db, .established))   // kept only
        rebuilt.set(12, to: state(db, .established))  // rebuilt only
        rebuilt.set(3, to: state(web, .finWait, .local))  // another state
        rebuilt.set(4, to: state(db, .established))  // another host
        #expect(rebuilt.differences(from: kept) == 4)
    }
}
