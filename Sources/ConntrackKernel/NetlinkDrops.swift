import Glibc
import LinuxSystem

/// The kernel's count of messages it dropped for one netlink socket: the Drops column of
/// /proc/net/netlink (this network namespace's sockets), found by the socket's inode.
package enum NetlinkDrops {
    package static func count(forSocket fd: Int32) throws(SystemError) -> UInt64 {
        var info = stat()
        try systemCall("inspecting the event socket (fstat)") { fstat(fd, &info) }
        return try count(inode: UInt64(info.st_ino), in: FileContents.read("/proc/net/netlink"))
    }

    /// Columns: sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode.
    package static func count(inode: UInt64, in table: String) throws(SystemError) -> UInt64 {
        for line in table.split(separator: "\n").dropFirst() {
            let columns = line.split(separator: " ")
            if columns.count >= 10, UInt64(columns[9]) == inode, let drops = UInt64(columns[8]) { return drops }
        }
        throw SystemError(operation: "finding the event socket in /proc/net/netlink", errno: ENOENT)
    }
}
