import ConntrackKernel
import LinuxSystem
import Synchronization

/// The CPU the latest dump cost per entry, measured around a ``TableSource``'s reads on the
/// reading thread and the receiving thread its dump starts (where the kernel walks the table,
/// in `recvmsg`), for ``TableSourceChooser``.
public final class DumpCost: Sendable {
    /// The latest dump's entries and CPU seconds per entry; nil before the first.
    public struct Reading: Sendable {
        public let entries: Int
        public let secondsPerEntry: Double
    }

    private let latest = Mutex<Reading?>(nil)

    public init() {}

    public var reading: Reading? { latest.withLock { $0 } }

    /// `source` whose reads are measured into this.
    public func measuring(_ source: any TableSource) -> any TableSource {
        MeasuredSource(source: source, cost: self)
    }

    func record(entries: Int, cpuNanoseconds: UInt64) {
        guard entries > 0 else { return }
        latest.withLock { $0 = Reading(entries: entries, secondsPerEntry: Double(cpuNanoseconds) / 1e9 / Double(entries)) }
    }
}

private struct MeasuredSource: TableSource {
    let source: any TableSource
    let cost: DumpCost

    func read(observers: [any ConnectionObserver]) throws(SystemError) -> TableRead {
        let start = DumpCPUTime.nanoseconds()
        let read = try source.read(observers: observers)
        cost.record(entries: read.tcpEntries + read.otherProtocolEntries, cpuNanoseconds: DumpCPUTime.nanoseconds() - start)
        return read
    }
}
