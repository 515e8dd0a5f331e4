import ConntrackAggregation
import TextFormatting

/// `GET /connections`: the tracked TCP connections a query selected, idle longest first.
public struct ConnectionsView {
    let listing: ConnectionListing
    let renderer: HostRenderer

    public init(listing: ConnectionListing, renderer: HostRenderer = HostRenderer()) {
        self.listing = listing
        self.renderer = renderer
    }

    public var text: String {
        var table = TextTable(header: ["STATE", "DIR", "LOCAL", "REMOTE"] + renderer.fieldNames.map { $0.uppercased() }
                              + ["IDLE_S", "AGE_S", "CLOSED_BY"] + (hasTraffic ? ["SENT_B", "RECV_B", "PKTS"] : [])
                              + (hasNAT ? ["BACKEND", "SNAT_SOURCE"] : []))
        let rows = listing.rows
        for row in rows {
            let connection = row.connection
            table.append([connection.tcpState.kernelName, connection.direction.label, row.local.description,
                          row.remote.description] + renderer.fields(of: connection.host).map { $0.value ?? "-" }
                          + [Self.cell(connection.idleSeconds), Self.cell(connection.ageSeconds), connection.closedBy?.label ?? "-"]
                          + (hasTraffic ? [Self.cell(connection.traffic?.sentBytes), Self.cell(connection.traffic?.receivedBytes),
                                           Self.cell(connection.traffic?.packets)] : [])
                          + (hasNAT ? [row.backend?.description ?? "-", row.translatedSource?.description ?? "-"] : []))
        }
        var text = table.text
        if listing.matched > rows.count {
            text += "# \(listing.matched - rows.count) more connections matched (\(listing.matched) in all); "
                + "raise ?limit= (at most \(ConnectionQuery.maximumLimit)) or filter with ?host=, ?state=, ?idle_min=\n"
        }
        return text
    }

    public var json: String {
        let rows = listing.rows.map { row in
            let connection = row.connection
            var object = JSONObject()
            object.add("state", connection.tcpState.kernelName)
            object.add("group", Self.group(connection))
            object.add("direction", connection.direction.label)
            object.add("local", row.local.description)
            object.add("remote", row.remote.description)
            for (name, value) in renderer.fields(of: connection.host) { object.add(name, value) }
            object.add("idle_seconds", connection.idleSeconds)
            object.add("age_seconds", connection.ageSeconds)
            object.add("closed_by", connection.closedBy?.label)
            object.add("traffic", raw: connection.traffic.map(TrafficText.json) ?? "null")
            object.add("backend", row.backend?.description)
            object.add("translated_source", row.translatedSource?.description)
            return object.text
        }
        var object = JSONObject()
        object.add("matched", listing.matched)
        object.add("shown", rows.count)
        object.add("connections", raw: JSONObject.array(rows))
        return object.text + "\n"
    }

    /// The exporter's name for the connection's state: a gauge's, with closing ones split.
    private static func group(_ connection: TrackedConnection) -> String {
        if connection.tcpState.isHalfClosed { return "half_closed" }
        return connection.tcpState == .timeWait ? "time_wait" : "\(connection.state)"
    }

    /// Whether any row carries counters (accounting on): only then the traffic columns.
    private var hasTraffic: Bool { listing.rows.contains { $0.connection.traffic != nil } }
    /// Whether any row was translated: only then the NAT columns.
    private var hasNAT: Bool { listing.rows.contains { $0.backend != nil || $0.translatedSource != nil } }

    private static func cell(_ value: (some BinaryInteger)?) -> String {
        value.map { "\($0)" } ?? "-"
    }
}
