import ConntrackModel

/// One `--ignore-hosts` entry: an address or network, a port, or both.
///
/// Accepted forms: `ip`, `ip:port`, `[v6]:port`, `net/len`, `net/len:port`,
/// `[v6net/len]:port`, `:port` and `*:port`. A rule matches a connection's
/// ``RemoteEndpoint``: the remote address and the server-side port.
public struct IgnoreRule: Equatable, Sendable, CustomStringConvertible {
    public let network: IPAddress?
    public let prefixLength: Int
    public let port: UInt16?

    /// Parses one entry; throws ``IgnoreRuleError`` naming the entry when it is malformed.
    public init(parsing text: some StringProtocol) throws(IgnoreRuleError) {
        let entry = String(text)
        func fail(_ reason: String) -> IgnoreRuleError { IgnoreRuleError(entry: entry, reason: reason) }

        var hostPart: Substring
        var portPart: Substring?
        if entry.hasPrefix("*:") {
            hostPart = ""
            portPart = entry.dropFirst(2)
        } else if entry.hasPrefix(":") && !entry.hasPrefix("::") {
            hostPart = ""
            portPart = entry.dropFirst()
        } else if entry.hasPrefix("[") {
            guard let close = entry.firstIndex(of: "]") else { throw fail("missing ']'") }
            hostPart = entry[entry.index(after: entry.startIndex)..<close]
            let rest = entry[entry.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw fail("expected ':port' after ']'") }
                portPart = rest.dropFirst()
            }
        } else if entry.filter({ $0 == ":" }).count == 1, let colon = entry.firstIndex(of: ":") {
            hostPart = entry[..<colon]
            portPart = entry[entry.index(after: colon)...]
        } else {
            hostPart = Substring(entry)
        }

        if let portPart {
            guard let port = UInt16(portPart), port > 0 else { throw fail("port must be 1-65535") }
            self.port = port
        } else {
            self.port = nil
        }

        if hostPart.isEmpty {
            guard port != nil else { throw fail("empty entry") }
            network = nil
            prefixLength = 0
            return
        }
        let addressText = hostPart.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(addressText[0]) else { throw fail("not an IP address") }
        network = address
        if addressText.count == 2 {
            guard let length = Int(addressText[1]), (0...address.family.bitWidth).contains(length) else {
                throw fail("prefix length must be 0-\(address.family.bitWidth)")
            }
            // IPv4 addresses sit in the top 32 of 128 bits, so a v4 prefix length applies as is.
            prefixLength = length
        } else {
            prefixLength = address.family.bitWidth
        }
    }

    /// Whether connections to `endpoint` are ignored by this rule.
    public func matches(_ endpoint: RemoteEndpoint) -> Bool {
        if let port, port != endpoint.port { return false }
        if let network, !endpoint.address.hasPrefix(network, length: prefixLength) { return false }
        return true
    }

    public var description: String {
        var text = ""
        if let network {
            text = network.description
            if prefixLength != network.family.bitWidth { text += "/\(prefixLength)" }
            if network.family == .v6 && port != nil { text = "[\(text)]" }
        }
        if let port { text += ":\(port)" }
        return text
    }
}

/// A malformed `--ignore-hosts` entry.
public struct IgnoreRuleError: Error, Equatable, CustomStringConvertible {
    public let entry: String
    public let reason: String

    public var description: String { "invalid --ignore-hosts entry \"\(entry)\": \(reason)" }
}
