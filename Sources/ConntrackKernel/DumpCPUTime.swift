import CConntrack
import LinuxSystem

/// The CPU time of the calling thread and of the receiving threads its dumps started (see
/// `cct_dump_helper_cpu_ns`): what a dump read on this thread cost, where the thread's own
/// time counts only the parsing.
public enum DumpCPUTime {
    public static func nanoseconds() -> UInt64 {
        ThreadCPUTime.nanoseconds() + cct_dump_helper_cpu_ns()
    }
}
