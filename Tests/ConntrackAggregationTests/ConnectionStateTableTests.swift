import CConntrack
@testable import ConntrackKernel
@testable import ConntrackModel
import TestFixtures
import Testing

@Suite struct ConnectionStateTableTests {
    @Test func countsPerHostAndState() {
        var table = makeTable()
        table.add(makeEntry(from: "127.0.0.1", 40000, to: "198.18.0.9", 443, state: .synSent))
        table.add(makeEntry(from: "127.0.0.1", 40001, to: "198.18.0.9", 443, state: .established))
        table.add(makeEntry(from: "127.0.0.1", 40002, to: "198.18.0.9", 443, state: .established))
        table.add(makeEntry(from: "198.18.0.7", 40003, to: "127.0.0.1", 5432, state: .timeWait))
        table.add(makeEntry(from: "198.18.0.7", 40004, to: "127.0.0.1", 5432, state: .close))
        table.add(makeEntry(from: "::1", 40005, to: "2001:db8::9", 443, state: .lastAck))
        #expect(table.counts.mapValues { counts in ConnectionState.allCases.map { counts[$0] } } == [
            HostKey(endpoint("198.18.0.9", 443), mode: .endpoint): [1, 2, 0, 0],
            HostKey(endpoint("198.18.0.7", 5432), mode: .endpoint): [0, 0, 1, 1],
            HostKey(endpoint("2001:db8::9", 443), mode: .endpoint): [0, 0, 1, 0],
        ])
    }

    @Test func skipsOtherProtocolsAndUncountedStates() {
        var table = makeTable()
        table.add(makeEntry(from: "127.0.0.1", 40000, to: "198.18.0.9", 53, protocol: CCT_PROTO_UDP))
        table.add(makeEntry(from: "127.0.0.1", 40000, to: "198.18.0.9", 443, state: .none))
        #expect(table.counts.isEmpty)
    }

    @Test func addressModeMergesPorts() {
        var table = makeTable(mode: .address)
        table.add(makeEntry(from: "198.18.0.7", 40000, to: "127.0.0.1", 5432))
        table.add(makeEntry(from: "198.18.0.7", 40001, to: "127.0.0.1", 22))
        #expect(table.counts == [HostKey(endpoint("198.18.0.7", 0), mode: .address): counts(open: 2)])
    }
}

@Suite struct ConnectionStateTableClosingTests {
    private let local = ["198.18.0.1"]

    /// Outbound, inbound and forwarded connections, with the first FIN in each direction.
    @Test(arguments: [
        ("198.18.0.1", "198.18.0.9", ConntrackEntry.Side.original, ClosingSide.local),  // outbound, we closed
        ("198.18.0.1", "198.18.0.9", .reply, .remote),                                 // outbound, server closed
        ("198.18.0.9", "198.18.0.1", .original, .remote),                              // inbound, client closed
        ("198.18.0.9", "198.18.0.1", .reply, .local),                                  // inbound, we closed
        ("198.18.0.8", "198.18.0.9", .original, .local),                               // forwarded, client closed
        ("198.18.0.8", "198.18.0.9", .reply, .remote),                                 // forwarded, server closed
    ])
    func splitsClosingConnectionsByWhoClosedFirst(source: String, destination: String, fin: ConntrackEntry.Side,
                                                   side: ClosingSide) {
        var table = makeTable(local: local)
        table.add(makeEntry(from: source, 40000, to: destination, 80, state: .closeWait, firstFin: fin))
        table.add(makeEntry(from: source, 40001, to: destination, 80, state: .timeWait, firstFin: fin))
        table.add(makeEntry(from: source, 40002, to: destination, 80, state: .timeWait, firstFin: fin))
        let counts = try! #require(table.counts.values.first)
        #expect(counts[.closing] == 3)
        #expect(counts[halfClosedBy: side] == 1)
        #expect(counts[timeWaitBy: side] == 2)
        #expect(counts.halfClosed == 1 && counts.timeWait == 2, "nothing counted under the other sides")
    }

    @Test func withoutAMarkWhoClosedIsUnknown() {
        var table = makeTable(local: local)
        table.add(makeEntry(from: "198.18.0.1", 40000, to: "198.18.0.9", 80, state: .lastAck))
        #expect(table.counts.values.first?[halfClosedBy: .unknown] == 1)
    }

    @Test func countsOpenConnectionsIdlePastTheThreshold() {
        var table = makeTable(local: local, idleThreshold: 300)
        // The established timeout is 432000 s: time left 431000 s means idle 1000 s.
        table.add(makeEntry(from: "198.18.0.1", 40000, to: "198.18.0.9", 80, timeout: 431_000))
        table.add(makeEntry(from: "198.18.0.1", 40001, to: "198.18.0.9", 80, timeout: 431_700))
        table.add(makeEntry(from: "198.18.0.1", 40002, to: "198.18.0.9", 80, timeout: 431_999))
        // Unacknowledged data shortens the timeout to 300 s: 100 s left is 200 s idle, not 431900.
        table.add(makeEntry(from: "198.18.0.1", 40003, to: "198.18.0.9", 80, timeout: 100, unacknowledged: true))
        // Closing connections are never idle open ones.
        table.add(makeEntry(from: "198.18.0.1", 40004, to: "198.18.0.9", 80, state: .closeWait, timeout: 1))
        #expect(table.counts.values.first?.idle == 2)
        #expect(table.idle.count == 4)
        #expect(table.idle.sum == 1000 + 300 + 1 + 200)
    }

    @Test func aThresholdOfZeroCountsNoIdleConnections() {
        var table = makeTable(local: local, idleThreshold: 0)
        table.add(makeEntry(from: "198.18.0.1", 40000, to: "198.18.0.9", 80, timeout: 1))
        #expect(table.counts.values.first?.idle == 0)
        #expect(table.idle.count == 1, "the histogram does not depend on the threshold")
    }

    @Test func agesComeFromTheKernelsTimestamps() {
        let now: UInt64 = 1_800_000_000 * 1_000_000_000
        var table = makeTable(local: local, nowNanoseconds: now)
        table.add(makeEntry(from: "198.18.0.1", 40000, to: "198.18.0.9", 80, startNanoseconds: now - 90_000_000_000))
        table.add(makeEntry(from: "198.18.0.1", 40001, to: "198.18.0.9", 80))
        #expect(table.age.count == 1)
        #expect(table.age.sum == 90)
    }
}

@Suite struct TCPTimeoutsTests {
    @Test func idleTimeIsTheStateTimeoutMinusTheTimeLeft() {
        let entry = makeEntry(from: "198.18.0.1", 1, to: "198.18.0.9", 80, state: .timeWait, timeout: 100)
        #expect(defaultTimeouts.idleSeconds(of: entry, state: .timeWait) == 20)
    }

    @Test func moreTimeLeftThanTheTimeoutMeansAnotherPolicy() {
        let entry = makeEntry(from: "198.18.0.1", 1, to: "198.18.0.9", 80, state: .timeWait, timeout: 500)
        #expect(defaultTimeouts.idleSeconds(of: entry, state: .timeWait) == nil)
    }

    @Test func withoutATimeoutOrASysctlThereIsNoIdleTime() {
        let noTimeout = makeEntry(from: "198.18.0.1", 1, to: "198.18.0.9", 80)
        #expect(defaultTimeouts.idleSeconds(of: noTimeout, state: .established) == nil)
        let timeouts = TCPTimeouts(seconds: [:], unacknowledged: nil)
        let entry = makeEntry(from: "198.18.0.1", 1, to: "198.18.0.9", 80, timeout: 5)
        #expect(timeouts.idleSeconds(of: entry, state: .established) == nil)
    }
}
