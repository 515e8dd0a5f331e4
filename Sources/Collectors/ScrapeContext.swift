import ConntrackAggregation
import LinuxSystem

/// What every collector of one scrape shares: the table read the scrape joined (or its
/// failure), so the table is dumped once however many collectors and views use it; and one
/// copy of the event counters, so families drawn from them (a host's closed connections and
/// its backends') agree within the scrape.
public struct ScrapeContext: Sendable {
    public let table: Result<TableRead, SystemError>
    /// The event counters when this scrape started writing; nil when no events are counted.
    public let events: LifecycleCounters?

    public init(table: Result<TableRead, SystemError>, events: LifecycleCounters? = nil) {
        self.table = table
        self.events = events
    }
}
