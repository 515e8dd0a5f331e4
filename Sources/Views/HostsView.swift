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

    /// With `accounting` (nf_conntrack_acct on) rows carry each host's traffic.
    public init(table: ConnectionStateTable, lifecycle: LifecycleCounters, query: HostsQuery,
                renderer: HostRenderer = HostRenderer(), accounting: Bool = false) {
        self.renderer = renderer
        self.accounting = accounting
        var selection = TopSelection<HostRow>(limit: query.limit)
        let counts = table.counts
        let open = Dictionary(uniqueKeysWithValues: table.traffic)
        var hosts = Set(counts.keys)
        hosts.formUnion(lifecycle.opened.keys)
        hosts.formUnion(lifecycle.closed.keys)
        for host in hosts where query.host?.matches(host) ?? true {
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
        idleThreshold = table.idleThreshold
    }

    public var text: String {
        var table = TextTable(header: renderer.labelNames.map { $0.uppercased() } + ["OPENING", "OPEN", "CLOSING", "CLOSED", "HALF_CLOSED", "TIME_WAIT", "IDLE",
                                       "OPENED"] + ConnectionOutcome.allCases.map { "ENDED_" + $0.label.uppercased() }
                              + (accounting ? ["SENT_B", "RECV_B", "PKTS/CONN"] : []))
        for row in rows {
            table.append(renderer.labels(of: row.host).map(\.value) + ConnectionState.allCases.map { "\(row.now[$0])" } + [
                "\(row.now.halfClosed)", "\(row.now.timeWait)", "\(row.now.idle)", "\(row.opened)",
            ] + ConnectionOutcome.allCases.map { "\(row.closed[$0])" } + (accounting ? Self.trafficCells(row) : []))
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
            var now = JSONObject()
            for state in ConnectionState.allCases { now.add("\(state)", row.now[state]) }
            now.add("half_closed", raw: Self.bySide { row.now[halfClosedBy: $0] })
            now.add("time_wait", raw: Self.bySide { row.now[timeWaitBy: $0] })
            now.add("idle", row.now.idle)
            var ended = JSONObject()
            for outcome in ConnectionOutcome.allCases { ended.add(outcome.label, row.closed[outcome]) }
            var object = JSONObject()
            for (name, value) in renderer.labels(of: row.host) { object.add(name, value) }
            object.add("now", raw: now.text)
            object.add("opened", row.opened)
            object.add("closed", raw: ended.text)
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

    private static func bySide(_ count: (ClosingSide) -> UInt32) -> String {
        var object = JSONObject()
        for side in ClosingSide.allCases { object.add(side.label, count(side)) }
        return object.text
    }
}
