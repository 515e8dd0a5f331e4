import CConntrack
import Testing
@testable import ConntrackExporter

@Suite struct ConnectionStateTableTests {
    @Test func countsPerHostAndState() {
        var table = ConnectionStateTable(local: LocalAddresses([]), ignore: IgnoreList(), mode: .endpoint)
        table.add(makeEntry(from: "127.0.0.1", 40000, to: "198.18.0.9", 443, state: .synSent))
        table.add(makeEntry(from: "127.0.0.1", 40001, to: "198.18.0.9", 443, state: .established))
        table.add(makeEntry(from: "127.0.0.1", 40002, to: "198.18.0.9", 443, state: .established))
        table.add(makeEntry(from: "198.18.0.7", 40003, to: "127.0.0.1", 5432, state: .timeWait))
        table.add(makeEntry(from: "198.18.0.7", 40004, to: "127.0.0.1", 5432, state: .close))
        table.add(makeEntry(from: "::1", 40005, to: "2001:db8::9", 443, state: .lastAck))
        #expect(table.counts == [
            HostKey(endpoint("198.18.0.9", 443), mode: .endpoint): counts(opening: 1, open: 2),
            HostKey(endpoint("198.18.0.7", 5432), mode: .endpoint): counts(closing: 1, closed: 1),
            HostKey(endpoint("2001:db8::9", 443), mode: .endpoint): counts(closing: 1),
        ])
    }

    @Test func skipsOtherProtocolsAndUncountedStates() {
        var table = ConnectionStateTable(local: LocalAddresses([]), ignore: IgnoreList(), mode: .endpoint)
        table.add(makeEntry(from: "127.0.0.1", 40000, to: "198.18.0.9", 53, protocol: CCT_PROTO_UDP))
        table.add(makeEntry(from: "127.0.0.1", 40000, to: "198.18.0.9", 443, state: .none))
        #expect(table.counts.isEmpty)
    }

    @Test func addressModeMergesPorts() {
        var table = ConnectionStateTable(local: LocalAddresses([]), ignore: IgnoreList(), mode: .address)
        table.add(makeEntry(from: "198.18.0.7", 40000, to: "127.0.0.1", 5432))
        table.add(makeEntry(from: "198.18.0.7", 40001, to: "127.0.0.1", 22))
        #expect(table.counts == [HostKey(endpoint("198.18.0.7", 0), mode: .address): counts(open: 2)])
    }
}
