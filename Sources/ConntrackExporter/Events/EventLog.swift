import CConntrack
import Glibc

/// Writes one line per connection event to standard output (`--log-events`).
public struct EventLog: Sendable {
    public let format: EventLogFormat

    public init(format: EventLogFormat) {
        self.format = format
    }

    /// Writes the line for `entry`, whose remote end is `host`.
    func write(_ entry: ConntrackEntry, host: HostKey, outcome: ConnectionOutcome?) {
        var line = self.line(for: entry, host: host, outcome: outcome)
        line.append("\n")
        // One write(2) per line keeps lines whole when stdout is a pipe.
        line.withUTF8 { bytes in _ = Glibc.write(STDOUT_FILENO, bytes.baseAddress, bytes.count) }
    }

    func line(for entry: ConntrackEntry, host: HostKey, outcome: ConnectionOutcome?) -> String {
        switch format {
        case .netfilter:
            return netfilterLine(entry) ?? ""
        case .json:
            var fields = [
                "\"event\":\(entry.message == .destroy ? "\"destroy\"" : "\"new\"")",
                "\"host\":\(LineLogHandler.jsonString(host.description))",
                "\"state\":\(entry.tcpState.map { "\"\($0.kernelName)\"" } ?? "null")",
            ]
            if let original = entry.original { fields.append("\"original\":\(json(original))") }
            if let reply = entry.reply { fields.append("\"reply\":\(json(reply))") }
            if let outcome { fields.append("\"outcome\":\"\(outcome.label)\"") }
            if let duration = entry.durationSeconds { fields.append("\"duration_seconds\":\(duration)") }
            return "{" + fields.joined(separator: ",") + "}"
        }
    }

    private func json(_ tuple: ConntrackEntry.Tuple) -> String {
        "{\"src\":\"\(tuple.source)\",\"sport\":\(tuple.sourcePort),\"dst\":\"\(tuple.destination)\",\"dport\":\(tuple.destinationPort)}"
    }

    private func netfilterLine(_ entry: ConntrackEntry) -> String? {
        guard let message = entry.netlinkMessage else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 1024) { buffer in
            guard cct_format_event(message, buffer.baseAddress, buffer.count) >= 0 else { return nil }
            return String(cString: buffer.baseAddress!)
        }
    }
}
