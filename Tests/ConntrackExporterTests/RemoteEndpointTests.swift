import CConntrack
import Testing
@testable import ConntrackExporter

@Suite struct RemoteEndpointTests {
    let local = LocalAddresses([IPAddress("198.18.1.1")!, IPAddress("2001:db8:1::1")!])

    @Test func outboundIsTheDestinationWithItsPort() {
        let entry = makeEntry(from: "198.18.1.1", 40000, to: "198.18.0.9", 443)
        #expect(remoteEndpoint(of: entry, local: local) == endpoint("198.18.0.9", 443))
    }

    @Test func inboundIsTheSourceWithTheLocalServicePort() {
        let entry = makeEntry(from: "198.18.0.7", 51234, to: "198.18.1.1", 5432)
        #expect(remoteEndpoint(of: entry, local: local) == endpoint("198.18.0.7", 5432))
    }

    @Test func forwardedIsTheDestination() {
        let entry = makeEntry(from: "198.18.0.7", 51234, to: "198.19.0.8", 80)
        #expect(remoteEndpoint(of: entry, local: local) == endpoint("198.19.0.8", 80))
    }

    @Test func loopbackNetworkIsLocal() {
        let inbound = makeEntry(from: "198.18.0.7", 51234, to: "127.3.4.5", 22)
        #expect(remoteEndpoint(of: inbound, local: local) == endpoint("198.18.0.7", 22))
        let both = makeEntry(from: "127.0.0.1", 51234, to: "127.0.0.1", 9000)
        #expect(remoteEndpoint(of: both, local: local) == endpoint("127.0.0.1", 9000))
    }

    @Test func ipv6InboundOutboundForwarded() {
        #expect(remoteEndpoint(of: makeEntry(from: "2001:db8::7", 50000, to: "2001:db8:1::1", 443), local: local)
            == endpoint("2001:db8::7", 443))
        #expect(remoteEndpoint(of: makeEntry(from: "::1", 50000, to: "2001:db8::9", 8443), local: local)
            == endpoint("2001:db8::9", 8443))
        #expect(remoteEndpoint(of: makeEntry(from: "2001:db8::7", 50000, to: "2001:db8::8", 25), local: local)
            == endpoint("2001:db8::8", 25))
    }

    @Test func labelsIPv6InBrackets() {
        let key = HostKey(endpoint("2001:db8:0:0:0:0:0:7", 443), mode: .endpoint)
        #expect(key.description == "[2001:db8::7]:443")
        #expect(HostKey(endpoint("2001:db8::7", 443), mode: .address).description == "2001:db8::7")
        #expect(HostKey(endpoint("198.18.0.7", 5432), mode: .endpoint).description == "198.18.0.7:5432")
        #expect(HostKey(endpoint("198.18.0.7", 5432), mode: .address).description == "198.18.0.7")
    }
}

func endpoint(_ address: String, _ port: UInt16) -> RemoteEndpoint {
    RemoteEndpoint(address: IPAddress(address)!, port: port)
}

/// A TCP entry as the kernel would report it, original direction.
/// The remote end as the labeler finds it: the direction, then the endpoint.
func remoteEndpoint(of entry: ConntrackEntry, local: LocalAddresses) -> RemoteEndpoint? {
    ConnectionDirection(of: entry, local: local).flatMap { RemoteEndpoint(of: entry, direction: $0) }
}

func makeEntry(from source: String, _ sourcePort: UInt16, to destination: String, _ destinationPort: UInt16,
               state: TCPState = .established, protocol l4proto: Int = CCT_PROTO_TCP, timeout: UInt32 = CCT_TIMEOUT_NONE,
               firstFin: ConntrackEntry.Side? = nil, unacknowledged: Bool = false, startNanoseconds: UInt64 = 0) -> ConntrackEntry {
    let sourceAddress = IPAddress(source)!
    var raw = cct_entry()
    raw.family = sourceAddress.family.rawValue
    raw.l4proto = UInt8(l4proto)
    raw.tcp_state = l4proto == CCT_PROTO_TCP ? state.rawValue : UInt8(CCT_TCP_STATE_NONE)
    raw.original.src_port = sourcePort
    raw.original.dst_port = destinationPort
    withUnsafeMutableBytes(of: &raw.original.src) { $0.copyBytes(from: sourceAddress.networkBytes) }
    withUnsafeMutableBytes(of: &raw.original.dst) { $0.copyBytes(from: IPAddress(destination)!.networkBytes) }
    raw.timeout = timeout
    let closeInit = UInt8(CCT_TCP_FLAG_CLOSE_INIT)
    raw.tcp_flags_original = firstFin == .original ? closeInit : 0
    raw.tcp_flags_reply = (firstFin == .reply ? closeInit : 0) | (unacknowledged ? UInt8(CCT_TCP_FLAG_DATA_UNACKNOWLEDGED) : 0)
    raw.start_ns = startNanoseconds
    return ConntrackEntry(raw: raw)
}
