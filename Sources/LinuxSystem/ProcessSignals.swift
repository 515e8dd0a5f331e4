import CLinux
import Glibc

/// The signals the exporter acts on, delivered through a signalfd so the server's poll
/// loop sees them like any other input: SIGINT and SIGTERM stop it, SIGHUP reloads the
/// web config, SIGUSR1 and SIGUSR2 are taken and ignored (by default they would kill it).
/// Create it before starting threads: the signals are blocked in the creating thread and
/// every thread started after it.
public final class ProcessSignals: Sendable {
    public static let handled = [SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2]

    public let fd: Int32

    public init() throws(SystemError) {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in Self.handled { sigaddset(&set, signal) }
        let status = pthread_sigmask(SIG_BLOCK, &set, nil)
        guard status == 0 else { throw SystemError(operation: "blocking signals", errno: status) }
        fd = try systemCall("creating a signalfd") { clinux_signalfd(&set) }
        // A peer that goes away mid-response must not kill the process.
        signal(SIGPIPE, SIG_IGN)
    }

    deinit {
        FileDescriptor.close(fd)
    }

    /// The next pending signal, or nil if none is pending.
    public func take() -> Int32? {
        let signal = clinux_signalfd_read(fd)
        return signal > 0 ? signal : nil
    }
}
