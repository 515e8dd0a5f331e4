/// Chooses each table read's ``DumpPlan`` from what earlier reads cost.
///
/// The TCP filter spares the kernel building and copying every other protocol's entries,
/// but each filtered dump walks the whole hash table, which holds every network
/// namespace's entries (a node's containers' too): two walks instead of one. Which plan
/// is cheaper depends on the table and the machine, so the planner measures: it dumps
/// whole until a read finds other protocols, then tries the filter, then keeps the plan
/// whose last read cost less per table entry, and tries the other one again every
/// ``retryAfter`` reads, as the mix of protocols changes.
public struct DumpPlanner: Sendable {
    /// Reads between tries of the plan not chosen.
    public static let retryAfter = 20

    /// Seconds per table entry of each plan's last read.
    private var costPerEntry: [DumpPlan: Double] = [:]
    /// Entries of other protocols in the last whole read.
    private var otherEntries = 0
    private var readsSinceRetry = 0

    public init() {}

    /// The plan for the next read.
    public mutating func plan() -> DumpPlan {
        guard otherEntries > 0 else { return .whole }
        guard let whole = costPerEntry[.whole], let filtered = costPerEntry[.tcpPerFamily] else {
            return costPerEntry[.whole] == nil ? .whole : .tcpPerFamily
        }
        let cheaper: DumpPlan = filtered < whole ? .tcpPerFamily : .whole
        readsSinceRetry += 1
        guard readsSinceRetry > Self.retryAfter else { return cheaper }
        readsSinceRetry = 0
        return cheaper == .whole ? .tcpPerFamily : .whole
    }

    /// Records a read: its plan, how long it took, the table's entries at its start, and the
    /// other protocols' entries it returned.
    public mutating func record(_ plan: DumpPlan, seconds: Double, entries: UInt32, otherProtocolEntries: Int) {
        costPerEntry[plan] = seconds / Double(max(entries, 1))
        if plan == .whole {
            otherEntries = otherProtocolEntries
            // Nothing to filter out any more: what the filter cost says nothing about later tables.
            if otherEntries == 0 { costPerEntry[.tcpPerFamily] = nil }
        }
    }
}
