/// The ports a source-NAT rule allocates from, for translated addresses in a network.
public struct PortRange: Sendable, Equatable {
    /// Where a rule gives no range: the kernel keeps ports below 1024 privileged and picks the
    /// rest from 1024-65535.
    public static let kernelDefault = PortRange(first: 1024, last: 65535)

    public let first: UInt16
    public let last: UInt16

    public init(first: UInt16, last: UInt16) {
        self.first = first
        self.last = last
    }

    /// Ports in the range.
    public var size: Int { Int(last) - Int(first) + 1 }
}
