import ConntrackAggregation
import LinuxSystem

/// What every collector of one scrape shares: the table read the scrape joined (or its
/// failure), so the table is dumped once however many collectors and views use it.
public struct ScrapeContext: Sendable {
    public let table: Result<TableRead, SystemError>

    public init(table: Result<TableRead, SystemError>) {
        self.table = table
    }
}
