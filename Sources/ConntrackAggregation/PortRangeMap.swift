import ConntrackModel

/// `--nat.port-range`: the ports source NAT allocates from, per translated address or network
/// (the exporter cannot read the NAT rules); the longest match wins, the kernel's default range
/// for the rest.
public struct PortRangeMap: Sendable {
    private let rules: [(network: IgnoreRule, range: PortRange)]

    public init() {
        rules = []
    }

    /// Parses `ADDRESS[/LEN]=FIRST-LAST` entries.
    public init(parsing entries: [String]) throws(PortRangeError) {
        var rules: [(network: IgnoreRule, range: PortRange)] = []
        for entry in entries {
            let parts = entry.split(separator: "=", maxSplits: 1)
            let ports = parts.count == 2 ? parts[1].split(separator: "-", maxSplits: 1) : []
            guard parts.count == 2, ports.count == 2, let first = UInt16(ports[0]), let last = UInt16(ports[1]), first > 0,
                  first <= last, let network = try? IgnoreRule(parsing: parts[0]), network.network != nil, network.port == nil else {
                throw PortRangeError(entry: entry)
            }
            rules.append((network, PortRange(first: first, last: last)))
        }
        self.rules = rules
    }

    /// The range translations to `address` draw from.
    public func range(for address: IPAddress) -> PortRange {
        rules.filter { $0.network.matches(RemoteEndpoint(address: address, port: 0)) }
            .max { $0.network.prefixLength < $1.network.prefixLength }?.range ?? .kernelDefault
    }
}

/// A malformed `--nat.port-range` entry.
public struct PortRangeError: Error, CustomStringConvertible {
    public let entry: String

    public var description: String {
        "invalid --nat.port-range entry \"\(entry)\": expected ADDRESS[/LEN]=FIRST-LAST, e.g. 198.18.2.1=40000-40099"
    }
}
