/// Closed connections of one host per ``ConnectionOutcome``.
public struct OutcomeCounts: Sendable, Equatable {
    // Inline lanes, not an array: one value per host with no allocation of its own.
    private var counts = SIMD8<UInt64>()

    public init() {}

    public subscript(outcome: ConnectionOutcome) -> UInt64 {
        get { counts[outcome.rawValue] }
        set { counts[outcome.rawValue] = newValue }
    }
}
