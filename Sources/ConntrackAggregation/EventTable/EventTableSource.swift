import LinuxSystem

/// The ``TableSource`` of `--table.source=events`: a scrape is served from the ``EventTable``
/// in O(hosts), without a dump. Reads with observers (the curl views need every entry) and
/// reads before the first rebuild ended go to `dumps`, as in dump mode.
public final class EventTableSource: TableSource {
    private let table: EventTable
    private let dumps: any TableSource

    public init(table: EventTable, dumps: any TableSource) {
        self.table = table
        self.dumps = dumps
    }

    public func read(observers: [any ConnectionObserver]) throws(SystemError) -> TableRead {
        if observers.isEmpty, let read = table.read(nowNanoseconds: ConnectionClassifier.realTimeNanoseconds()) {
            return read
        }
        return try dumps.read(observers: observers)
    }
}
