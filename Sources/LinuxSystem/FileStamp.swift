import Glibc

/// What identifies a file's version without reading it: device, inode, size and change
/// time. A rotated certificate (renamed over, or rewritten) gets a new stamp.
package struct FileStamp: Equatable, Sendable {
    package var device: UInt64 = 0
    package var inode: UInt64 = 0
    package var size: Int64 = 0
    package var changeSeconds = 0
    package var changeNanoseconds = 0

    /// The stamp of `path`; a missing file has the zero stamp, so its return is a change too.
    package init(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        changeSeconds = info.st_ctim.tv_sec
        changeNanoseconds = info.st_ctim.tv_nsec
    }
}
