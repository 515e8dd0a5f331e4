@testable import ConntrackModel
import Testing

@Suite struct ConnectionOutcomeTests {
    @Test(arguments: [
        (TCPState.close, false, ConnectionOutcome.refused),
        (.synSent, false, .unanswered),
        (.synSent2, false, .unanswered),
        (.synReceived, false, .unanswered),
        (.close, true, .reset),
        (.finWait, true, .halfClosed),
        (.closeWait, true, .halfClosed),
        (.lastAck, true, .halfClosed),
        (.timeWait, true, .graceful),
        (.established, true, .other),
        (.synReceived, true, .other),
        (.none, true, .other),
    ])
    func classifiesDestroyedConnections(state: TCPState, sawReply: Bool, outcome: ConnectionOutcome) {
        #expect(ConnectionOutcome(finalState: state, sawReply: sawReply) == outcome)
    }

    @Test func withoutAStateItIsOther() {
        // Kernels before 5.11 send no TCP state in DESTROY events.
        #expect(ConnectionOutcome(finalState: nil, sawReply: false) == .other)
    }
}
