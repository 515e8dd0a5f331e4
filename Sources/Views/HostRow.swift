import ConntrackAggregation
import ConntrackModel

/// One line of `GET /hosts`: a host's connections now and its counters since start. Rows
/// order by how busy the host is (connections now, then opened since start), so the
/// greatest row is the busiest.
struct HostRow: Sendable, Comparable {
    let host: HostKey
    let now: StateCounts
    let opened: UInt64
    let closed: OutcomeCounts

    private var rank: (UInt32, UInt64) { (now.total, opened) }

    // Equal ranks order by host, the lower address ranking higher, so the view is stable.
    static func < (lhs: HostRow, rhs: HostRow) -> Bool {
        lhs.rank != rhs.rank ? lhs.rank < rhs.rank : rhs.host < lhs.host
    }

    static func == (lhs: HostRow, rhs: HostRow) -> Bool { lhs.host == rhs.host }
}
