import CConntrack
import ConntrackModel
import Glibc
import LinuxSystem

/// A netlink socket that reads the kernel's conntrack table. It only reads: it
/// never sends a request that creates, changes or deletes an entry.
///
/// Not thread-safe: one dump at a time per socket.
public final class ConntrackSocket: TableDumping {
    private let handle: NetlinkHandle

    /// Opens the socket. Fails with ``SystemError`` (EPERM without CAP_NET_ADMIN
    /// shows up on the first dump, not here).
    public init() throws(SystemError) {
        handle = try NetlinkHandle("opening a netfilter netlink socket") { cct_socket_open() }
    }

    /// Dumps the table and calls `body` for each entry, on this thread: every entry, or
    /// with `tcpOnly` the TCP entries of `family`, filtered by the kernel (Linux 5.8+;
    /// older kernels refuse the filter with EINVAL or EOPNOTSUPP, or ignore it).
    public func dump(family: IPAddress.Family? = nil, tcpOnly: Bool = false,
                     _ body: (ConntrackEntry) -> Void) throws(SystemError) {
        let result = withEntryCallback(body) { callback, context in
            cct_dump(handle.pointer, family?.rawValue ?? 0, tcpOnly ? 1 : 0, callback, context)
        }
        if result != 0 {
            throw SystemError(operation: tcpOnly ? "dumping the conntrack table's TCP entries" : "dumping the conntrack table",
                              errno: errno)
        }
    }

    /// Messages dropped because another process, not the kernel, sent them to this socket.
    public var rejectedMessages: UInt64 { cct_socket_rejected(handle.pointer) }

    /// The number of entries in the table now, of every protocol (one short request).
    public func entryCount() throws(SystemError) -> UInt32 {
        try size().entries
    }

    /// The table's entries and limit.
    package func size() throws(SystemError) -> (entries: UInt32, limit: UInt32) {
        var entries: UInt32 = 0, limit: UInt32 = 0
        guard cct_table_size_read(handle.pointer, &entries, &limit) == 0 else {
            throw SystemError(operation: "reading the conntrack table size", errno: errno)
        }
        return (entries, limit)
    }

    /// Lends the C handle to other readers in this module; one request at a time.
    package func withHandle<Result>(_ body: (OpaquePointer) throws(SystemError) -> Result) throws(SystemError) -> Result {
        try body(handle.pointer)
    }
}
