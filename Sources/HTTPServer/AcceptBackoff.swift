import Glibc
import LinuxSystem
import Logging

/// What the server does when accept(2) fails other than by EINTR, ECONNABORTED or EAGAIN
/// (out of descriptors or memory, mostly): stop accepting for a while, 5 ms doubling to
/// 1 s as net/http does, and log at most once a second with how many failures the line
/// stands for.
struct AcceptBackoff {
    private(set) var resumeAt: ContinuousClock.Instant?
    private var delay: Duration = .zero
    private var lastLog: ContinuousClock.Instant?
    private var unlogged = 0

    /// Whether the listeners should be polled now.
    func isAccepting(now: ContinuousClock.Instant) -> Bool {
        resumeAt.map { now >= $0 } ?? true
    }

    mutating func failed(_ error: SystemError, now: ContinuousClock.Instant, logger: Logger) {
        delay = delay == .zero ? .milliseconds(5) : min(delay * 2, .seconds(1))
        resumeAt = now + delay
        unlogged += 1
        if let lastLog, now - lastLog < .seconds(1) { return }
        logger.warning("accept failed; backing off", metadata: [
            "err": "\(error)", "failures": "\(unlogged)", "retry_in": "\(delay)",
        ])
        lastLog = now
        unlogged = 0
    }

    mutating func succeeded() {
        delay = .zero
        resumeAt = nil
    }
}
