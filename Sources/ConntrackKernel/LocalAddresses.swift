import ConntrackModel
import Glibc
import LinuxSystem

/// The addresses the kernel delivers locally: every address on every interface,
/// all of 127.0.0.0/8 and ::1. Read with getifaddrs(3); ``refresh()`` picks up
/// addresses added or removed since the last read.
public struct LocalAddresses: Sendable {
    // Checked for both ends of every entry of every dump. Machines have few addresses,
    // and comparing a few is cheaper than hashing one; many go into a set.
    @usableFromInline let few: [IPAddress]
    @usableFromInline let many: Set<IPAddress>?

    /// A fixed set, for tests and for callers that know the addresses.
    public init(_ addresses: some Sequence<IPAddress>) {
        let unique = Array(Set(addresses))
        few = unique.count <= 16 ? unique : []
        many = unique.count <= 16 ? nil : Set(unique)
    }

    /// Reads the interfaces' addresses now.
    public static func read() throws(SystemError) -> LocalAddresses {
        var list: UnsafeMutablePointer<ifaddrs>?
        try systemCall("listing interface addresses (getifaddrs)") { getifaddrs(&list) }
        defer { freeifaddrs(list) }
        var addresses: [IPAddress] = []
        var cursor = list
        while let entry = cursor {
            cursor = entry.pointee.ifa_next
            if let socketAddress = entry.pointee.ifa_addr, let address = IPAddress(socketAddress: socketAddress) {
                addresses.append(address)
            }
        }
        return LocalAddresses(addresses)
    }

    /// Whether the kernel would deliver a packet to `address` locally.
    @inlinable public func contains(_ address: IPAddress) -> Bool {
        switch address.family {
        case .v4:
            if address.hasPrefix(.ipv4LoopbackNetwork, length: 8) { return true }
        case .v6:
            if address == .ipv6Loopback { return true }
        }
        if let many { return many.contains(address) }
        return few.withUnsafeBufferPointer { $0.contains(address) }  // no retain per call, as in IgnoreList
    }
}

extension IPAddress {
    /// The address of an AF_INET or AF_INET6 socket address; nil for other families.
    package init?(socketAddress: UnsafePointer<sockaddr>) {
        switch Int32(socketAddress.pointee.sa_family) {
        case AF_INET:
            let address = UnsafeRawPointer(socketAddress).loadUnaligned(as: sockaddr_in.self)
            self = withUnsafeBytes(of: address.sin_addr) { IPAddress(family: .v4, networkBytes: $0) }
        case AF_INET6:
            let address = UnsafeRawPointer(socketAddress).loadUnaligned(as: sockaddr_in6.self)
            self = withUnsafeBytes(of: address.sin6_addr) { IPAddress(family: .v6, networkBytes: $0) }
        default:
            return nil
        }
    }
}
