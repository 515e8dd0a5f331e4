@testable import ConntrackAggregation
import ConntrackModel
import TestFixtures
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

    /// The NAT families move with the entries, each event saying again what its entry is
    /// translated to: a backend's connections per state, a pool's ports while the entry lives.
    @Test func movesTranslationsWithTheirEntries() {
        let service = HostKey(RemoteEndpoint(address: IPAddress("198.18.3.10")!, port: 80), mode: .endpoint)
        let translated = { (client: UInt16, backend: UInt16) in
            KeptTranslations.Translation(makeEntry(from: "198.18.1.5", client, to: "198.18.3.10", 80, message: .new,
                                                   translatedTo: ("198.18.2.2", backend, "198.18.2.1", 40000 + client)))!
        }
        let backend = { (port: UInt16) in BackendKey(host: service, backend: RemoteEndpoint(address: IPAddress("198.18.2.2")!, port: port)) }
        let pool = { (port: UInt16) in
            SNATKey(address: IPAddress("198.18.2.1")!, farEnd: RemoteEndpoint(address: IPAddress("198.18.2.2")!, port: port), protocolNumber: 6)
        }
        var table = KeptTable(maxHosts: 10)
        table.set(1, to: state(service, .synSent), translation: translated(1000, 8081))
        table.set(2, to: state(service, .synSent), translation: translated(1001, 8082))
        table.set(1, to: state(service, .established), translation: translated(1000, 8081))
        #expect(table.translations.backends[backend(8081)]?[.open] == 1)
        #expect(table.translations.backends[backend(8081)]?[.opening] == 0)
        #expect(table.translations.backends[backend(8082)]?[.opening] == 1)
        #expect(table.translations.pools[pool(8081)]?.ports == 1 && table.translations.pools[pool(8082)]?.ports == 1)
        #expect(table.translations.pools[pool(8081)]?.destination == RemoteEndpoint(address: IPAddress("198.18.3.10")!, port: 80))
        // The DESTROY: the pair and the pool are gone with their last connection.
        table.set(1, to: nil, translation: translated(1000, 8081))
        #expect(table.translations.backends[backend(8081)] == nil && table.translations.pools[pool(8081)] == nil)
        // A DESTROY of an entry never kept moves nothing.
        table.set(3, to: nil, translation: translated(1002, 8082))
        #expect(table.translations.pools[pool(8082)]?.ports == 1)
    }

    /// Ages kept from events: an entry's start from its NEW (or a dump's stamp) is kept while it
    /// opens and is open; only open ones have an age, and a closing one has none.
    @Test func keepsTheAgesOfOpenEntries() throws {
        var table = KeptTable(keepsAges: true)
        let second: UInt64 = 1_000_000_000
        let now = 1_800_000_000 * second
        table.set(1, to: state(web, .synSent), startNanoseconds: now - 40 * second)
        table.set(2, to: state(web, .established), startNanoseconds: now - 2 * second)
        #expect(try #require(table.ages(nowNanoseconds: now)).count == 1, "an opening entry has no age yet")
        table.set(1, to: state(web, .established))
        let ages = try #require(table.ages(nowNanoseconds: now))
        #expect(ages.count == 2 && ages.sum == 42)
        table.set(1, to: state(web, .finWait, .local))
        #expect(table.ages(nowNanoseconds: now)?.sum == 2)
        table.set(2, to: nil)
        #expect(table.ages(nowNanoseconds: now)?.count == 0)
        #expect(KeptTable().ages(nowNanoseconds: now) == nil)
    }
}
