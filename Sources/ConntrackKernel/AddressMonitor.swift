import CLinux
import Glibc
import LinuxSystem

/// Tells when an interface address was added or removed (rtnetlink), so the event
/// listener re-reads ``LocalAddresses`` only when they change.
public final class AddressMonitor {
    public let fd: Int32

    public init() throws(SystemError) {
        fd = try systemCall("subscribing to interface address changes") { clinux_address_monitor_open() }
    }

    deinit {
        FileDescriptor.close(fd)
    }

    /// Reads the notifications queued now; true if there were any (or some were lost).
    public func drain() -> Bool {
        var changed = false
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count > 0 || (count < 0 && errno == ENOBUFS) {
                changed = true
                continue
            }
            if count < 0 && errno == EINTR { continue }
            return changed
        }
    }
}
