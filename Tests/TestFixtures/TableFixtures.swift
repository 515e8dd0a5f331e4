import CConntrack
import ConntrackAggregation
import ConntrackKernel
import ConntrackModel
import Glibc
import LinuxSystem
import Synchronization

/// The kernel's default TCP timeouts, in seconds.
package let defaultTimeouts = TCPTimeouts(seconds: [
    .synSent: 120, .synSent2: 120, .synReceived: 60, .established: 432_000, .finWait: 120, .closeWait: 60,
    .lastAck: 30, .timeWait: 120, .close: 10,
], unacknowledged: 300)

/// A table that classifies entries with `local` addresses, `ignore` rules and the default timeouts.
package func makeTable(local: [String] = [], ignore: IgnoreList = IgnoreList(), mode: HostLabelMode = .endpoint,
               idleThreshold: UInt32 = 0, nowNanoseconds: UInt64 = 0) -> ConnectionStateTable {
    let labeler = HostLabeler(local: LocalAddresses(local.map { IPAddress($0)! }), ignore: ignore, mode: mode)
    return ConnectionStateTable(classifier: ConnectionClassifier(labeler: labeler, timeouts: defaultTimeouts,
                                                                 nowNanoseconds: nowNanoseconds),
                                idleThreshold: idleThreshold)
}

/// A ``TableSource`` over fixed entries, or one that fails like a dump without CAP_NET_ADMIN;
/// it counts its reads. Unchecked: the entries are never changed, and carry no netlink message.
package final class FixedTable: TableSource, @unchecked Sendable {
    package let entries: [ConntrackEntry]
    package let fails: Bool
    package let reads = Mutex(0)

    package init(entries: [ConntrackEntry] = [], fails: Bool = false) {
        self.entries = entries
        self.fails = fails
    }

    package func read(observers: [any ConnectionObserver]) throws(SystemError) -> TableRead {
        reads.withLock { $0 += 1 }
        if fails { throw SystemError(operation: "dumping the conntrack table", errno: 1) }
        var builder = TableRead.Builder(table: makeTable(), observers: observers)
        entries.forEach { builder.add($0) }
        return builder.read
    }
}

/// A ``TableSource`` whose reads take `delay` seconds, counting the reads it started.
package final class SlowTable: TableSource, @unchecked Sendable {
    package let table: FixedTable
    package let delay: Double
    package let started = Mutex(0)

    package init(_ table: FixedTable, delay: Double) {
        self.table = table
        self.delay = delay
    }

    package func read(observers: [any ConnectionObserver]) throws(SystemError) -> TableRead {
        started.withLock { $0 += 1 }
        usleep(UInt32(delay * 1_000_000))
        return try table.read(observers: observers)
    }
}

/// A TCP entry as the kernel would report it, original direction.
/// The remote end as the labeler finds it: the direction, then the endpoint.
package func remoteEndpoint(of entry: ConntrackEntry, local: LocalAddresses) -> RemoteEndpoint? {
    ConnectionDirection(of: entry, local: local).flatMap { RemoteEndpoint(of: entry, direction: $0) }
}

package func makeEntry(from source: String, _ sourcePort: UInt16, to destination: String, _ destinationPort: UInt16,
               state: TCPState = .established, protocol l4proto: Int = CCT_PROTO_TCP, timeout: UInt32 = CCT_TIMEOUT_NONE,
               firstFin: ConntrackEntry.Side? = nil, unacknowledged: Bool = false, startNanoseconds: UInt64 = 0,
               message: ConntrackEntry.Message = .dump,
               counters: (original: (packets: UInt64, bytes: UInt64), reply: (packets: UInt64, bytes: UInt64))? = nil,
               translatedTo reply: (source: String, sourcePort: UInt16, destination: String, destinationPort: UInt16)? = nil) -> ConntrackEntry {
    let sourceAddress = IPAddress(source)!
    var raw = cct_entry()
    raw.family = sourceAddress.family.rawValue
    raw.l4proto = UInt8(l4proto)
    raw.tcp_state = l4proto == CCT_PROTO_TCP ? state.rawValue : UInt8(CCT_TCP_STATE_NONE)
    raw.original.src_port = sourcePort
    raw.original.dst_port = destinationPort
    withUnsafeMutableBytes(of: &raw.original.src) { $0.copyBytes(from: sourceAddress.networkBytes) }
    withUnsafeMutableBytes(of: &raw.original.dst) { $0.copyBytes(from: IPAddress(destination)!.networkBytes) }
    raw.timeout = timeout
    let closeInit = UInt8(CCT_TCP_FLAG_CLOSE_INIT)
    raw.tcp_flags_original = firstFin == .original ? closeInit : 0
    raw.tcp_flags_reply = (firstFin == .reply ? closeInit : 0) | (unacknowledged ? UInt8(CCT_TCP_FLAG_DATA_UNACKNOWLEDGED) : 0)
    raw.start_ns = startNanoseconds
    raw.message = message.rawValue
    if let reply {
        // An event's own reply tuple (a dump's would be an unparsed attribute), and the NAT bits it implies.
        precondition(message != .dump, "a translated entry comes as an event")
        raw.reply.src_port = reply.sourcePort
        raw.reply.dst_port = reply.destinationPort
        withUnsafeMutableBytes(of: &raw.reply.src) { $0.copyBytes(from: IPAddress(reply.source)!.networkBytes) }
        withUnsafeMutableBytes(of: &raw.reply.dst) { $0.copyBytes(from: IPAddress(reply.destination)!.networkBytes) }
        if reply.destination != source || reply.destinationPort != sourcePort { raw.status |= 1 << 4 }
        if reply.source != destination || reply.sourcePort != destinationPort { raw.status |= 1 << 5 }
    }
    if let counters {
        raw.has_counters = 1
        (raw.packets_original, raw.bytes_original) = counters.original
        (raw.packets_reply, raw.bytes_reply) = counters.reply
    }
    return ConntrackEntry(raw: raw)
}
