import ConntrackModel

/// `?host=`: a host label value (`198.18.0.7:5432`, `[2001:db8::7]:443`) or a bare address,
/// which matches the address on every port.
public struct HostFilter: Sendable, Equatable {
    public let address: IPAddress
    public let port: UInt16?

    public init(address: IPAddress, port: UInt16?) {
        self.address = address
        self.port = port
    }

    public init?(_ text: String) {
        if let address = IPAddress(text) {
            self.address = address
            port = nil
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
        self.address = address
        if portText.isEmpty {
            guard text.hasPrefix("[") else { return nil }
            port = nil
        } else {
            guard let port = UInt16(portText) else { return nil }
            self.port = port
        }
    }

    public func matches(_ host: HostKey) -> Bool {
        host.address == address && (port == nil || host.port == port)
    }
}
