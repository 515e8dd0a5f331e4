import LinuxSystem

/// The ``TableSource`` of `--table.source=events` and `auto`: a scrape is served from the
/// ``EventTable`` in O(hosts), without a dump. Reads with observers (the curl views need every
/// entry), reads before the first rebuild ended, and with `auto` reads while dumps cost less,
/// go to `dumps`, as in dump mode.
public final class EventTableSource: TableSource {
    private let table: EventTable
    private let dumps: any TableSource
    private let chooser: TableSourceChooser?

    public init(table: EventTable, dumps: any TableSource, chooser: TableSourceChooser? = nil) {
        self.table = table
        self.dumps = dumps
        self.chooser = chooser
    }

    public func read(observers: [any ConnectionObserver]) throws(SystemError) -> TableRead {
        guard observers.isEmpty else { return try dumps.read(observers: observers) }
        defer { chooser?.readFinished() }
        if chooser?.mode ?? .events == .events, let read = table.read(nowNanoseconds: ConnectionClassifier.realTimeNanoseconds()) {
            return read
        }
        return try dumps.read(observers: observers)
    }
}
