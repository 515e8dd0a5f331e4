import ConntrackKernel
import ConntrackModel

/// Decides which `host` label a connection counts under, the same way for the gauges
/// and the event counters: its ``RemoteEndpoint``, unless the ignore list matches it,
/// labelled as the ``HostLabelMode`` says.
public struct HostLabeler: Sendable {
    public let local: LocalAddresses
    public let ignore: IgnoreList
    public let mode: HostLabelMode

    public init(local: LocalAddresses, ignore: IgnoreList, mode: HostLabelMode) {
        self.local = local
        self.ignore = ignore
        self.mode = mode
    }

    /// The host `entry` counts under; nil when it is ignored or its addresses are unknown.
    public func host(of entry: ConntrackEntry) -> HostKey? {
        classify(entry)?.host
    }

    /// The host `entry` counts under and its direction; nil as for ``host(of:)``.
    public func classify(_ entry: ConntrackEntry) -> (host: HostKey, direction: ConnectionDirection)? {
        guard let direction = ConnectionDirection(of: entry, local: local),
              let endpoint = RemoteEndpoint(of: entry, direction: direction), !ignore.matches(endpoint) else { return nil }
        return (HostKey(endpoint, mode: mode), direction)
    }
}
