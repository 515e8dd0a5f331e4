@testable import ConntrackAggregation
@testable import ConntrackKernel
@testable import ConntrackModel
import TestFixtures
import Testing

@Suite struct EventLogTests {
    /// The recorded events' lines in one format.
    private func lines(_ format: EventLogFormat) throws -> [String] {
        var lines: [String] = []
        let log = EventLog(format: format)
        try ConntrackMessages.parse(RecordedEvents.bytes, asEvents: true) { entry in
            let host = HostKey(remoteEndpoint(of: entry, local: LocalAddresses([]))!, mode: .endpoint)
            let outcome = entry.message == .destroy ? ConnectionOutcome(finalState: entry.tcpState, sawReply: entry.sawReply) : nil
            lines.append(log.line(for: entry, host: host, outcome: outcome))
        }
        return lines
    }

    @Test func parsesRecordedEvents() throws {
        var entries: [(ConntrackEntry.Message, TCPState?, Bool, UInt16?)] = []
        try ConntrackMessages.parse(RecordedEvents.bytes, asEvents: true) { entry in
            entries.append((entry.message, entry.tcpState, entry.sawReply, entry.reply?.sourcePort))
        }
        #expect(entries.count == 2)
        #expect(entries.map(\.0) == [.new, .destroy])
        #expect(entries.map(\.1) == [.synSent, .close])
        #expect(entries.map(\.2) == [false, false])
        #expect(entries.map(\.3) == [9999, 9999], "the reply tuple comes from the server port")
    }

    @Test func writesJSONLines() throws {
        let lines = try lines(.json)
        #expect(lines[0].hasPrefix(#"{"event":"new","host":"127.0.0.1:9999","state":"SYN_SENT","original":{"src":"127.0.0.1","sport":"#))
        #expect(lines[1].contains(#""event":"destroy""#))
        #expect(lines[1].contains(#""reply":{"src":"127.0.0.1","sport":9999,"dst":"127.0.0.1","dport":"#))
        #expect(lines[1].hasSuffix(#""outcome":"refused"}"#))
    }

    @Test func writesConntrackStyleLines() throws {
        let lines = try lines(.netfilter)
        #expect(lines[0].hasPrefix("    [NEW] tcp      6 120 SYN_SENT src=127.0.0.1 dst=127.0.0.1 sport="))
        #expect(lines[0].contains("[UNREPLIED]"))
        #expect(lines[1].hasPrefix("[DESTROY] tcp      6 "))
        #expect(lines[1].contains(" CLOSE src=127.0.0.1 dst=127.0.0.1 sport="))
    }
}
