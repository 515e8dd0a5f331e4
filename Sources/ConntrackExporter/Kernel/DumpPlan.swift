/// How one table read asks the kernel for the entries.
public enum DumpPlan: Equatable, Sendable {
    /// One dump of every entry, of every protocol.
    case whole
    /// One dump per address family with a kernel filter that keeps TCP entries only.
    case tcpPerFamily

    /// Each dump walks the whole table, so two filtered dumps of an all-TCP table cost
    /// about 1.09x one whole dump, and the filter pays only while other protocols make up
    /// more than about a tenth of the table. Below this share of TCP entries it is chosen.
    public static let filteredBelowTCPShare = 0.85

    /// The plan for a table of `entries` entries (of every protocol) whose last read found
    /// `lastTCPEntries` TCP entries; the whole dump when nothing is known yet.
    public static func choose(entries: UInt32, lastTCPEntries: Int?) -> DumpPlan {
        guard let lastTCPEntries else { return .whole }
        return Double(lastTCPEntries) < filteredBelowTCPShare * Double(entries) ? .tcpPerFamily : .whole
    }
}
