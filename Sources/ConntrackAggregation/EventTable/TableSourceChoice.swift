/// What `--table.source` asks for: one source, or `auto`, which chooses by measured cost.
public enum TableSourceChoice: String, CaseIterable, Sendable {
    case dump
    case events
    /// Dumps at first; the table kept from events while it costs less (``TableSourcePolicy``).
    case auto
}
