/// Bytes and packets each way, as seen from this machine: `sent` leaves it, `received` comes
/// in. For a connection forwarded through it, as seen from the client's side (the same end
/// `closed_by="local"` names). Headers are included, as the kernel counts them.
public struct Traffic: Sendable, Equatable {
    public var sentBytes: UInt64
    public var sentPackets: UInt64
    public var receivedBytes: UInt64
    public var receivedPackets: UInt64

    public init(sentBytes: UInt64 = 0, sentPackets: UInt64 = 0, receivedBytes: UInt64 = 0, receivedPackets: UInt64 = 0) {
        self.sentBytes = sentBytes
        self.sentPackets = sentPackets
        self.receivedBytes = receivedBytes
        self.receivedPackets = receivedPackets
    }

    public static let zero = Traffic()

    /// Packets both ways.
    public var packets: UInt64 { sentPackets + receivedPackets }
    /// Bytes both ways.
    public var bytes: UInt64 { sentBytes + receivedBytes }

    @inlinable public static func += (lhs: inout Traffic, rhs: Traffic) {
        lhs.sentBytes &+= rhs.sentBytes
        lhs.sentPackets &+= rhs.sentPackets
        lhs.receivedBytes &+= rhs.receivedBytes
        lhs.receivedPackets &+= rhs.receivedPackets
    }

    public static func + (lhs: Traffic, rhs: Traffic) -> Traffic {
        var sum = lhs
        sum += rhs
        return sum
    }

    /// Each count the larger of the two: what a counter that never goes down shows.
    public func atLeast(_ other: Traffic) -> Traffic {
        Traffic(sentBytes: max(sentBytes, other.sentBytes), sentPackets: max(sentPackets, other.sentPackets),
                receivedBytes: max(receivedBytes, other.receivedBytes), receivedPackets: max(receivedPackets, other.receivedPackets))
    }

    /// How far each count of `self` is below `other`'s, zero where it is not.
    public func shortfall(below other: Traffic) -> Traffic {
        Traffic(sentBytes: other.sentBytes > sentBytes ? other.sentBytes - sentBytes : 0,
                sentPackets: other.sentPackets > sentPackets ? other.sentPackets - sentPackets : 0,
                receivedBytes: other.receivedBytes > receivedBytes ? other.receivedBytes - receivedBytes : 0,
                receivedPackets: other.receivedPackets > receivedPackets ? other.receivedPackets - receivedPackets : 0)
    }
}
