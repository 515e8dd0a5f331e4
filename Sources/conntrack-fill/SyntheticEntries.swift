import CConntrack

/// A deterministic mix of entries: remote hosts in 198.18.0.0/15 and 2001:db8::/32,
/// inbound, outbound and forwarded, every counted TCP state, and some UDP.
struct SyntheticEntries {
    /// Hosts are numbered into 198.18.0.0/15.
    static let maxHosts = 1 << 17
    static let servicePorts: [UInt16] = [22, 80, 443, 5432, 6379]
    static let tcpStates: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8, 9]  // SYN_SENT ... CLOSE, SYN_SENT2
    static let seenReply: UInt32 = 1 << 1
    static let assured: UInt32 = 1 << 2

    let hosts: Int
    /// The number of the first host, so successive fills can bring new hosts.
    let firstHost: Int
    let ipv6Percent: Int
    let udpPercent: Int

    /// Entry `index`: its tuple, state and the status bits to set.
    func entry(_ index: Int) -> (cct_entry, UInt32) {
        let host = firstHost + index % hosts
        let round = index / hosts
        // A multiplicative hash spreads families, protocols and directions over indices.
        let mix = (index &* 2_654_435_761) >> 7 & 0xffff
        let isIPv6 = mix % 100 < ipv6Percent
        let isUDP = (mix / 100) % 100 < udpPercent
        var entry = cct_entry()
        entry.family = UInt8(isIPv6 ? CCT_AF_INET6 : CCT_AF_INET)
        entry.l4proto = UInt8(isUDP ? CCT_PROTO_UDP : CCT_PROTO_TCP)
        entry.tcp_state = Self.tcpStates[index % Self.tcpStates.count]
        let service = Self.servicePorts[host % Self.servicePorts.count]
        let ephemeral = UInt16(1024 + round % 64_000)
        let remote = address(host: host, ipv6: isIPv6, secondNetwork: false)
        let local = isIPv6 ? [UInt8](repeating: 0, count: 15) + [1] : [127, 0, 0, 1]
        switch (index / 7) % 3 {
        case 0:  // inbound: remote client to a local service
            set(&entry, source: remote, sourcePort: ephemeral, destination: local, destinationPort: service)
        case 1:  // outbound: local client to a remote service
            set(&entry, source: local, sourcePort: ephemeral, destination: remote, destinationPort: service)
        default:  // forwarded: neither end local
            let client = address(host: host, ipv6: isIPv6, secondNetwork: true)
            set(&entry, source: client, sourcePort: ephemeral, destination: remote, destinationPort: service)
        }
        let state = entry.tcp_state
        let replied = isUDP || (state != 1 && state != 9)
        return (entry, replied ? Self.seenReply | Self.assured : 0)
    }

    private func address(host: Int, ipv6: Bool, secondNetwork: Bool) -> [UInt8] {
        if ipv6 {
            return [0x20, 0x01, 0x0d, 0xb8, 0, secondNetwork ? 1 : 0] + [UInt8](repeating: 0, count: 7)
                + [UInt8(host >> 16), UInt8(host >> 8 & 0xff), UInt8(host & 0xff)]
        }
        // Forwarded clients come from the top of 198.18.0.0/15, counting down.
        let number = secondNetwork ? Self.maxHosts - 1 - host : host
        return [198, UInt8(18 + number >> 16), UInt8(number >> 8 & 0xff), UInt8(number & 0xff)]
    }

    private func set(_ entry: inout cct_entry, source: [UInt8], sourcePort: UInt16,
                     destination: [UInt8], destinationPort: UInt16) {
        withUnsafeMutableBytes(of: &entry.original.src) { $0.copyBytes(from: source) }
        withUnsafeMutableBytes(of: &entry.original.dst) { $0.copyBytes(from: destination) }
        entry.original.src_port = sourcePort
        entry.original.dst_port = destinationPort
    }
}
