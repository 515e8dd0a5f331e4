import Glibc

/// The clients that count as one when the server makes room: one IPv4 address, or one IPv6
/// /64 (a single host or subscriber can hold a whole /64, so a flood from one is one client).
struct ClientGroup: Hashable, Sendable {
    private let family: sa_family_t
    private let prefix: UInt64

    /// The group of the peer address in `storage`; IPv4-mapped IPv6 counts as IPv4.
    init(peer storage: sockaddr_storage) {
        switch Int32(storage.ss_family) {
        case AF_INET:
            let address = withUnsafeBytes(of: storage) { $0.loadUnaligned(as: sockaddr_in.self) }
            self.init(family: sa_family_t(AF_INET), prefix: UInt64(UInt32(bigEndian: address.sin_addr.s_addr)))
        case AF_INET6:
            let address = withUnsafeBytes(of: storage) { $0.loadUnaligned(as: sockaddr_in6.self) }
            let (high, low) = withUnsafeBytes(of: address.sin6_addr) {
                (UInt64(bigEndian: $0.loadUnaligned(as: UInt64.self)), UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
            }
            // ::ffff:a.b.c.d is an IPv4 client of a dual-stack socket.
            if high == 0, low >> 32 == 0xffff {
                self.init(family: sa_family_t(AF_INET), prefix: low & 0xffff_ffff)
            } else {
                self.init(family: sa_family_t(AF_INET6), prefix: high)
            }
        default:
            self.init(family: storage.ss_family, prefix: 0)
        }
    }

    private init(family: sa_family_t, prefix: UInt64) {
        self.family = family
        self.prefix = prefix
    }
}
