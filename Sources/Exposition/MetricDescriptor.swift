/// A metric family's name, help text and type, declared once per family.
public struct MetricDescriptor: Sendable {
    public enum Kind: String, Sendable {
        case gauge
        case counter
        case histogram
    }

    public let name: String
    public let help: String
    public let kind: Kind

    public init(_ name: String, _ kind: Kind, help: String) {
        self.name = name
        self.kind = kind
        self.help = help
    }
}
