import TextFormatting

/// Builds a response body in the Prometheus text exposition format (version 0.0.4).
public struct ExpositionWriter: Sendable {
    /// The `Content-Type` of what this writer produces.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public private(set) var bytes: [UInt8] = []

    public init(reservingCapacity capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    /// Drops what was written after the first `count` bytes (a collector that failed midway).
    public mutating func truncate(to count: Int) {
        bytes.removeSubrange(count...)
    }

    /// Writes the `# HELP` and `# TYPE` lines of a family; call once, before its samples.
    public mutating func header(_ metric: MetricDescriptor) {
        append("# HELP \(metric.name) \(Self.escapeHelp(metric.help))\n")
        append("# TYPE \(metric.name) \(metric.kind.rawValue)\n")
    }

    /// Writes one sample line with a floating-point value.
    public mutating func sample(_ name: String, labels: KeyValuePairs<String, String> = [:], floatValue: Double) {
        append(name)
        writeLabels(labels)
        bytes.append(UInt8(ascii: " "))
        append(Self.format(floatValue))
        bytes.append(UInt8(ascii: "\n"))
    }

    /// Writes one sample line with an integer value, printed exactly.
    public mutating func sample(_ name: String, labels: KeyValuePairs<String, String> = [:], value: UInt64) {
        append(name)
        writeLabels(labels)
        bytes.append(UInt8(ascii: " "))
        bytes.appendDecimal(value)
        bytes.append(UInt8(ascii: "\n"))
    }

    /// Writes one sample line with labels built at run time, and an integer value.
    public mutating func sample(_ name: String, labelList: [(name: String, value: String)], value: UInt64) {
        append(name)
        writeLabels(labelList)
        bytes.append(UInt8(ascii: " "))
        bytes.appendDecimal(value)
        bytes.append(UInt8(ascii: "\n"))
    }

    /// Writes one sample line with the label at `index` of `labels`, then `extra` when given,
    /// and an integer value.
    public mutating func sample(_ name: String, label index: Int, of labels: RenderedLabels,
                                extra: (name: String, value: String)? = nil, then second: (name: String, value: String)? = nil,
                                value: UInt64) {
        append(name)
        bytes.append(UInt8(ascii: "{"))
        labels.append(index, to: &bytes)
        if let extra { writeLabel(extra.name, extra.value, after: UInt8(ascii: ",")) }
        if let second { writeLabel(second.name, second.value, after: UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "}"))
        bytes.append(UInt8(ascii: " "))
        bytes.appendDecimal(value)
        bytes.append(UInt8(ascii: "\n"))
    }

    /// Writes a histogram family: header, then one histogram with `labels` and no others.
    public mutating func histogram(_ metric: MetricDescriptor, _ histogram: some HistogramSamples) {
        header(metric)
        histogramSamples(metric.name, histogram)
    }

    /// Writes the `_bucket`, `_sum` and `_count` lines of one histogram of family `name`,
    /// with `label` (name, value) beside `le` when given.
    public mutating func histogramSamples(_ name: String, _ histogram: some HistogramSamples, label: (name: String, value: String)? = nil) {
        for bucket in histogram.cumulativeBuckets {
            let le = Self.format(bucket.upperBound)
            if let label {
                sample("\(name)_bucket", labels: [label.name: label.value, "le": le], value: bucket.count)
            } else {
                sample("\(name)_bucket", labels: ["le": le], value: bucket.count)
            }
        }
        if let label {
            sample("\(name)_sum", labels: [label.name: label.value], floatValue: histogram.sum)
            sample("\(name)_count", labels: [label.name: label.value], value: histogram.count)
        } else {
            sample("\(name)_sum", floatValue: histogram.sum)
            sample("\(name)_count", value: histogram.count)
        }
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

    /// Escapes help text: backslash and line feed.
    static func escapeHelp(_ help: String) -> String {
        help.replacing("\\", with: "\\\\").replacing("\n", with: "\\n")
    }

    /// Formats a float the way Prometheus parses it (`+Inf`, `-Inf`, `NaN`).
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
