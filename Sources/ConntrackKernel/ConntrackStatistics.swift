import CConntrack
import Glibc
import LinuxSystem

/// The table's size and the kernel's per-CPU statistics, read over netlink (this
/// works where /proc/net/stat/nf_conntrack does not exist).
public struct ConntrackStatistics: Sendable {
    /// The per-CPU counters, in the order of ``names``.
    public static let names = ["found", "invalid", "insert", "insert_failed", "drop", "early_drop", "error",
                               "search_restart", "clash_resolve", "chaintoolong"]

    public var entries: UInt32
    public var limit: UInt32
    /// CPU number -> raw 32-bit values in the order of ``names``.
    public var perCPU: [UInt16: [UInt32]]

    /// Reads both now.
    public static func read(from socket: ConntrackSocket) throws(SystemError) -> ConntrackStatistics {
        let size = try socket.size()
        var statistics = ConntrackStatistics(entries: size.entries, limit: size.limit, perCPU: [:])
        try socket.withHandle { handle throws(SystemError) in
            let status = withUnsafeMutablePointer(to: &statistics.perCPU) { pointer in
                cct_cpu_stats_read(handle, { stats, context in
                    let perCPU = context!.assumingMemoryBound(to: [UInt16: [UInt32]].self)
                    let values = withUnsafeBytes(of: stats!.pointee.values) { Array($0.bindMemory(to: UInt32.self)) }
                    perCPU.pointee[stats!.pointee.cpu] = values
                }, pointer)
            }
            guard status == 0 else { throw SystemError(operation: "reading conntrack per-CPU statistics", errno: errno) }
        }
        return statistics
    }
}
