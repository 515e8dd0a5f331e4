@testable import Collectors
@testable import ConntrackAggregation
@testable import ConntrackModel
@testable import Exposition
import Testing

@Suite struct HostSeriesTests {
    /// 198.18.0.7 and 198.18.0.8 are both db.example.org, 198.18.0.10 is web.example.org, 198.18.0.9 has no name.
    struct SharedName: HostNaming {
        let names = ["198.18.0.7": "db.example.org", "198.18.0.8": "db.example.org", "198.18.0.10": "web.example.org"]

        func name(of host: HostKey) -> HostName? {
            names[host.address.description].map { HostName(name: $0, source: .file) }
        }
    }

    @Test func hostsThatWouldReadTheSameByNameKeepTheirAddresses() {
        let hosts = ["198.18.0.7", "198.18.0.8", "198.18.0.9", "198.18.0.10"].enumerated().map { index, address in
            (key: HostKey(RemoteEndpoint(address: IPAddress(address)!, port: 5432), mode: .endpoint), value: UInt64(index + 1))
        }
        let series = HostSeries(hosts, renderer: HostRenderer(names: SharedName(), labelsByName: true))
        var writer = ExpositionWriter()
        series.write(MetricDescriptor("demo", .gauge, help: "demo"), into: &writer) { $0 }
        let samples = String(decoding: writer.bytes, as: UTF8.self).split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(Set(samples) == ["demo{host=\"198.18.0.7:5432\"} 1", "demo{host=\"198.18.0.8:5432\"} 2",
                                 "demo{host=\"198.18.0.9:5432\"} 3", "demo{host=\"web.example.org:5432\"} 4"])
    }
}
