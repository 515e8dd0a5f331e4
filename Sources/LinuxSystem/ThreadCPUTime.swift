import Glibc

/// The CPU time the calling thread has used (`CLOCK_THREAD_CPUTIME_ID`), user and system
/// together: what one thread's work cost, whatever the others do meanwhile.
public enum ThreadCPUTime {
    public static func nanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
