import Glibc
import TextFormatting

/// An IPv4 or IPv6 address, stored as 128 bits so both families hash and match
/// prefixes the same way. An IPv4 address occupies the top 32 bits.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public enum Family: UInt8, Sendable {
        case v4 = 2
        case v6 = 10

        /// The number of bits of an address of this family.
        @inlinable public var bitWidth: Int { self == .v4 ? 32 : 128 }
    }

    // The family last: 17 bytes, so a HostKey (address and port) packs into 24, and the
    // host table of a large read keeps a quarter fewer key bytes in the caches.
    @usableFromInline package let high: UInt64
    @usableFromInline package let low: UInt64
    public let family: Family

    /// Builds an address from 4 (IPv4) or 16 (IPv6) bytes in network order.
    public init<Bytes: Collection<UInt8>>(family: Family, networkBytes bytes: Bytes) {
        var value: (UInt64, UInt64) = (0, 0)
        for (index, byte) in bytes.prefix(family == .v4 ? 4 : 16).enumerated() {
            if index < 8 {
                value.0 |= UInt64(byte) << (56 - 8 * index)
            } else {
                value.1 |= UInt64(byte) << (56 - 8 * (index - 8))
            }
        }
        self.init(family: family, high: value.0, low: value.1)
    }

    @inlinable package init(family: Family, high: UInt64, low: UInt64) {
        self.family = family
        self.high = high
        self.low = low
    }

    /// Parses the text form of an address ("198.18.0.7", "2001:db8::7"); nil if it is not one.
    public init?(_ text: some StringProtocol) {
        var storage = in6_addr()
        let string = String(text)
        for family in [Family.v4, .v6] {
            let parsed = withUnsafeMutableBytes(of: &storage) { buffer in
                inet_pton(Int32(family.rawValue), string, buffer.baseAddress) == 1
                    ? IPAddress(family: family, networkBytes: buffer) : nil
            }
            if let parsed {
                self = parsed
                return
            }
        }
        return nil
    }

    /// The address in network byte order (4 or 16 bytes).
    public var networkBytes: [UInt8] {
        let count = family == .v4 ? 4 : 16
        return (0..<count).map { index in
            let word = index < 8 ? high : low
            return UInt8(truncatingIfNeeded: word >> (56 - 8 * (index % 8)))
        }
    }

    /// The address with a port as URLs write it: `198.18.0.7:5432`, `[2001:db8::7]:443`.
    public func description(withPort port: UInt16) -> String {
        Self.text { appendText(withPort: port, to: &$0) }
    }

    /// The canonical text form, as inet_ntop prints it (RFC 5952 for IPv6).
    public var description: String {
        Self.text { appendText(to: &$0) }
    }

    /// Appends ``description(withPort:)`` to `bytes`.
    public func appendText(withPort port: UInt16, to bytes: inout [UInt8]) {
        if family == .v6 { bytes.append(UInt8(ascii: "[")) }
        appendText(to: &bytes)
        if family == .v6 { bytes.append(UInt8(ascii: "]")) }
        bytes.append(UInt8(ascii: ":"))
        bytes.appendDecimal(UInt64(port))
    }

    /// Appends ``description`` to `bytes`: a scrape writes every host's label this way,
    /// with no string built per host.
    public func appendText(to bytes: inout [UInt8]) {
        guard family == .v6 else {
            // Dotted decimal written directly: inet_ntop formats IPv4 through sprintf,
            // several times slower.
            for shift in stride(from: 56, through: 32, by: -8) {
                if shift < 56 { bytes.append(UInt8(ascii: ".")) }
                bytes.appendDecimal(high >> UInt64(shift) & 0xff)
            }
            return
        }
        var words = (high.bigEndian, low.bigEndian)  // network order, without an array
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(INET6_ADDRSTRLEN)) { text in
            _ = inet_ntop(Int32(family.rawValue), &words, text.baseAddress, socklen_t(text.count))
            bytes.append(contentsOf: UnsafeRawBufferPointer(start: text.baseAddress, count: strlen(text.baseAddress!)))
        }
    }

    private static func text(_ write: (inout [UInt8]) -> Void) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(INET6_ADDRSTRLEN) + 8)
        write(&bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether the first `length` bits equal those of `prefix` (same family only).
    @inlinable public func hasPrefix(_ prefix: IPAddress, length: Int) -> Bool {
        guard family == prefix.family else { return false }
        let mask = Self.mask(length)
        return (high ^ prefix.high) & mask.high == 0 && (low ^ prefix.low) & mask.low == 0
    }

    /// The network of this address with a `length`-bit prefix: the bits after it cleared.
    @inlinable public func masked(to length: Int) -> IPAddress {
        let mask = Self.mask(length)
        return IPAddress(family: family, high: high & mask.high, low: low & mask.low)
    }

    @inlinable static func mask(_ length: Int) -> (high: UInt64, low: UInt64) {
        (length >= 64 ? ~0 : (length <= 0 ? 0 : ~0 << (64 - length)), length >= 128 ? ~0 : (length <= 64 ? 0 : ~0 << (128 - length)))
    }

    /// The IPv6 loopback address ::1.
    public static let ipv6Loopback = IPAddress(family: .v6, high: 0, low: 1)
    /// 127.0.0.0, the start of the IPv4 loopback network 127.0.0.0/8.
    public static let ipv4LoopbackNetwork = IPAddress(family: .v4, high: 127 << 56, low: 0)
}
