import CLinux
import Glibc

/// An eventfd another thread signals to wake a poll(2) loop.
package final class EventNotifier: Sendable {
    package let fd: Int32

    package init() throws(SystemError) {
        fd = try systemCall("creating an eventfd") { clinux_eventfd() }
    }

    deinit {
        FileDescriptor.close(fd)
    }

    package func notify() {
        var one: UInt64 = 1
        // Fails only when the counter would overflow, which still leaves it readable.
        _ = write(fd, &one, MemoryLayout<UInt64>.size)
    }

    package func reset() {
        var value: UInt64 = 0
        _ = read(fd, &value, MemoryLayout<UInt64>.size)
    }
}
