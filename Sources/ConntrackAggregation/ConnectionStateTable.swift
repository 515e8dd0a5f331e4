import ConntrackKernel
import ConntrackModel

/// Counts TCP connections per host and ``ConnectionState`` from conntrack entries, with
/// the closing ones split by who closed first, idle open connections per host, and the
/// idle time and age of every open connection.
///
/// Non-TCP entries, uncounted states and ignored connections are skipped.
public struct ConnectionStateTable: Sendable {
    /// Idle times span a scrape interval to the five-day established timeout.
    public static let idleBounds: [Double] = [1, 5, 10, 30, 60, 300, 900, 1800, 3600, 7200, 21600, 86400, 432000]

    public private(set) var classifier: ConnectionClassifier
    /// Open connections idle for at least this many seconds count as idle; 0 counts none.
    public let idleThreshold: UInt32
    private var hostCounts: HostCountTable
    /// Counts kept from events, which replace the read's own (see ``replacingCounts(with:nowNanoseconds:)``).
    private var keptHosts: [(key: HostKey, value: StateCounts)]?
    /// Idle time of every open connection whose idle time is known.
    public private(set) var idle = Histogram(upperBounds: idleBounds)
    /// Age of every open connection, when the kernel stamps entries.
    public private(set) var age = Histogram(upperBounds: LifecycleCounters.durationBounds)

    /// `expectedHosts` sizes the table up front (the last read's count), so a read of a
    /// large table does not rehash as it grows. With `maxHosts` above 0, at most that many
    /// hosts are counted apart; connections of further hosts count under ``HostKey/other``.
    public init(classifier: ConnectionClassifier, idleThreshold: UInt32, expectedHosts: Int = 0, maxHosts: Int = 0) {
        self.classifier = classifier
        self.idleThreshold = idleThreshold
        hostCounts = HostCountTable(expectedHosts: expectedHosts, idleThreshold: idleThreshold, maxHosts: maxHosts)
    }

    /// Whether more hosts came than are counted apart (see `maxHosts`).
    public var overflowed: Bool { keptHosts.map { $0.contains { $0.key == .other } } ?? hostCounts.overflowed }

    /// Each host's counts, in no particular order; built on each call.
    public var hosts: [(key: HostKey, value: StateCounts)] { keptHosts ?? hostCounts.hosts }

    /// Each host's counts; built on each call.
    public var counts: [HostKey: StateCounts] { Dictionary(uniqueKeysWithValues: hosts) }

    /// Hosts with counts.
    public var hostCount: Int { keptHosts?.count ?? hostCounts.count }

    /// This read with each host's state counts replaced by `kept` (a table kept from events),
    /// and the age histogram by `ages` when given, as of `nowNanoseconds`. The idle count of each
    /// host, the idle histogram and the traffic stay this read's: events do not carry them.
    public func replacingCounts(with kept: [(key: HostKey, value: StateCounts)], ages: Histogram? = nil,
                                nowNanoseconds: UInt64) -> ConnectionStateTable {
        var replaced = self
        if let ages { replaced.age = ages }
        let idle = Dictionary(hosts.lazy.filter { $0.value.idle > 0 }.map { ($0.key, $0.value.idle) }, uniquingKeysWith: +)
        replaced.keptHosts = kept.map { host in
            var counts = host.value
            counts.idle = min(idle[host.key] ?? 0, counts[.open])
            return (host.key, counts)
        }
        replaced.classifier = ConnectionClassifier(labeler: classifier.labeler, timeouts: classifier.timeouts,
                                                   nowNanoseconds: nowNanoseconds)
        return replaced
    }

    /// The traffic of each host's connections in the table's dump, for the hosts that have any.
    /// With counts kept from events, that is the latest rebuild's dump: its
    /// ``TableRead/closedTraffic`` is what had closed when it started.
    public var traffic: [(key: HostKey, value: Traffic)] { hostCounts.hostTraffic }

    /// Connections counted whose entries carry no counters.
    public private(set) var withoutCounters = 0

    /// Counts `entry`; returns how it was classified, nil when it is not counted.
    @discardableResult
    public mutating func add(_ entry: ConntrackEntry) -> TrackedConnection? {
        guard let connection = classifier.classify(entry) else { return nil }
        hostCounts.add(connection)
        if connection.traffic == nil { withoutCounters += 1 }
        if connection.state == .open {
            if let idleSeconds = connection.idleSeconds { idle.observe(Double(idleSeconds)) }
            if let ageSeconds = connection.ageSeconds { age.observe(Double(ageSeconds)) }
        }
        return connection
    }
}

extension StateCounts {
    mutating func add(_ connection: TrackedConnection, idleThreshold: UInt32) {
        count(connection.tcpState, closedBy: connection.closedBy, adding: true)
        if idleThreshold > 0, connection.state == .open, let idleSeconds = connection.idleSeconds, idleSeconds >= idleThreshold {
            idle += 1
        }
    }
}
