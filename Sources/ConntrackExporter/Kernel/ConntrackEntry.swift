import CConntrack

/// The C import of `uint8_t[16]`.
typealias CCTAddressBytes = (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                             UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)

/// One entry of the conntrack table, as the kernel reported it, original direction.
public struct ConntrackEntry: Sendable {
    let raw: cct_entry

    init(raw: cct_entry) {
        self.raw = raw
    }

    /// The layer-3 family, nil for anything but IPv4 and IPv6.
    public var family: IPAddress.Family? { IPAddress.Family(rawValue: raw.family) }
    /// Whether this is a TCP entry.
    public var isTCP: Bool { raw.l4proto == UInt8(CCT_PROTO_TCP) }
    /// The TCP state, nil for other protocols or when the kernel did not send one.
    public var tcpState: TCPState? { isTCP ? TCPState(rawValue: raw.tcp_state) : nil }
    /// The `IPS_*` status bits.
    public var status: UInt32 { raw.status }
    public var sourcePort: UInt16 { raw.src_port }
    public var destinationPort: UInt16 { raw.dst_port }

    public var source: IPAddress? { address(raw.src) }
    public var destination: IPAddress? { address(raw.dst) }

    // The C layer zeroes the entry, so an IPv4 address is followed by zero bytes,
    // which is exactly IPAddress's layout: two big-endian loads, no per-byte loop.
    private func address(_ bytes: CCTAddressBytes) -> IPAddress? {
        guard let family else { return nil }
        return withUnsafeBytes(of: bytes) { buffer in
            IPAddress(
                family: family,
                high: UInt64(bigEndian: buffer.loadUnaligned(as: UInt64.self)),
                low: UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            )
        }
    }
}
