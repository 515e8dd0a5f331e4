/// How `--log-events` writes each connection event to standard output.
public enum EventLogFormat: String, Sendable, CaseIterable {
    /// One JSON object per line.
    case json
    /// The line `conntrack -E` prints.
    case netfilter
}
