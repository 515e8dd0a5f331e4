@testable import Exposition
import Logging
import Testing

@Suite struct CollectorRegistryTests {
    /// Writes a family, then fails midway through its second one when told to.
    struct HalfWritingCollector: Collector {
        struct Failure: Error {}
        let fails: Bool

        func collect(_ context: Void, into writer: inout ExpositionWriter) throws {
            writer.header(MetricDescriptor("demo_first", .gauge, help: "First."))
            writer.sample("demo_first", value: 1)
            writer.header(MetricDescriptor("demo_second", .gauge, help: "Second."))
            if fails { throw Failure() }
            writer.sample("demo_second", value: 2)
        }
    }

    @Test func aFailingCollectorLeavesNothingAndTheOthersStillReport() {
        let registry = CollectorRegistry<Void>(prefix: "demo", [
            .init("broken", HalfWritingCollector(fails: true)), .init("working", HalfWritingCollector(fails: false)),
        ], logger: Logger(label: "test"))
        var writer = ExpositionWriter()
        #expect(registry.collect((), into: &writer) == false)
        let text = String(decoding: writer.bytes, as: UTF8.self)
        #expect(text.components(separatedBy: "# TYPE demo_first gauge").count == 2, "only the working collector's families")
        #expect(text.contains("demo_second 2\n"))
        #expect(text.contains("demo_collector_success{collector=\"broken\"} 0\n"))
        #expect(text.contains("demo_collector_success{collector=\"working\"} 1\n"))
        #expect(text.contains("# TYPE demo_collector_duration_seconds gauge\ndemo_collector_duration_seconds{collector=\"broken\"} "))
    }

    @Test func everyCollectorSucceeding() {
        let registry = CollectorRegistry<Void>(prefix: "demo", [.init("working", HalfWritingCollector(fails: false))],
                                               logger: Logger(label: "test"))
        var writer = ExpositionWriter()
        #expect(registry.collect((), into: &writer))
    }
}
