import ConntrackModel

/// When each closing connection began to close: its first FIN or its RST, as the UPDATE event
/// that moved it into a closing state arrived. A duration ends there, not at the DESTROY, which
/// comes after the kernel's linger (TIME_WAIT 120 s, CLOSE_WAIT 60 s, CLOSE 10 s by default) and
/// its garbage collector's lag.
///
/// Keyed by the entry's id; an entry leaves at its DESTROY. Bounded: past ``capacity`` closing
/// connections further ones are not timed, and entries whose DESTROY never came (lost events)
/// are dropped after ``maxAgeNanoseconds``. Used by the listener thread alone.
struct CloseTimes {
    /// About 20 bytes each: 10 MB at most.
    static let capacity = 500_000
    /// Longer than any closing state lasts, with the kernel's defaults or ten times them.
    static let maxAgeNanoseconds: UInt64 = 3_600 * 1_000_000_000

    private var started: [UInt32: UInt64] = [:]

    /// Records that the connection `id` began closing at `nanoseconds` (real time), unless it
    /// already had or the map is full; an UPDATE into any later closing state keeps the first.
    mutating func recordClose(of id: UInt32, at nanoseconds: UInt64) {
        guard started[id] == nil, started.count < Self.capacity else { return }
        started[id] = nanoseconds
    }

    /// When `id` began closing, forgetting it (its DESTROY came); nil if that was not seen.
    mutating func takeClose(of id: UInt32) -> UInt64? {
        started.removeValue(forKey: id)
    }

    /// Drops what no DESTROY took in ``maxAgeNanoseconds``.
    mutating func dropStale(now nanoseconds: UInt64) {
        guard nanoseconds > Self.maxAgeNanoseconds else { return }
        let cutoff = nanoseconds - Self.maxAgeNanoseconds
        if started.values.contains(where: { $0 < cutoff }) { started = started.filter { $0.value >= cutoff } }
    }
}

extension TCPState {
    /// A state the kernel enters at the first FIN (FIN_WAIT and those after it) or an RST (CLOSE).
    var isClosing: Bool { isHalfClosed || self == .timeWait || self == .close }
}
