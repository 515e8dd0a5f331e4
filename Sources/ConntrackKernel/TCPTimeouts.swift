import ConntrackModel
import LinuxSystem

/// The kernel's TCP conntrack timeouts (`net.netfilter.nf_conntrack_tcp_timeout_*`), read
/// at each table read because an administrator can change them. Only read, never written.
///
/// The kernel resets an entry's timeout to its state's value on every packet, so the
/// time since the last packet is that value minus the seconds left (`CTA_TIMEOUT`).
public struct TCPTimeouts: Sendable, Equatable {
    package static let directory = "/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_"

    /// Seconds per state, indexed by ``TCPState``'s raw value.
    @usableFromInline let seconds: [UInt32?]
    /// Applies instead when it is shorter and data is unacknowledged.
    @usableFromInline let unacknowledged: UInt32?

    public init(seconds: [TCPState: UInt32], unacknowledged: UInt32?) {
        self.seconds = TCPState.allCases.map { seconds[$0] }
        self.unacknowledged = unacknowledged
    }

    /// Reads the sysctls; a state whose file cannot be read has no idle time.
    public static func read() -> TCPTimeouts {
        var byName: [String: UInt32] = [:]
        var seconds: [TCPState: UInt32] = [:]
        for state in TCPState.allCases {
            guard let name = state.timeoutName else { continue }
            if byName[name] == nil { byName[name] = value(name) }
            seconds[state] = byName[name]
        }
        return TCPTimeouts(seconds: seconds, unacknowledged: value("unacknowledged"))
    }

    private static func value(_ name: String) -> UInt32? {
        (try? FileContents.read(directory + name))?.split(whereSeparator: \.isWhitespace).first.flatMap { UInt32($0) }
    }

    /// Seconds since the entry last saw a packet; nil when it carries no timeout, its
    /// state's timeout is unknown, or it has more time left than the timeout (a conntrack
    /// timeout policy set another one).
    @inlinable public func idleSeconds(of entry: ConntrackEntry, state: TCPState) -> UInt32? {
        guard let remaining = entry.timeoutSeconds, var timeout = seconds[Int(state.rawValue)] else { return nil }
        if entry.hasUnacknowledgedData, let unacknowledged, unacknowledged < timeout { timeout = unacknowledged }
        return remaining <= timeout ? timeout - remaining : nil
    }
}

extension TCPState {
    /// The suffix of the state's timeout sysctl; SYN_SENT2 shares SYN_SENT's.
    package var timeoutName: String? {
        switch self {
        case .none: nil
        case .synSent, .synSent2: "syn_sent"
        case .synReceived: "syn_recv"
        case .established: "established"
        case .finWait: "fin_wait"
        case .closeWait: "close_wait"
        case .lastAck: "last_ack"
        case .timeWait: "time_wait"
        case .close: "close"
        }
    }
}
