import ConntrackKernel
import ConntrackModel
import LinuxSystem

/// Counters driven by conntrack events: connections opened and closed per host, how
/// they ended, how long they lived, and the events themselves. They only grow, except
/// that a host's counters are forgotten once they have not moved for a while
/// (``forgetHosts(unchangedSince:)``). With a host cap, hosts first seen once the cap is
/// reached count under ``HostKey/other``, and stay there: a host's series never moves
/// between its own label and `other`, so every counter only grows.
public struct LifecycleCounters: Sendable {
    /// Connection lifetimes span milliseconds (refused) to days (idle pools).
    public static let durationBounds: [Double] = [0.001, 0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800, 3600, 21600, 86400]

    public private(set) var opened: [HostKey: UInt64] = [:]
    public private(set) var closed: [HostKey: OutcomeCounts] = [:]
    public private(set) var durations: [Histogram] = ConnectionOutcome.allCases.map { _ in
        Histogram(upperBounds: durationBounds)
    }
    /// Closed connections that were to be timed but are not in ``durations``: no first FIN or
    /// RST was seen (they expired, the UPDATE was lost, or too many were closing at once), or the
    /// entry has no start time.
    public private(set) var untimedClosures: UInt64 = 0
    public private(set) var newEvents: UInt64 = 0
    public private(set) var destroyEvents: UInt64 = 0
    /// UPDATE events, received only with the table kept from events.
    public private(set) var updateEvents: UInt64 = 0
    public private(set) var overflows: UInt64 = 0
    /// When each host's counters last moved, in seconds of the monotonic clock.
    public private(set) var lastChanged: [HostKey: Int64] = [:]
    /// When each host got counters (its series' `_created`), in seconds of the monotonic clock.
    public private(set) var since: [HostKey: Int64] = [:]
    /// Hosts whose counters were forgotten.
    public private(set) var forgottenHosts: UInt64 = 0
    /// Closed connections per destination-NAT backend and outcome, under their host.
    public private(set) var backendClosed: [BackendKey: OutcomeCounts] = [:]
    /// Closed connections counted under (`other`, `other`), the pairs being at their cap.
    public private(set) var backendClosesFolded: UInt64 = 0
    /// Final traffic of each host's closed connections (DESTROY events with counters).
    public private(set) var closedTraffic: [HostKey: Traffic] = [:]
    /// Packets (both ways) of closed connections with counters, per ``ConnectionOutcome``.
    public private(set) var packetsPerConnection: [Histogram] = ConnectionOutcome.allCases.map { _ in
        Histogram(upperBounds: packetBounds)
    }
    /// The traffic the exporter had in sight at its first read with counters, per series: what
    /// the connections then open had carried, and what had closed before. None of it flowed
    /// while the series counted, so none of it is counted. A host's share is folded into its
    /// ``closedTraffic`` once a read finds none of its connections open. Nil before that read.
    public private(set) var trafficBaseline: [HostKey: Traffic]?

    /// A request-per-connection client sends a handful of packets per connection; a pool, hundreds.
    public static let packetBounds: [Double] = [2, 4, 6, 8, 10, 15, 20, 50, 100, 1000, 10000, 100_000]

    /// Hosts with counters of their own; 0 means no cap.
    public let maxHosts: Int

    public init(maxHosts: Int = 0) {
        self.maxHosts = maxHosts
    }

    /// Counts one event the listener received, before any filtering.
    public mutating func countEvent(_ message: ConntrackEntry.Message) {
        switch message {
        case .destroy: destroyEvents += 1
        case .new: newEvents += 1
        case .update: updateEvents += 1
        case .dump: break
        }
    }

    public mutating func countOverflow() {
        overflows += 1
    }

    /// Counts a connection to `host` opened at `now` (monotonic seconds).
    public mutating func recordOpened(_ host: HostKey, at now: Int64) {
        let host = admitted(host)
        opened[host, default: 0] += 1
        changed(host, at: now)
    }

    /// Counts a connection to `host` that ended at `now` (monotonic seconds), which lived
    /// `durationSeconds` to its first FIN or RST when known; `timed` when it was to be timed.
    public mutating func recordClosed(_ host: HostKey, outcome: ConnectionOutcome, durationSeconds: Double?, timed: Bool = false,
                                      traffic: Traffic? = nil, at now: Int64) {
        let host = admitted(host)
        if let traffic {
            closedTraffic[host, default: .zero] += traffic
            packetsPerConnection[outcome.rawValue].observe(Double(traffic.packets))
        }
        closed[host, default: OutcomeCounts()][outcome] += 1
        if let durationSeconds {
            durations[outcome.rawValue].observe(durationSeconds)
        } else if timed {
            untimedClosures += 1
        }
        changed(host, at: now)
    }

    private mutating func changed(_ host: HostKey, at now: Int64) {
        if lastChanged.updateValue(now, forKey: host) == nil { since[host] = now }
    }

    /// Drops every counter of the hosts whose counters have not moved since `cutoff`, so
    /// the hosts of a busy public server do not accumulate for ever; returns how many. Hosts
    /// with a share of the ``trafficBaseline`` stay: forgotten, their connections open since
    /// before the first read would be counted whole when they come back.
    @discardableResult
    public mutating func forgetHosts(unchangedSince cutoff: Int64) -> Int {
        let keeps = { [trafficBaseline] (host: HostKey, changed: Int64) in changed >= cutoff || trafficBaseline?[host] != nil }
        guard lastChanged.contains(where: { !keeps($0.key, $0.value) }) else { return 0 }
        let before = lastChanged.count
        // Rebuilt rather than emptied in place: a dictionary keeps the largest capacity it
        // ever had, and the point is to give the memory back.
        lastChanged = lastChanged.filter { keeps($0.key, $0.value) }
        since = since.filter { lastChanged[$0.key] != nil }
        opened = opened.filter { lastChanged[$0.key] != nil }
        closed = closed.filter { lastChanged[$0.key] != nil }
        closedTraffic = closedTraffic.filter { lastChanged[$0.key] != nil }
        backendClosed = backendClosed.filter { lastChanged[$0.key.host] != nil }
        let forgotten = before - lastChanged.count
        forgottenHosts += UInt64(forgotten)
        return forgotten
    }

    /// Counts a destination-NATed connection to `host` that ended at `backend`, as
    /// ``recordClosed(_:outcome:durationSeconds:traffic:at:)`` counts it under its host (call
    /// that first). Past the cap, new pairs count under (`other`, `other`), as the gauges fold them.
    public mutating func recordBackendClosed(_ host: HostKey, backend: RemoteEndpoint, outcome: ConnectionOutcome) {
        var key = BackendKey(host: admitted(host), backend: backend)
        if maxHosts > 0, backendClosed[key] == nil, backendClosed.count >= maxHosts {
            key = BackendKey.other
            backendClosesFolded += 1
        }
        backendClosed[key, default: OutcomeCounts()][outcome] += 1
    }

    /// Each series' traffic as of a table read: `closedAtStart`, what had closed when its dump
    /// started (``TableRead/closedTraffic``), plus `open`, the traffic of the connections it found,
    /// less the ``trafficBaseline`` (taken at the first call). Hosts new to the counters are
    /// admitted as events would admit them, at `now`, the heaviest first. Series are keyed as
    /// the opened/closed counters are.
    public mutating func trafficTotals(open: [(key: HostKey, value: Traffic)], closedAtStart: [HostKey: Traffic],
                                       at now: Int64) -> [HostKey: Traffic] {
        var totals = closedAtStart.filter { lastChanged[$0.key] != nil }
        var openHosts = Set<HostKey>()
        var newHosts: [(key: HostKey, value: Traffic)] = []
        for (host, traffic) in open {
            guard lastChanged[host] != nil else {
                newHosts.append((host, traffic))
                continue
            }
            totals[host, default: .zero] += traffic
            openHosts.insert(host)
        }
        // Only new hosts are sorted: the cap admits the heaviest first.
        for (host, traffic) in newHosts.sorted(by: { ($0.value.bytes, $1.key) > ($1.value.bytes, $0.key) }) {
            let key = admitted(host)
            if lastChanged[key] == nil { changed(key, at: now) }
            totals[key, default: .zero] += traffic
            openHosts.insert(key)
        }
        guard var baseline = trafficBaseline else {
            trafficBaseline = totals.filter { $0.value != .zero }
            return totals.mapValues { _ in .zero }
        }
        for (host, held) in baseline {
            totals[host] = totals[host].map { held.shortfall(below: $0) }
            guard !openHosts.contains(host) else { continue }
            // None of the host's connections from before the first read is open now: what they
            // carried before it is in its closed traffic, from which it is taken once and for all.
            closedTraffic[host] = closedTraffic[host].map { held.shortfall(below: $0) }
            baseline[host] = nil
        }
        trafficBaseline = baseline
        return totals
    }

    /// Marks `hosts` as changed at `now` (their traffic grew), so they are not forgotten.
    public mutating func touch(_ hosts: [HostKey], at now: Int64) {
        for host in hosts where lastChanged[host] != nil { lastChanged[host] = now }
    }

    /// When each host's series started counting, in seconds since the epoch (their `_created`).
    public var seriesStarts: @Sendable (HostKey) -> Double? {
        let offset = Double(ConnectionClassifier.realTimeNanoseconds()) / 1e9 - MonotonicClock.preciseSeconds()
        return { [since] host in since[host].map { Double($0) + offset } }
    }

    /// Whether `host` has counters (forgotten hosts have none).
    public func tracks(_ host: HostKey) -> Bool {
        lastChanged[host] != nil
    }

    /// `host`, or ``HostKey/other`` when it is new and the cap is reached.
    private func admitted(_ host: HostKey) -> HostKey {
        guard maxHosts > 0, lastChanged[host] == nil else { return host }
        let ownHosts = lastChanged.count - (lastChanged[.other] == nil ? 0 : 1)
        return ownHosts < maxHosts ? host : .other
    }

    /// Hosts with at least one counter.
    public var hostCount: Int { lastChanged.count }

    /// Whether new hosts count under ``HostKey/other`` now, the cap being reached.
    public var isAtCap: Bool {
        maxHosts > 0 && lastChanged.count - (lastChanged[.other] == nil ? 0 : 1) >= maxHosts
    }
}
