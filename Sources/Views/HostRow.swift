import ConntrackAggregation
import ConntrackModel

/// One line of `GET /hosts`: a host's connections now and its counters since start. Rows
/// order by how busy the host is (connections now, then opened since start; or bytes both
/// ways with `sort=bytes`), so the greatest row is the busiest.
struct HostRow: Sendable, Comparable {
    let host: HostKey
    let now: StateCounts
    let opened: UInt64
    let closed: OutcomeCounts
    /// Bytes and packets of its connections closed since start and open now; nil without accounting.
    let traffic: Traffic?
    /// Packets per connection closed since start, both ways; nil when none closed with counters.
    let packetsPerConnection: Double?
    let sortsByBytes: Bool

    private var rank: (UInt64, UInt64) {
        sortsByBytes ? (traffic?.bytes ?? 0, UInt64(now.total)) : (UInt64(now.total), opened)
    }

    // Equal ranks order by host, the lower address ranking higher, so the view is stable.
    static func < (lhs: HostRow, rhs: HostRow) -> Bool {
        lhs.rank != rhs.rank ? lhs.rank < rhs.rank : rhs.host < lhs.host
    }

    static func == (lhs: HostRow, rhs: HostRow) -> Bool { lhs.host == rhs.host }
}
