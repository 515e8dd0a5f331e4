import CConntrack
import Glibc

/// A netlink socket that reads the kernel's conntrack table. It only reads: it
/// never sends a request that creates, changes or deletes an entry.
///
/// Not thread-safe: one dump at a time per socket.
public final class ConntrackSocket {
    private let handle: OpaquePointer

    /// Opens the socket. Fails with ``SystemError`` (EPERM without CAP_NET_ADMIN
    /// shows up on the first dump, not here).
    public init() throws(SystemError) {
        guard let handle = cct_socket_open() else {
            throw SystemError(operation: "opening a netfilter netlink socket", errno: errno)
        }
        self.handle = handle
    }

    deinit {
        cct_socket_close(handle)
    }

    /// Dumps every entry of the table and calls `body` for each one, on this thread.
    public func dump(_ body: (ConntrackEntry) -> Void) throws(SystemError) {
        let result = withEntryCallback(body) { callback, context in cct_dump(handle, 0, callback, context) }
        if result != 0 {
            throw SystemError(operation: "dumping the conntrack table", errno: errno)
        }
    }

    /// Lends the C handle to other readers in this module; one request at a time.
    func withHandle<Result>(_ body: (OpaquePointer) throws(SystemError) -> Result) throws(SystemError) -> Result {
        try body(handle)
    }
}
