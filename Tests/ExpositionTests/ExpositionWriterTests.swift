@testable import Exposition
import Testing

@Suite struct ExpositionWriterTests {
    @Test(arguments: [
        ("plain", "plain"),
        ("a\"b", "a\\\"b"),
        ("back\\slash", "back\\\\slash"),
        ("two\nlines", "two\\nlines"),
        ("[2001:db8::7]:443", "[2001:db8::7]:443"),
    ])
    func escapesLabelValues(value: String, escaped: String) {
        var writer = ExpositionWriter()
        writer.sample("demo", labels: ["host": value], value: 0)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "demo{host=\"\(escaped)\"} 0\n")
    }

    @Test(arguments: [UInt64(0), 7, 10, 1_234_567, .max])
    func writesIntegersExactly(value: UInt64) {
        var writer = ExpositionWriter()
        writer.sample("demo", value: value)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "demo \(value)\n")
    }

    @Test func writesFamiliesAndSamples() {
        var writer = ExpositionWriter()
        writer.header(MetricDescriptor("demo_total", .counter, help: "Help with \\ and\nnewline."))
        writer.sample("demo_total", labels: ["host": "a\"b", "x": "y"], value: 42)
        writer.sample("demo_total", floatValue: 0.25)
        writer.sample("demo_total", floatValue: .infinity)
        writer.sample("demo_total", floatValue: 3)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == """
            # HELP demo_total Help with \\\\ and\\nnewline.
            # TYPE demo_total counter
            demo_total{host="a\\"b",x="y"} 42
            demo_total 0.25
            demo_total +Inf
            demo_total 3

            """)
    }
}
