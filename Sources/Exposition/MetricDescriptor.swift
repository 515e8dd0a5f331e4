/// A metric family's name, help text and type, declared once per family.
public struct MetricDescriptor: Sendable {
    public enum Kind: String, Sendable {
        case gauge
        case counter
        case histogram
        /// A histogram of what is there now (it may shrink), not of what happened.
        case gaugeHistogram

        /// The type as OpenMetrics names it.
        var openMetricsType: String { self == .gaugeHistogram ? "gaugehistogram" : rawValue }
    }

    /// The name as the text format writes it: counters end in `_total`.
    public let name: String
    public let help: String
    public let kind: Kind

    public init(_ name: String, _ kind: Kind, help: String) {
        precondition(kind != .counter || name.hasSuffix("_total"), "a counter's name ends in _total: \(name)")
        self.name = name
        self.kind = kind
        self.help = help
    }

    /// The family's name in `format`: OpenMetrics names a counter without its `_total`.
    func familyName(in format: ExpositionFormat) -> String {
        format == .openMetrics && kind == .counter ? String(name.dropLast("_total".count)) : name
    }

    /// The unit OpenMetrics states (`# UNIT`), from the name's suffix as Prometheus's naming
    /// conventions put it there.
    var unit: String? {
        let name = familyName(in: .openMetrics)
        return ["seconds", "bytes"].first { name.hasSuffix("_" + $0) }
    }
}
