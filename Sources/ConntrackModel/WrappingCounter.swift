/// Turns a 32-bit counter that wraps (the kernel's per-CPU conntrack statistics) into
/// a 64-bit one that does not, assuming fewer than 2^32 increments between reads.
public struct WrappingCounter: Sendable, Equatable {
    public private(set) var total: UInt64
    private var last: UInt32

    /// Starts at the first value read.
    public init(_ first: UInt32) {
        total = UInt64(first)
        last = first
    }

    public mutating func update(_ value: UInt32) {
        total += UInt64(value &- last)
        last = value
    }
}
