import ConntrackAggregation
import ConntrackModel

/// `?host=`: a host label value (`198.18.0.7:5432`, `[2001:db8::7]:443`) or a bare address,
/// which matches the address on every port; or a host's name (`db-1.example.org`, with
/// `:port` or not), which matches the hosts that have it.
public struct HostFilter: Sendable, Equatable {
    public let address: IPAddress?
    public let port: UInt16?
    /// The name asked for, lower-cased; nil when an address was.
    public let name: String?

    public init(address: IPAddress, port: UInt16?) {
        self.address = address
        self.port = port
        name = nil
    }

    /// With `names`, a name is taken too (hosts have names only with a names source).
    public init?(_ text: String, names: Bool = false) {
        if let address = IPAddress(text) {
            self.init(address: address, port: nil)
            return
        }
        if names, let named = Self.name(text) {
            self = named
            return
        }
        let host: Substring
        let portText: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.isEmpty || rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard let address = IPAddress(host) else { return nil }
        if portText.isEmpty {
            guard text.hasPrefix("[") else { return nil }
            self.init(address: address, port: nil)
        } else {
            guard let port = UInt16(portText) else { return nil }
            self.init(address: address, port: port)
        }
    }

    private init(name: String, port: UInt16?) {
        self.name = name
        self.port = port
        address = nil
    }

    /// `name` or `name:port`, when the name has a letter and only letters, digits, hyphens and dots.
    private static func name(_ text: String) -> HostFilter? {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        var name = parts[0].lowercased()
        guard name.contains(where: \.isLetter), name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") })
        else { return nil }
        if name.hasSuffix(".") { name.removeLast() }
        guard parts.count == 2 else { return HostFilter(name: name, port: nil) }
        guard let port = UInt16(parts[1]) else { return nil }
        return HostFilter(name: name, port: port)
    }

    /// Whether `host` is one the filter asks for; names are `renderer`'s.
    public func matches(_ host: HostKey, renderer: HostRenderer) -> Bool {
        if let port, host.port != port { return false }
        if let name { return renderer.name(of: host)?.name == name }
        return host.address == address
    }
}
