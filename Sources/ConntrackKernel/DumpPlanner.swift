/// Chooses each table read's ``DumpPlan`` from what earlier reads cost.
///
/// The TCP filter spares the kernel building and copying every other protocol's entries,
/// but each filtered dump walks the whole hash table, which holds every network
/// namespace's entries (a node's containers' too): two walks instead of one. Which plan
/// is cheaper depends on the table and the machine, so the planner measures: it dumps
/// whole until a read finds other protocols, then tries the filter, then keeps the plan
/// whose last read took less time, and tries the other one again every ``retryAfter``
/// reads, as the table and its mix of protocols change.
public struct DumpPlanner: Sendable {
    /// Reads between tries of the plan not chosen.
    public static let retryAfter = 20

    /// Seconds each plan's last read took.
    private var seconds: [DumpPlan: Double] = [:]
    /// Entries of other protocols in the last whole read.
    private var otherEntries = 0
    private var readsSinceRetry = 0

    public init() {}

    /// The plan for the next read.
    public mutating func plan() -> DumpPlan {
        guard otherEntries > 0 else { return .whole }
        guard let whole = seconds[.whole], let filtered = seconds[.tcpPerFamily] else {
            return seconds[.whole] == nil ? .whole : .tcpPerFamily
        }
        let cheaper: DumpPlan = filtered < whole ? .tcpPerFamily : .whole
        readsSinceRetry += 1
        guard readsSinceRetry > Self.retryAfter else { return cheaper }
        readsSinceRetry = 0
        return cheaper == .whole ? .tcpPerFamily : .whole
    }

    /// Records a read: its plan, how long it took, and the other protocols' entries it returned.
    public mutating func record(_ plan: DumpPlan, seconds elapsed: Double, otherProtocolEntries: Int) {
        seconds[plan] = elapsed
        if plan == .whole {
            otherEntries = otherProtocolEntries
            // Nothing to filter out any more: what the filter cost says nothing about later tables.
            if otherEntries == 0 { seconds[.tcpPerFamily] = nil }
        }
    }
}
