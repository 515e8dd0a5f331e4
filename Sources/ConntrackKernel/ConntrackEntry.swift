import CConntrack
import ConntrackModel

/// One entry of the conntrack table as the kernel reported it, in a dump or an event.
public struct ConntrackEntry {
    /// Where an entry came from.
    public enum Message: UInt8, Sendable {
        case dump = 0
        case new = 1
        case destroy = 2
        /// A change of an entry's state or status: the new state only, never the old one.
        case update = 3
    }

    @usableFromInline package let raw: cct_entry

    @inlinable package init(raw: cct_entry) {
        self.raw = raw
    }

    public var message: Message { Message(rawValue: raw.message) ?? .dump }
    /// The layer-3 family, nil for anything but IPv4 and IPv6.
    @inlinable public var family: IPAddress.Family? { IPAddress.Family(rawValue: raw.family) }
    /// Whether this is a TCP entry.
    @inlinable public var isTCP: Bool { raw.l4proto == UInt8(CCT_PROTO_TCP) }
    /// The TCP state, nil for other protocols or when the kernel did not send one.
    @inlinable public var tcpState: TCPState? { isTCP ? TCPState(rawValue: raw.tcp_state) : nil }
    /// The `IPS_*` status bits.
    @inlinable public var status: UInt32 { raw.status }
    /// Whether the kernel translated the source (IPS_SRC_NAT) or the destination (IPS_DST_NAT).
    @inlinable public var isSourceNAT: Bool { raw.status & (1 << 4) != 0 }
    @inlinable public var isDestinationNAT: Bool { raw.status & (1 << 5) != 0 }
    /// The layer-4 protocol number.
    public var protocolNumber: UInt8 { raw.l4proto }

    /// Whether packets were seen in the reply direction (IPS_SEEN_REPLY).
    @inlinable public var sawReply: Bool { raw.status & (1 << 1) != 0 }
    @inlinable public var sourcePort: UInt16 { raw.original.src_port }
    @inlinable public var destinationPort: UInt16 { raw.original.dst_port }
    @inlinable public var source: IPAddress? { address(raw.original.src) }
    @inlinable public var destination: IPAddress? { address(raw.original.dst) }

    /// The original and reply directions as (source, source port, destination, destination port).
    /// A dump's reply tuple is parsed on demand, so ask for it only where it is needed (NAT).
    public var original: Tuple? { tuple(raw.original) }
    public var reply: Tuple? {
        var reply = cct_tuple()
        return withUnsafePointer(to: raw) { cct_entry_reply($0, &reply) } == 0 ? tuple(reply) : nil
    }

    /// Packets and bytes of the original and reply directions (`nf_conntrack_acct`); nil when
    /// the message carried none (accounting off, or switched on after the entry was created).
    @inlinable public var counters: (original: (packets: UInt64, bytes: UInt64), reply: (packets: UInt64, bytes: UInt64))? {
        guard raw.has_counters != 0 else { return nil }
        return ((raw.packets_original, raw.bytes_original), (raw.packets_reply, raw.bytes_reply))
    }

    /// The kernel's id of the entry, the same in every dump and event of its life; nil when absent.
    public var id: UInt32? { raw.id == 0 ? nil : raw.id }

    public struct Tuple: Sendable {
        public let source: IPAddress
        public let sourcePort: UInt16
        public let destination: IPAddress
        public let destinationPort: UInt16
    }

    /// Seconds until the kernel expires the entry (`CTA_TIMEOUT`); in a DESTROY event only when
    /// the entry was removed before it expired (an RST answering the SYN, a deletion).
    @inlinable public var timeoutSeconds: UInt32? { raw.timeout == CCT_TIMEOUT_NONE ? nil : raw.timeout }

    /// Which direction sent the first FIN (`IP_CT_TCP_FLAG_CLOSE_INIT`); nil when the kernel
    /// marked neither (no FIN yet, or the flags are absent, as in DESTROY events).
    @inlinable public var firstFin: Side? {
        let original = raw.tcp_flags_original & UInt8(CCT_TCP_FLAG_CLOSE_INIT) != 0
        let reply = raw.tcp_flags_reply & UInt8(CCT_TCP_FLAG_CLOSE_INIT) != 0
        guard original != reply else { return nil }
        return original ? .original : .reply
    }

    /// Whether either direction has sent data not yet acknowledged, which shortens the
    /// kernel's timeout to `nf_conntrack_tcp_timeout_unacknowledged`.
    @inlinable public var hasUnacknowledgedData: Bool {
        (raw.tcp_flags_original | raw.tcp_flags_reply) & UInt8(CCT_TCP_FLAG_DATA_UNACKNOWLEDGED) != 0
    }

    /// When the kernel created the entry, in nanoseconds of the real-time clock
    /// (`nf_conntrack_timestamp` on); nil otherwise.
    @inlinable public var startNanoseconds: UInt64? { raw.start_ns == 0 ? nil : raw.start_ns }

    /// The two directions of a conntrack entry.
    public enum Side: Sendable {
        /// From the original tuple's source (who sent the first packet).
        case original
        case reply
    }

    /// The netlink message the entry came from; valid only while the entry is being handled.
    package var netlinkMessage: UnsafeRawPointer? { raw.netlink_message }

    private func tuple(_ tuple: cct_tuple) -> Tuple? {
        guard let source = address(tuple.src), let destination = address(tuple.dst) else { return nil }
        return Tuple(source: source, sourcePort: tuple.src_port, destination: destination, destinationPort: tuple.dst_port)
    }

    // The C layer zeroes the entry, so an IPv4 address is followed by zero bytes,
    // which is exactly IPAddress's layout: two big-endian loads, no per-byte loop.
    @inlinable func address(_ bytes: CCTAddressBytes) -> IPAddress? {
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

/// The C import of `uint8_t[16]`.
public typealias CCTAddressBytes = (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                            UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)
