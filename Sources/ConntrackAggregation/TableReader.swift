import ConntrackKernel
import ConntrackModel
import Glibc
import LinuxSystem
import Logging
import TextFormatting

/// Reads the conntrack table: one dump per call, every entry classified once for the
/// gauges and offered to `observers` (the curl views').
public protocol TableSource {
    func read(observers: [any ConnectionObserver]) throws(SystemError) -> TableRead
}

/// The ``TableSource`` of the running exporter.
///
/// Each read's ``DumpPlan`` comes from a ``DumpPlanner``, so a table full of UDP is not
/// sent to the exporter only to be skipped, where filtering pays. A kernel that refuses
/// the TCP filter or ignores it (before Linux 5.8) is noticed once, logged, and dumped
/// whole from then on; the read that noticed still counts right.
///
/// Not thread-safe: reads run one at a time (the scrape queue's).
public final class TableReader: TableSource {
    private let dumper: any TableDumping
    private let ignore: IgnoreList
    private let mode: HostLabelMode
    private let idleThreshold: UInt32
    private let logger: Logger
    /// Hosts in the last read, to size the next one's host table.
    private var lastHostCount = 0
    private var planner = DumpPlanner()
    /// False once the kernel has refused or ignored the TCP filter.
    private var filterWorks = true

    /// Hosts a read counts apart at most, 0 for any number (see ``ConnectionStateTable``).
    private let maxHosts: Int
    /// How translations are counted: not at all (nil), TCP, or TCP and UDP (every read then
    /// dumps every protocol).
    private let nat: NATTracking?
    /// The event counters' closed traffic now, taken as each read starts (``TableRead/closedTraffic``).
    private let closedTraffic: LifecycleStore?

    /// What the reads count of NAT.
    public enum NATTracking: Sendable {
        case tcp
        case tcpAndUDP
    }

    public init(dumper: any TableDumping, ignore: IgnoreList, mode: HostLabelMode, idleThreshold: UInt32,
                maxHosts: Int = 0, nat: NATTracking? = nil, closedTraffic: LifecycleStore? = nil, logger: Logger) {
        self.dumper = dumper
        self.closedTraffic = closedTraffic
        self.maxHosts = maxHosts
        self.nat = nat
        self.ignore = ignore
        self.mode = mode
        self.idleThreshold = idleThreshold
        self.logger = logger
    }

    /// Reads the local addresses, the TCP timeouts and the table now.
    public func read(observers: [any ConnectionObserver] = []) throws(SystemError) -> TableRead {
        let labeler = HostLabeler(local: try LocalAddresses.read(), ignore: ignore, mode: mode)
        let classifier = ConnectionClassifier(labeler: labeler, timeouts: TCPTimeouts.read())
        var plan = filterWorks && nat != .tcpAndUDP ? planner.plan() : .whole
        let closed = closedTraffic?.withCounters { $0.closedTraffic } ?? [:]
        let start = ContinuousClock.now
        var result: TableRead
        do {
            result = try read(plan, classifier: classifier, observers: observers)
        } catch where plan == .tcpPerFamily && (error.errno == EINVAL || error.errno == EOPNOTSUPP) {
            stopFiltering(because: "the kernel refused it", error: error)
            plan = .whole
            result = try read(plan, classifier: classifier, observers: observers)
        }
        if plan == .tcpPerFamily && result.otherProtocolEntries > 0 {
            stopFiltering(because: "the kernel ignored it", error: nil)
        }
        planner.record(plan, seconds: (ContinuousClock.now - start).inSeconds, otherProtocolEntries: result.otherProtocolEntries)
        lastHostCount = result.table.hostCount
        result.closedTraffic = closed
        return result
    }

    private func read(_ plan: DumpPlan, classifier: ConnectionClassifier, observers: [any ConnectionObserver]) throws(SystemError) -> TableRead {
        let table = ConnectionStateTable(classifier: classifier, idleThreshold: idleThreshold, expectedHosts: lastHostCount,
                                         maxHosts: maxHosts)
        let natCounts = nat.map { NATCounts(maxPairs: maxHosts, idleThreshold: idleThreshold, countsUDP: $0 == .tcpAndUDP) }
        var builder = TableRead.Builder(table: table, observers: observers, nat: natCounts)
        switch plan {
        case .whole:
            try dumper.dump(family: nil, tcpOnly: false) { builder.add($0) }
        case .tcpPerFamily:
            for family in [IPAddress.Family.v4, .v6] {
                try dumper.dump(family: family, tcpOnly: true) { builder.add($0) }
            }
        }
        return builder.read
    }

    private func stopFiltering(because reason: String, error: SystemError?) {
        filterWorks = false
        var metadata: Logger.Metadata = ["reason": "\(reason)"]
        if let error { metadata["err"] = "\(error)" }
        logger.warning("conntrack dumps filtered to TCP need Linux 5.8 or later; dumping the whole table from now on",
                       metadata: metadata)
    }
}
