import Glibc
import Synchronization
@testable import ConntrackExporter

/// The kernel's default TCP timeouts, in seconds.
let defaultTimeouts = TCPTimeouts(seconds: [
    .synSent: 120, .synSent2: 120, .synReceived: 60, .established: 432_000, .finWait: 120, .closeWait: 60,
    .lastAck: 30, .timeWait: 120, .close: 10,
], unacknowledged: 300)

/// A table that classifies entries with `local` addresses, `ignore` rules and the default timeouts.
func makeTable(local: [String] = [], ignore: IgnoreList = IgnoreList(), mode: HostLabelMode = .endpoint,
               idleThreshold: UInt32 = 0, nowNanoseconds: UInt64 = 0) -> ConnectionStateTable {
    let labeler = HostLabeler(local: LocalAddresses(local.map { IPAddress($0)! }), ignore: ignore, mode: mode)
    return ConnectionStateTable(classifier: ConnectionClassifier(labeler: labeler, timeouts: defaultTimeouts,
                                                                 nowNanoseconds: nowNanoseconds),
                                idleThreshold: idleThreshold)
}

/// A ``TableSource`` over fixed entries, or one that fails like a dump without CAP_NET_ADMIN;
/// it counts its reads. Unchecked: the entries are never changed, and carry no netlink message.
final class FixedTable: TableSource, @unchecked Sendable {
    let entries: [ConntrackEntry]
    let fails: Bool
    let reads = Mutex(0)

    init(entries: [ConntrackEntry] = [], fails: Bool = false) {
        self.entries = entries
        self.fails = fails
    }

    func read(queries: [ConnectionQuery]) throws(SystemError) -> TableRead {
        reads.withLock { $0 += 1 }
        if fails { throw SystemError(operation: "dumping the conntrack table", errno: 1) }
        var builder = TableRead.Builder(table: makeTable(), queries: queries)
        entries.forEach { builder.add($0) }
        return builder.read
    }
}

/// A ``TableSource`` whose reads take `delay` seconds, counting the reads it started.
final class SlowTable: TableSource, @unchecked Sendable {
    let table: FixedTable
    let delay: Double
    let started = Mutex(0)

    init(_ table: FixedTable, delay: Double) {
        self.table = table
        self.delay = delay
    }

    func read(queries: [ConnectionQuery]) throws(SystemError) -> TableRead {
        started.withLock { $0 += 1 }
        usleep(UInt32(delay * 1_000_000))
        return try table.read(queries: queries)
    }
}
