/// The identity of one `host` label value: a remote address and, unless the label
/// mode drops it, the server-side port.
public struct HostKey: Hashable, Sendable, CustomStringConvertible {
    public let address: IPAddress
    /// The port, or a value above 0xffff when the label carries none.
    @usableFromInline let packedPort: UInt32

    @inlinable public init(_ endpoint: RemoteEndpoint, mode: HostLabelMode) {
        address = endpoint.address
        packedPort = mode == .address ? 1 << 16 : UInt32(endpoint.port)
    }

    public var port: UInt16? { packedPort > 0xffff ? nil : UInt16(packedPort) }

    /// Every host that `--max-hosts` folds away, labelled `other`; it sorts after every host.
    public static let other = HostKey(address: IPAddress(family: .v6, high: ~0, low: ~0), packedPort: otherPort)
    private static let otherPort: UInt32 = 1 << 17

    private init(address: IPAddress, packedPort: UInt32) {
        self.address = address
        self.packedPort = packedPort
    }

    // Hashed for every entry of every dump: three words, where the synthesized
    // conformance would feed the family, the optional's tag and its value separately.
    @inlinable public func hash(into hasher: inout Hasher) {
        hasher.combine(address.high)
        hasher.combine(address.low)
        hasher.combine(UInt32(address.family.rawValue) << 24 | packedPort)
    }

    /// The label value: `198.18.0.7:5432`, `[2001:db8::7]:443`, or the bare address.
    public var description: String {
        var bytes: [UInt8] = []
        appendText(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends ``description`` to `bytes`.
    public func appendText(to bytes: inout [UInt8]) {
        if packedPort == Self.otherPort {
            bytes.append(contentsOf: "other".utf8)
        } else if let port {
            address.appendText(withPort: port, to: &bytes)
        } else {
            address.appendText(to: &bytes)
        }
    }
}

extension HostKey: Comparable {
    // Sorts every host of every scrape: compares the stored words, no tuple or optional built.
    @inlinable public static func < (lhs: HostKey, rhs: HostKey) -> Bool {
        if lhs.address.family != rhs.address.family { return lhs.address.family.rawValue < rhs.address.family.rawValue }
        if lhs.address.high != rhs.address.high { return lhs.address.high < rhs.address.high }
        if lhs.address.low != rhs.address.low { return lhs.address.low < rhs.address.low }
        return lhs.packedPort < rhs.packedPort
    }
}
