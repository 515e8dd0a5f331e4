/// How log lines are written (`--log.format`).
public enum LogFormat: String, Sendable, CaseIterable {
    /// `ts=... level=info msg="..." key=value`, as Prometheus exporters write.
    case logfmt
    /// One JSON object per line.
    case json
}
