@testable import ConntrackModel
import Testing

@Suite struct ConnectionStateTests {
    @Test(arguments: [
        (TCPState.synSent, ConnectionState.opening), (.synSent2, .opening), (.synReceived, .opening),
        (.established, .open),
        (.finWait, .closing), (.closeWait, .closing), (.lastAck, .closing), (.timeWait, .closing),
        (.close, .closed),
    ])
    func mapsCountedStates(state: TCPState, expected: ConnectionState) {
        #expect(ConnectionState(state) == expected)
    }

    @Test func doesNotCountNone() {
        #expect(ConnectionState(.none) == nil)
    }

    @Test func knowsEveryKernelState() {
        // enum tcp_conntrack: NONE..CLOSE are 0-8, SYN_SENT2 reuses LISTEN's 9.
        #expect(TCPState.allCases.map(\.rawValue) == Array(0...9))
    }
}
