import CLinux

/// Whether the process may leave a core: never, once it holds a TLS key and credentials.
public enum CoreDumps {
    /// Forbids core dumps and ptrace attachment by others (`PR_SET_DUMPABLE` 0). A change of
    /// user resets the setting: call again after one.
    public static func forbid() throws(SystemError) {
        try systemCall("forbidding core dumps (prctl PR_SET_DUMPABLE)") { clinux_forbid_core_dumps() }
    }
}
