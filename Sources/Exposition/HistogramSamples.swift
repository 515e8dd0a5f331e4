/// What the text format needs of a histogram: cumulative buckets ending with +Inf, sum and count.
public protocol HistogramSamples {
    /// (upper bound, observations at or below it), ascending, the last bound +Inf.
    var cumulativeBuckets: [(upperBound: Double, count: UInt64)] { get }
    var sum: Double { get }
    var count: UInt64 { get }
}
