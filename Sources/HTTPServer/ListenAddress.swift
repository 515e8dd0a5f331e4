import Glibc

/// An address to listen on, as `--web.listen-address` takes it: `host:port`,
/// `[v6]:port`, or `:port` for every address (IPv6 and IPv4).
public struct ListenAddress: Equatable, Sendable, CustomStringConvertible {
    /// The host, without brackets; nil for every address.
    public let host: String?
    public let port: UInt16

    /// The exporter's registered port.
    public static let defaultPort: UInt16 = 9318

    public init(host: String?, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// The address `--bind-address` and `--listen-port` compose; an IPv6 host may
    /// come with or without brackets, an empty or missing one means every address.
    public init(bindAddress: String?, port: UInt16) {
        var host = Substring(bindAddress ?? "")
        if host.hasPrefix("[") && host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        self.init(host: host.isEmpty ? nil : String(host), port: port)
    }

    /// Parses `host:port`; throws ``ListenAddressError`` naming the text when malformed.
    public init(parsing text: String) throws(ListenAddressError) {
        guard let colon = text.lastIndex(of: ":") else {
            throw ListenAddressError(address: text, reason: "expected host:port, [v6]:port or :port")
        }
        var host = text[..<colon]
        guard let port = UInt16(text[text.index(after: colon)...]) else {
            throw ListenAddressError(address: text, reason: "port must be 0-65535")
        }
        if host.hasPrefix("[") {
            guard host.hasSuffix("]") else { throw ListenAddressError(address: text, reason: "missing ']'") }
            host = host.dropFirst().dropLast()
        } else if host.contains(":") {
            throw ListenAddressError(address: text, reason: "write an IPv6 address in brackets, e.g. [::]:9318")
        } else if !host.isEmpty, host.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), !Self.isIPv4(host) {
            // Digits and dots are an IPv4 address or a mistake, never a name to look up in DNS.
            throw ListenAddressError(address: text, reason: "\"\(host)\" is not an IPv4 address")
        }
        self.init(host: host.isEmpty ? nil : String(host), port: port)
    }

    private static func isIPv4(_ text: Substring) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, String(text), &address) == 1
    }

    public var description: String {
        guard let host else { return ":\(port)" }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// A malformed listen address.
public struct ListenAddressError: Error, Equatable, CustomStringConvertible {
    public let address: String
    public let reason: String

    private static func isIPv4(_ text: Substring) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, String(text), &address) == 1
    }

    public var description: String { "invalid listen address \"\(address)\": \(reason)" }
}
