import ConntrackKernel
import ConntrackModel
import Glibc

/// Turns table entries into ``TrackedConnection``s: which host they count under, which
/// way they go, who closed first, how long they have been idle and alive.
public struct ConnectionClassifier: Sendable {
    public let labeler: HostLabeler
    public let timeouts: TCPTimeouts
    /// The real-time clock when the read started, in nanoseconds, for ages.
    public let nowNanoseconds: UInt64

    public init(labeler: HostLabeler, timeouts: TCPTimeouts, nowNanoseconds: UInt64 = Self.realTimeNanoseconds()) {
        self.labeler = labeler
        self.timeouts = timeouts
        self.nowNanoseconds = nowNanoseconds
    }

    /// Nil for entries that are not counted: other protocols, state NONE, ignored hosts.
    public func classify(_ entry: ConntrackEntry) -> TrackedConnection? {
        guard let tcpState = entry.tcpState, let state = ConnectionState(tcpState),
              let (host, direction) = labeler.classify(entry) else { return nil }
        let age = entry.startNanoseconds.flatMap { start in
            start <= nowNanoseconds ? UInt32(clamping: (nowNanoseconds - start) / 1_000_000_000) : nil
        }
        return TrackedConnection(host: host, direction: direction, tcpState: tcpState, state: state,
                                 closedBy: state == .closing ? ClosingSide(of: entry, direction: direction) : nil,
                                 idleSeconds: timeouts.idleSeconds(of: entry, state: tcpState), ageSeconds: age,
                                 traffic: Traffic(of: entry, direction: direction))
    }

    /// The clock the kernel's conntrack timestamps use.
    public static func realTimeNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
