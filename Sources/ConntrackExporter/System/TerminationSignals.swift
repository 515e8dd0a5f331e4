import CLinux
import Glibc

/// SIGINT and SIGTERM delivered through a signalfd, so the server's poll loop sees
/// them like any other input. Create it before starting threads: the signals are
/// blocked in the creating thread and every thread started after it.
public final class TerminationSignals: Sendable {
    public let fd: Int32

    public init() throws(SystemError) {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        let status = pthread_sigmask(SIG_BLOCK, &set, nil)
        guard status == 0 else { throw SystemError(operation: "blocking SIGINT and SIGTERM", errno: status) }
        fd = try systemCall("creating a signalfd") { clinux_signalfd(&set) }
        // A peer that goes away mid-response must not kill the process.
        signal(SIGPIPE, SIG_IGN)
    }

    deinit {
        FileDescriptor.close(fd)
    }

    /// The signal received, or nil if none is pending.
    public func take() -> Int32? {
        let signal = clinux_signalfd_read(fd)
        return signal > 0 ? signal : nil
    }
}
