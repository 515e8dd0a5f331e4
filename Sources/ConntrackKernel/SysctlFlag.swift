import Glibc

/// A sysctl that is 0 or 1, read from /proc/sys.
enum SysctlFlag {
    /// True when the file starts with "1"; false when it does not, or cannot be read.
    static func isOne(_ path: String) -> Bool {
        guard let file = fopen(path, "r") else { return false }
        defer { fclose(file) }
        return fgetc(file) == Int32(UInt8(ascii: "1"))
    }
}
