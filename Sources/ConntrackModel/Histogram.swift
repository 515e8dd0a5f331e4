/// A cumulative histogram in Prometheus's sense: counts per upper bound, sum and count.
public struct Histogram: Sendable, Equatable {
    public let upperBounds: [Double]
    /// Observations at or below each bound (not cumulative; the exposition adds them up).
    public private(set) var bucketCounts: [UInt64]
    public private(set) var sum: Double = 0
    public private(set) var count: UInt64 = 0

    public init(upperBounds: [Double]) {
        self.upperBounds = upperBounds
        bucketCounts = Array(repeating: 0, count: upperBounds.count)
    }

    public mutating func observe(_ value: Double) {
        if let index = upperBounds.firstIndex(where: { value <= $0 }) { bucketCounts[index] += 1 }
        sum += value
        count += 1
    }

    /// (upper bound, cumulative count) pairs, ending with +Inf.
    public var cumulativeBuckets: [(upperBound: Double, count: UInt64)] {
        var running: UInt64 = 0
        var buckets = zip(upperBounds, bucketCounts).map { bound, count in
            running += count
            return (bound, running)
        }
        buckets.append((.infinity, self.count))
        return buckets
    }
}
