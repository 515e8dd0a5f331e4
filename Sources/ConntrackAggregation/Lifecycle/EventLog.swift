import CConntrack
import ConntrackKernel
import ConntrackModel
import Glibc
import TextFormatting

/// Writes one line per connection event to standard output (`--log-events`).
public struct EventLog: Sendable {
    public let format: EventLogFormat
    private let renderer: HostRenderer

    public init(format: EventLogFormat, renderer: HostRenderer = HostRenderer()) {
        self.format = format
        self.renderer = renderer
    }

    /// Writes the line for `entry`, whose remote end is `host`; a closed connection's
    /// `duration` runs to its first FIN or RST, when known.
    func write(_ entry: ConntrackEntry, host: HostKey, outcome: ConnectionOutcome?, duration: Double? = nil) {
        var line = self.line(for: entry, host: host, outcome: outcome, duration: duration)
        line.append("\n")
        // One write(2) per line keeps lines whole when stdout is a pipe.
        line.withUTF8 { bytes in _ = Glibc.write(STDOUT_FILENO, bytes.baseAddress, bytes.count) }
    }

    func line(for entry: ConntrackEntry, host: HostKey, outcome: ConnectionOutcome?, duration: Double? = nil) -> String {
        switch format {
        case .netfilter:
            return netfilterLine(entry) ?? ""
        case .json:
            var object = JSONObject()
            object.add("event", entry.message == .destroy ? "destroy" : "new")
            for (name, value) in renderer.fields(of: host) { object.add(name, value) }
            object.add("state", entry.tcpState?.kernelName)
            if let original = entry.original { object.add("original", raw: json(original)) }
            if let reply = entry.reply { object.add("reply", raw: json(reply)) }
            if let outcome { object.add("outcome", outcome.label) }
            if let duration { object.add("duration_seconds", raw: "\(duration)") }
            return object.text
        }
    }

    private func json(_ tuple: ConntrackEntry.Tuple) -> String {
        var object = JSONObject()
        object.add("src", tuple.source.description)
        object.add("sport", tuple.sourcePort)
        object.add("dst", tuple.destination.description)
        object.add("dport", tuple.destinationPort)
        return object.text
    }

    private func netfilterLine(_ entry: ConntrackEntry) -> String? {
        guard let message = entry.netlinkMessage else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 1024) { buffer in
            guard cct_format_event(message, buffer.baseAddress, buffer.count) >= 0 else { return nil }
            return String(cString: buffer.baseAddress!)
        }
    }
}
