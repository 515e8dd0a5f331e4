import TextFormatting

/// Builds a response body in the Prometheus text exposition format (version 0.0.4) or in
/// OpenMetrics 1.0.0, as ``format`` says. Collectors write the same calls for both: the writer
/// names families, adds `# UNIT`, counters' `_created` samples and `# EOF` where OpenMetrics
/// has them, and writes a gauge histogram in the text format as gauges (see ``histogram(_:_:)``).
public struct ExpositionWriter: Sendable {
    public let format: ExpositionFormat
    public private(set) var bytes: [UInt8] = []
    /// The `_created` time of the counter and histogram series written next, in seconds since
    /// the epoch (OpenMetrics only): when they started counting from zero.
    public var created: Double
    /// The family whose samples are being written (set by ``header(_:)``).
    private var family: MetricDescriptor?

    /// `created` is when series start by default: the process's start.
    public init(format: ExpositionFormat = .text, created: Double = 0, reservingCapacity capacity: Int = 0) {
        self.format = format
        self.created = created
        bytes.reserveCapacity(capacity)
    }

    /// Drops what was written after the first `count` bytes (a collector that failed midway).
    public mutating func truncate(to count: Int) {
        bytes.removeSubrange(count...)
    }

    /// Ends the body: OpenMetrics's `# EOF`.
    public mutating func finish() {
        if format == .openMetrics { append("# EOF\n") }
    }

    /// Writes the `# HELP` and `# TYPE` lines of a family (and `# UNIT` in OpenMetrics); call
    /// once, before its samples. A gauge histogram in the text format has no header of its own:
    /// ``histogram(_:_:)`` writes one per gauge.
    public mutating func header(_ metric: MetricDescriptor) {
        family = metric
        if format == .text && metric.kind == .gaugeHistogram { return }
        let name = metric.familyName(in: format)
        writeHeader(name, type: format == .text ? metric.kind.rawValue : metric.kind.openMetricsType, help: metric.help)
        if format == .openMetrics, let unit = metric.unit { append("# UNIT \(name) \(unit)\n") }
    }

    /// Writes one sample line with a floating-point value.
    public mutating func sample(_ name: String, labels: KeyValuePairs<String, String> = [:], floatValue: Double) {
        let start = bytes.count
        append(name)
        writeLabels(labels)
        bytes.append(UInt8(ascii: " "))
        append(Self.format(floatValue))
        endSample(name, startingAt: start)
    }

    /// Writes one sample line with an integer value, printed exactly.
    public mutating func sample(_ name: String, labels: KeyValuePairs<String, String> = [:], value: UInt64) {
        let start = bytes.count
        append(name)
        writeLabels(labels)
        bytes.append(UInt8(ascii: " "))
        bytes.appendDecimal(value)
        endSample(name, startingAt: start)
    }

    /// Writes one sample line with labels built at run time, and an integer value.
    public mutating func sample(_ name: String, labelList: [(name: String, value: String)], value: UInt64) {
        let start = bytes.count
        append(name)
        writeLabels(labelList)
        bytes.append(UInt8(ascii: " "))
        bytes.appendDecimal(value)
        endSample(name, startingAt: start)
    }

    /// Writes one sample line with the label at `index` of `labels`, then `extra` when given,
    /// and an integer value.
    public mutating func sample(_ name: String, label index: Int, of labels: RenderedLabels,
                                extra: (name: String, value: String)? = nil, then second: (name: String, value: String)? = nil,
                                value: UInt64) {
        let start = bytes.count
        append(name)
        bytes.append(UInt8(ascii: "{"))
        labels.append(index, to: &bytes)
        if let extra { writeLabel(extra.name, extra.value, after: UInt8(ascii: ",")) }
        if let second { writeLabel(second.name, second.value, after: UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "}"))
        bytes.append(UInt8(ascii: " "))
        bytes.appendDecimal(value)
        endSample(name, startingAt: start)
    }

    /// Ends the sample line that starts at `start`. In OpenMetrics a counter's `_total` sample
    /// is followed by its `_created` sample, with the same labels.
    private mutating func endSample(_ name: String, startingAt start: Int) {
        bytes.append(UInt8(ascii: "\n"))
        guard format == .openMetrics, family?.kind == .counter, name.hasSuffix("_total") else { return }
        let nameEnd = start + name.utf8.count
        guard let valueStart = bytes[nameEnd...].lastIndex(of: UInt8(ascii: " ")) else { return }
        append(name.dropLast("_total".count) + "_created")
        bytes.append(contentsOf: Array(bytes[nameEnd...valueStart]))
        append(Self.format(created))
        bytes.append(UInt8(ascii: "\n"))
    }

    /// Writes a histogram family: header, then one histogram with no labels but `le`.
    ///
    /// A gauge histogram (a snapshot of the table, which may shrink) is OpenMetrics's
    /// `gaugehistogram`. The text format has no such type, and a histogram there is read as
    /// counters, so it is written as three families with the series names OpenMetrics gives it:
    /// `<name>_bucket` (with `le`, for `histogram_quantile`; untyped, since linters keep `le` to
    /// histograms), and the gauges `<name>_gsum` and `<name>_gcount`.
    public mutating func histogram(_ metric: MetricDescriptor, _ histogram: some HistogramSamples) {
        header(metric)
        if metric.kind == .gaugeHistogram && format == .text {
            for (suffix, type, part) in [("_bucket", "untyped", "buckets"), ("_gsum", "gauge", "sum"), ("_gcount", "gauge", "count")] {
                writeHeader(metric.name + suffix, type: type, help: "\(metric.help) The \(part) of this gauge histogram.")
                histogramSamples(metric.name, histogram, only: suffix)
            }
        } else {
            histogramSamples(metric.name, histogram, only: nil)
        }
    }

    /// Writes the samples of one histogram of family `name` (after its ``header(_:)``), with
    /// `label` (name, value) beside `le` when given; in OpenMetrics, a histogram's `_created`.
    public mutating func histogramSamples(_ name: String, _ histogram: some HistogramSamples,
                                          label: (name: String, value: String)? = nil) {
        precondition(family?.kind != .gaugeHistogram, "a gauge histogram is written whole, by histogram(_:_:)")
        histogramSamples(name, histogram, label: label, only: nil)
    }

    /// The samples of one histogram, or only those whose name ends with `suffix`.
    private mutating func histogramSamples(_ name: String, _ histogram: some HistogramSamples,
                                           label: (name: String, value: String)? = nil, only suffix: String?) {
        let gauge = family?.kind == .gaugeHistogram
        let labels: [(name: String, value: String)] = label.map { [$0] } ?? []
        let parts: [(suffix: String, value: String)] = [
            (gauge ? "_gsum" : "_sum", Self.format(histogram.sum)),
            (gauge ? "_gcount" : "_count", String(histogram.count)),
        ] + (gauge || format == .text ? [] : [("_created", Self.format(created))])
        if suffix == nil || suffix == "_bucket" {
            for bucket in histogram.cumulativeBuckets {
                sample("\(name)_bucket", labelList: labels + [("le", Self.format(bucket.upperBound))], value: bucket.count)
            }
        }
        for part in parts where suffix == nil || suffix == part.suffix {
            append(name + part.suffix)
            writeLabels(labels)
            append(" \(part.value)\n")
        }
    }

    private mutating func writeHeader(_ name: String, type: String, help: String) {
        append("# HELP \(name) \(Self.escapeHelp(help, format: format))\n")
        append("# TYPE \(name) \(type)\n")
    }

    // A scrape writes a few samples per host, so samples go straight into the bytes:
    // no string built per label or value.
    private mutating func writeLabels(_ labels: KeyValuePairs<String, String>) {
        writeLabels(labels.map { (name: $0.key, value: $0.value) })
    }

    private mutating func writeLabels(_ labels: [(name: String, value: String)]) {
        guard !labels.isEmpty else { return }
        var separator = UInt8(ascii: "{")
        for (name, value) in labels {
            writeLabel(name, value, after: separator)
            separator = UInt8(ascii: ",")
        }
        bytes.append(UInt8(ascii: "}"))
    }

    private mutating func writeLabel(_ name: String, _ value: String, after separator: UInt8) {
        bytes.append(separator)
        Self.appendLabel(name, value, to: &bytes)
    }

    private mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// Appends `name="value"` with the value escaped.
    private static func appendLabel(_ name: String, _ value: String, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: name.utf8)
        bytes.append(UInt8(ascii: "="))
        bytes.append(UInt8(ascii: "\""))
        appendEscaped(value.utf8, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Escapes the label value that `bytes` holds from `start` on, in place: backslash,
    /// double quote and line feed, as the text format requires. Values that need none (every
    /// address) are only scanned.
    static func escapeLabelValue(in bytes: inout [UInt8], from start: Int) {
        guard bytes[start...].contains(where: needsEscape) else { return }
        let value = Array(bytes[start...])
        bytes.removeSubrange(start...)
        appendEscaped(value, to: &bytes)
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\n")
    }

    private static func appendEscaped(_ value: some Sequence<UInt8>, to bytes: inout [UInt8]) {
        for byte in value {
            if needsEscape(byte) { bytes.append(UInt8(ascii: "\\")) }
            bytes.append(byte == UInt8(ascii: "\n") ? UInt8(ascii: "n") : byte)
        }
    }

    /// Escapes help text: backslash and line feed, and in OpenMetrics the double quote too.
    static func escapeHelp(_ help: String, format: ExpositionFormat = .text) -> String {
        let escaped = help.replacing("\\", with: "\\\\").replacing("\n", with: "\\n")
        return format == .openMetrics ? escaped.replacing("\"", with: "\\\"") : escaped
    }

    /// Formats a float the way Prometheus parses it (`+Inf`, `-Inf`, `NaN`).
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
