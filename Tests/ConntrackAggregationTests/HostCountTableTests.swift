@testable import ConntrackAggregation
@testable import ConntrackModel
import Testing

/// The prefetching host table counts what a dictionary counts, one call late or not.
@Suite struct HostCountTableTests {
    @Test func countsWhatADictionaryCountsThroughGrowth() {
        // Sized for 4 hosts, given 3,000: the table grows several times, an entry in flight.
        var table = HostCountTable(expectedHosts: 4, idleThreshold: 60)
        var expected: [HostKey: StateCounts] = [:]
        let states: [TCPState] = [.synSent, .established, .finWait, .timeWait, .close]
        for index in 0..<10_000 {
            let connection = Self.connection(host: index * 7919 % 3_000, tcpState: states[index % states.count],
                                             idleSeconds: UInt32(index % 120))
            table.add(connection)
            expected[connection.host, default: StateCounts()].add(connection, idleThreshold: 60)
            if index % 997 == 0 {
                #expect(table.count == expected.count)
                #expect(Dictionary(uniqueKeysWithValues: table.hosts) == expected)
            }
        }
        #expect(table.count == 3_000)
        #expect(Dictionary(uniqueKeysWithValues: table.hosts) == expected)
    }

    @Test func theConnectionInFlightIsCountedForANewHostAndAKnownOne() {
        var table = HostCountTable(expectedHosts: 0, idleThreshold: 0)
        #expect(table.count == 0 && table.hosts.isEmpty)
        table.add(Self.connection(host: 1, tcpState: .established))
        #expect(table.count == 1 && table.hosts.map(\.value[.open]) == [1])
        table.add(Self.connection(host: 1, tcpState: .established))
        #expect(table.count == 1 && table.hosts.map(\.value[.open]) == [2])
    }

    private static func connection(host: Int, tcpState: TCPState, idleSeconds: UInt32? = nil) -> TrackedConnection {
        let address = host.isMultiple(of: 5) ? "2001:db8::\(String(host, radix: 16))" : "198.18.\(host / 256).\(host % 256)"
        return TrackedConnection(
            host: HostKey(RemoteEndpoint(address: IPAddress(address)!, port: 443), mode: .endpoint),
            direction: .outbound, tcpState: tcpState, state: ConnectionState(tcpState)!,
            closedBy: tcpState == .finWait || tcpState == .timeWait ? .local : nil,
            idleSeconds: idleSeconds, ageSeconds: nil)
    }
}
