/// Where a scrape's state gauges come from (`--table.source`).
public enum TableSourceMode: String, CaseIterable, Sendable {
    /// A dump of the table per read: cost grows with the table's entries.
    case dump
    /// A table kept from events (``EventTable``): cost grows with the hosts and the churn.
    case events
}
