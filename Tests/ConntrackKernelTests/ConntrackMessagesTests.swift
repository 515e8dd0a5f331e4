@testable import ConntrackKernel
@testable import ConntrackModel
import Glibc
@testable import LinuxSystem
import TestFixtures
import Testing

@Suite struct ConntrackMessagesTests {
    @Test func parsesRecordedDump() throws {
        var entries: [ConntrackEntry] = []
        try ConntrackMessages.parse(RecordedDump.bytes, asEvents: false) { entries.append($0) }
        #expect(entries.count == 3)

        let inbound = try #require(entries.first { $0.destinationPort == 5432 })
        #expect(inbound.isTCP)
        #expect(inbound.family == .v4)
        #expect(inbound.tcpState == .established)
        #expect(inbound.source == IPAddress("198.18.0.7"))
        #expect(inbound.destination == IPAddress("127.0.0.1"))
        #expect(inbound.sourcePort == 40000)
        #expect(inbound.status & 0b110 == 0b110)  // SEEN_REPLY | ASSURED
        #expect(inbound.timeoutSeconds == 0x255)
        #expect(inbound.firstFin == nil, "flags 0x0a both ways: no FIN yet")
        #expect(!inbound.hasUnacknowledgedData)

        let udp = try #require(entries.first { $0.destinationPort == 53 })
        #expect(!udp.isTCP)
        #expect(udp.tcpState == nil)

        let v6 = try #require(entries.first { $0.destinationPort == 443 })
        #expect(v6.family == .v6)
        #expect(v6.tcpState == .timeWait)
        #expect(v6.source == .ipv6Loopback)
        #expect(v6.destination == IPAddress("2001:db8::7"))
        #expect(v6.timeoutSeconds == 0x257)
        #expect(v6.firstFin == nil, "an entry made by conntrack -I marks both directions as closing first")
    }

    @Test func rejectsTruncatedMessages() {
        let truncated = Array(RecordedDump.bytes.prefix(60))
        #expect(throws: SystemError(operation: "parsing conntrack messages", errno: EBADMSG)) {
            try ConntrackMessages.parse(truncated, asEvents: false) { _ in }
        }
    }

    /// Found by the fuzzer: libmnl casts nlmsg_len to int, so a length above INT_MAX
    /// passed its check and the walk left the buffer (a crash).
    @Test func rejectsAMessageLengthAboveIntMax() {
        var corrupted = RecordedEvents.bytes
        corrupted.replaceSubrange(0..<4, with: [0xc4, 0xfd, 0xff, 0xff])
        for asEvents in [false, true] {
            #expect(throws: SystemError(operation: "parsing conntrack messages", errno: EBADMSG)) {
                try ConntrackMessages.parse(corrupted, asEvents: asEvents) { _ in }
            }
        }
    }

    @Test func rejectsAMessageWithoutItsTuple() {
        var corrupted = RecordedDump.bytes
        // The first attribute (CTA_TUPLE_ORIG) starts after nlmsghdr (16) and nfgenmsg (4):
        // a length beyond the message makes it unreadable.
        corrupted[20] = 0xff
        corrupted[21] = 0xff
        #expect(throws: SystemError(operation: "parsing conntrack messages", errno: EBADMSG)) {
            try ConntrackMessages.parse(corrupted, asEvents: false) { _ in }
        }
    }

    @Test func aggregatesRecordedDump() throws {
        var table = makeTable()
        try ConntrackMessages.parse(RecordedDump.bytes, asEvents: false) { table.add($0) }
        #expect(table.counts.count == 2)
        #expect(table.counts[key("198.18.0.7", 5432)]?[.open] == 1)
        #expect(table.counts[key("2001:db8::7", 443)]?[.closing] == 1)
    }

    private func key(_ address: String, _ port: UInt16) -> HostKey {
        HostKey(RemoteEndpoint(address: IPAddress(address)!, port: port), mode: .endpoint)
    }
}
