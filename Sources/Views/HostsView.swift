import ConntrackAggregation
import ConntrackModel
import TextFormatting

/// `GET /hosts`: one line per host, busiest first, from a table read and the event counters.
public struct HostsView {
    let rows: [HostRow]
    /// Hosts that matched, listed or not.
    let matched: Int
    let idleThreshold: UInt32
    let renderer: HostRenderer
    let accounting: Bool
    /// Each shown host's destination-NAT backends: connections now and how they ended.
    let backends: [HostKey: [(backend: RemoteEndpoint, now: StateCounts, closed: OutcomeCounts)]]

    /// With `accounting` (nf_conntrack_acct on) rows carry each host's traffic.
    public init(table: ConnectionStateTable, lifecycle: LifecycleCounters, query: HostsQuery,
                renderer: HostRenderer = HostRenderer(), accounting: Bool = false, nat: NATCounts? = nil) {
        self.renderer = renderer
        self.accounting = accounting
        var selection = TopSelection<HostRow>(limit: query.limit)
        let counts = table.counts
        let open = Dictionary(uniqueKeysWithValues: table.traffic)
        var hosts = Set(counts.keys)
        hosts.formUnion(lifecycle.opened.keys)
        hosts.formUnion(lifecycle.closed.keys)
        for host in hosts where query.host?.matches(host, renderer: renderer) ?? true {
            let closed = lifecycle.closed[host] ?? OutcomeCounts()
            let closedTraffic = lifecycle.closedTraffic[host]
            let closedCount = ConnectionOutcome.allCases.reduce(0) { $0 + closed[$1] }
            selection.offer(HostRow(host: host, now: counts[host] ?? StateCounts(), opened: lifecycle.opened[host] ?? 0,
                                    closed: closed, traffic: accounting ? (closedTraffic ?? .zero) + (open[host] ?? .zero) : nil,
                                    packetsPerConnection: closedTraffic.flatMap { traffic in
                                        closedCount > 0 ? Double(traffic.packets) / Double(closedCount) : nil
                                    },
                                    sortsByBytes: query.sortsByBytes))
        }
        rows = selection.elements
        matched = selection.offered
        let shown = Set(rows.map(\.host))
        var backends: [HostKey: [RemoteEndpoint: (now: StateCounts, closed: OutcomeCounts)]] = [:]
        for (key, counts) in nat?.backends ?? [:] where shown.contains(key.host) {
            backends[key.host, default: [:]][key.backend, default: (StateCounts(), OutcomeCounts())].now = counts
        }
        for (key, outcomes) in lifecycle.backendClosed where shown.contains(key.host) {
            backends[key.host, default: [:]][key.backend, default: (StateCounts(), OutcomeCounts())].closed = outcomes
        }
        self.backends = backends.mapValues { byBackend in
            byBackend.map { (backend: $0.key, now: $0.value.now, closed: $0.value.closed) }
                .sorted { HostKey($0.backend, mode: .endpoint) < HostKey($1.backend, mode: .endpoint) }
        }
        idleThreshold = table.idleThreshold
    }

    public var text: String {
        var table = TextTable(header: renderer.fieldNames.map { $0.uppercased() } + ["OPENING", "OPEN", "CLOSING", "CLOSED", "HALF_CLOSED", "TIME_WAIT", "IDLE",
                                       "OPENED"] + ConnectionOutcome.allCases.map { "ENDED_" + $0.label.uppercased() }
                              + (accounting ? ["SENT_B", "RECV_B", "PKTS/CONN"] : []))
        for row in rows {
            table.append(renderer.fields(of: row.host).map { $0.value ?? "-" } + ConnectionState.allCases.map { "\(row.now[$0])" } + [
                "\(row.now.halfClosed)", "\(row.now.timeWait)", "\(row.now.idle)", "\(row.opened)",
            ] + ConnectionOutcome.allCases.map { "\(row.closed[$0])" } + (accounting ? Self.trafficCells(row) : []))
            // Under a virtual address, the backends it was translated to.
            for backend in backends[row.host] ?? [] {
                table.append(["  -> " + renderer.text(of: backend.backend)] + Array(repeating: "", count: renderer.fieldNames.count - 1)
                             + ConnectionState.allCases.map { "\(backend.now[$0])" } + ["\(backend.now.halfClosed)", "\(backend.now.timeWait)",
                                                                                         "\(backend.now.idle)", "-"]
                             + ConnectionOutcome.allCases.map { "\(backend.closed[$0])" } + (accounting ? ["-", "-", "-"] : []))
            }
        }
        var text = "# now: connections per state, IDLE = open and silent for \(idleThreshold) s or more; "
            + "since start: OPENED, and ENDED_* by how connections ended"
            + (accounting ? "; SENT_B, RECV_B: bytes of connections open now and closed since, PKTS/CONN: mean packets of those closed" : "")
            + "\n" + table.text
        if matched > rows.count {
            text += "# \(matched - rows.count) more hosts (\(matched) in all); raise ?limit= (at most \(HostsQuery.maximumLimit)) or filter with ?host=\n"
        }
        return text
    }

    public var json: String {
        let hosts = rows.map { row in
            var object = JSONObject()
            for (name, value) in renderer.fields(of: row.host) { object.add(name, value) }
            object.add("now", raw: Self.json(row.now))
            object.add("opened", row.opened)
            object.add("closed", raw: Self.json(row.closed))
            if let backends = backends[row.host] {
                object.add("backends", raw: JSONObject.array(backends.map { backend in
                    var object = JSONObject()
                    object.add("backend", renderer.text(of: backend.backend))
                    object.add("now", raw: Self.json(backend.now))
                    object.add("closed", raw: Self.json(backend.closed))
                    return object.text
                }))
            }
            if accounting, let traffic = row.traffic {
                object.add("traffic", raw: TrafficText.json(traffic))
                object.add("packets_per_connection", raw: row.packetsPerConnection.map { "\($0)" } ?? "null")
            }
            return object.text
        }
        var object = JSONObject()
        object.add("matched", matched)
        object.add("shown", rows.count)
        object.add("idle_threshold_seconds", idleThreshold)
        object.add("hosts", raw: JSONObject.array(hosts))
        return object.text + "\n"
    }

    private static func trafficCells(_ row: HostRow) -> [String] {
        [row.traffic.map { "\($0.sentBytes)" } ?? "-", row.traffic.map { "\($0.receivedBytes)" } ?? "-",
         row.packetsPerConnection.map { "\(($0 * 10).rounded() / 10)" } ?? "-"]
    }

    /// Connections per state now, half-closed and TIME_WAIT by who closed first, and idle ones.
    private static func json(_ counts: StateCounts) -> String {
        var now = JSONObject()
        for state in ConnectionState.allCases { now.add("\(state)", counts[state]) }
        now.add("half_closed", raw: bySide { counts[halfClosedBy: $0] })
        now.add("time_wait", raw: bySide { counts[timeWaitBy: $0] })
        now.add("idle", counts.idle)
        return now.text
    }

    /// Closed connections by outcome.
    private static func json(_ outcomes: OutcomeCounts) -> String {
        var ended = JSONObject()
        for outcome in ConnectionOutcome.allCases { ended.add(outcome.label, outcomes[outcome]) }
        return ended.text
    }

    private static func bySide(_ count: (ClosingSide) -> UInt32) -> String {
        var object = JSONObject()
        for side in ClosingSide.allCases { object.add(side.label, count(side)) }
        return object.text
    }
}
