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
    public func dump(_ body: (borrowing ConntrackEntry) -> Void) throws(SystemError) {
        try withoutActuallyEscaping(body) { (body) throws(SystemError) in
            var visitor = EntryVisitor(body: body)
            let result = withUnsafeMutablePointer(to: &visitor) { pointer in
                cct_dump(handle, 0, { entry, context in
                    let visitor = context!.assumingMemoryBound(to: EntryVisitor.self)
                    visitor.pointee.body(ConntrackEntry(raw: entry!.pointee))
                }, pointer)
            }
            if result != 0 {
                throw SystemError(operation: "dumping the conntrack table", errno: errno)
            }
        }
    }
}

/// Carries the Swift closure through the C callback's context pointer.
struct EntryVisitor {
    let body: (borrowing ConntrackEntry) -> Void
}
