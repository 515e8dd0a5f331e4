import Glibc

/// Reads the process's own figures from procfs.
package enum ProcSelf {
    package struct Stat {
        package var userTicks: UInt64
        package var systemTicks: UInt64
        package var threads: UInt64
        package var startTicks: UInt64
        package var virtualBytes: UInt64
        package var residentPages: UInt64
    }

    /// /proc/self/stat, fields numbered as in proc(5).
    package static func stat() throws(SystemError) -> Stat {
        let text = try FileContents.read("/proc/self/stat")
        // The command name (field 2) may hold spaces and parentheses: fields restart after the last ')'.
        guard let close = text.lastIndex(of: ")") else { throw SystemError(operation: "parsing /proc/self/stat", errno: EBADMSG) }
        let fields = text[text.index(after: close)...].split(separator: " ").map { UInt64($0) ?? 0 }
        // fields[0] is field 3 (state).
        func field(_ number: Int) -> UInt64 { fields.indices.contains(number - 3) ? fields[number - 3] : 0 }
        return Stat(userTicks: field(14), systemTicks: field(15), threads: field(20), startTicks: field(22),
                    virtualBytes: field(23), residentPages: field(24))
    }

    /// The boot time in seconds since the epoch (`btime` in /proc/stat).
    package static func bootTime() throws(SystemError) -> UInt64 {
        let text = try FileContents.read("/proc/stat")
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            if let value = UInt64(line.dropFirst(6)) { return value }
        }
        throw SystemError(operation: "finding btime in /proc/stat", errno: EBADMSG)
    }

    package static func openDescriptors() throws(SystemError) -> Int {
        guard let directory = opendir("/proc/self/fd") else {
            throw SystemError(operation: "listing /proc/self/fd", errno: errno)
        }
        defer { closedir(directory) }
        var count = 0
        while readdir(directory) != nil { count += 1 }
        // ".", ".." and the descriptor opendir itself holds.
        return count - 3
    }
}
