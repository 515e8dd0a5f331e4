import CConntrack
import Glibc
import LinuxSystem

/// One `cct_socket` of the C shim, owned: opened by a call that leaves errno on failure,
/// closed exactly once. The table and event sockets each hold one.
package final class NetlinkHandle {
    package let pointer: OpaquePointer

    /// Runs `open`; throws what it left in errno, naming `operation`, when it returns NULL.
    init(_ operation: String, _ open: () -> OpaquePointer?) throws(SystemError) {
        guard let pointer = open() else { throw SystemError(operation: operation, errno: errno) }
        self.pointer = pointer
    }

    deinit {
        cct_socket_close(pointer)
    }

    /// The socket's descriptor, for poll(2) and /proc lookups.
    package var fd: Int32 { cct_socket_fd(pointer) }
}
