@testable import Collectors
@testable import ConntrackAggregation
@testable import ConntrackModel
@testable import Exposition
import Testing

@Suite struct HostRendererTests {
    @Test func writesRenderedHostLabelsWithAnExtraOne() {
        var writer = ExpositionWriter()
        let hosts = [HostKey(RemoteEndpoint(address: IPAddress("198.18.0.7")!, port: 5432), mode: .endpoint),
                     HostKey(RemoteEndpoint(address: IPAddress("2001:db8::7")!, port: 443), mode: .endpoint),
                     HostKey(RemoteEndpoint(address: IPAddress("198.18.0.255")!, port: 80), mode: .address),
                     .other]
        let renderer = HostRenderer()
        let labels = RenderedLabels(count: hosts.count, names: renderer.labelNames) { item, label, bytes in
            renderer.appendValue(label, of: hosts[item], to: &bytes)
        }
        for index in hosts.indices { writer.sample("demo", label: index, of: labels, value: UInt64(index)) }
        writer.sample("demo", label: 1, of: labels, extra: ("closed_by", "local"), value: 9)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == """
            demo{host="198.18.0.7:5432"} 0
            demo{host="[2001:db8::7]:443"} 1
            demo{host="198.18.0.255"} 2
            demo{host="other"} 3
            demo{host="[2001:db8::7]:443",closed_by="local"} 9

            """)
    }
}
