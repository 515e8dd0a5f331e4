@testable import ConntrackKernel
@testable import ConntrackModel
import TestFixtures
import Testing

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
