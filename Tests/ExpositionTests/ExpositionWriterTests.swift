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

@Suite struct OpenMetricsWriterTests {
    struct Buckets: HistogramSamples {
        var cumulativeBuckets: [(upperBound: Double, count: UInt64)] = [(1, 2), (.infinity, 3)]
        var sum = 4.5
        var count: UInt64 = 3
    }

    @Test func namesCountersWithoutTotalAndFollowsEachWithItsCreatedTime() {
        var writer = ExpositionWriter(format: .openMetrics, created: 1_700_000_000.5)
        writer.header(MetricDescriptor("demo_read_seconds_total", .counter, help: "Says \"other\"."))
        writer.sample("demo_read_seconds_total", labels: ["host": "a"], floatValue: 2)
        writer.created = 1_700_000_100
        writer.sample("demo_read_seconds_total", labels: ["host": "b"], value: 3)
        writer.finish()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == """
            # HELP demo_read_seconds Says \\"other\\".
            # TYPE demo_read_seconds counter
            # UNIT demo_read_seconds seconds
            demo_read_seconds_total{host="a"} 2
            demo_read_seconds_created{host="a"} 1700000000.5
            demo_read_seconds_total{host="b"} 3
            demo_read_seconds_created{host="b"} 1700000100
            # EOF

            """)
    }

    @Test func aGaugeHistogramIsGaugehistogramInOpenMetrics() {
        var writer = ExpositionWriter(format: .openMetrics)
        writer.histogram(MetricDescriptor("demo_idle_seconds", .gaugeHistogram, help: "Now."), Buckets())
        #expect(String(decoding: writer.bytes, as: UTF8.self) == """
            # HELP demo_idle_seconds Now.
            # TYPE demo_idle_seconds gaugehistogram
            # UNIT demo_idle_seconds seconds
            demo_idle_seconds_bucket{le="1"} 2
            demo_idle_seconds_bucket{le="+Inf"} 3
            demo_idle_seconds_gsum 4.5
            demo_idle_seconds_gcount 3

            """)
    }

    /// The text format has no gauge histogram, and its histogram is read as counters: the same
    /// series, as families that may go down.
    @Test func aGaugeHistogramIsTheSameSeriesAsGaugesInText() {
        var writer = ExpositionWriter(format: .text)
        writer.histogram(MetricDescriptor("demo_idle_seconds", .gaugeHistogram, help: "Now."), Buckets())
        #expect(String(decoding: writer.bytes, as: UTF8.self) == """
            # HELP demo_idle_seconds_bucket Now. The buckets of this gauge histogram.
            # TYPE demo_idle_seconds_bucket untyped
            demo_idle_seconds_bucket{le="1"} 2
            demo_idle_seconds_bucket{le="+Inf"} 3
            # HELP demo_idle_seconds_gsum Now. The sum of this gauge histogram.
            # TYPE demo_idle_seconds_gsum gauge
            demo_idle_seconds_gsum 4.5
            # HELP demo_idle_seconds_gcount Now. The count of this gauge histogram.
            # TYPE demo_idle_seconds_gcount gauge
            demo_idle_seconds_gcount 3

            """)
    }

    @Test func aHistogramHasItsCreatedTimeInOpenMetrics() {
        var writer = ExpositionWriter(format: .openMetrics, created: 5)
        writer.header(MetricDescriptor("demo_duration_seconds", .histogram, help: "Lived."))
        writer.histogramSamples("demo_duration_seconds", Buckets(), label: ("outcome", "reset"))
        #expect(String(decoding: writer.bytes, as: UTF8.self).hasSuffix("""
            demo_duration_seconds_sum{outcome="reset"} 4.5
            demo_duration_seconds_count{outcome="reset"} 3
            demo_duration_seconds_created{outcome="reset"} 5

            """))
    }

    @Test(arguments: [
        // Prometheus 2.42's default, and Prometheus 3's.
        ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
         ExpositionFormat.openMetrics),
        ("application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1",
         .openMetrics),
        ("text/plain;version=0.0.4;q=1,application/openmetrics-text;version=1.0.0;q=0.5", .text),
        ("application/openmetrics-text; version=2.0.0", .text),
        ("application/openmetrics-text;q=0", .text),
        ("*/*", .text),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", .text),
    ])
    func negotiatesFromAccept(accept: String, format: ExpositionFormat) {
        #expect(ExpositionFormat.negotiated(accept: accept) == format)
    }
}
