import ConntrackKernel
import ConntrackModel
import LinuxSystem
import Glibc

/// Tells a namespace made with `ip netns add` from any other, the host's included.
enum NetworkNamespace {
    /// Where `ip netns add` pins the namespaces it makes.
    static let namedDirectory = "/run/netns"

    /// Whether this process runs in a namespace pinned under /run/netns.
    static func isNamed() throws(SystemError) -> Bool {
        let current = try identity("/proc/self/ns/net")
        guard let directory = opendir(namedDirectory) else { return false }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            if (try? identity("\(namedDirectory)/\(name)")) == current { return true }
        }
        return false
    }

    private static func identity(_ path: String) throws(SystemError) -> [UInt64] {
        var info = stat()
        guard stat(path, &info) == 0 else { throw SystemError(operation: "reading \(path)", errno: errno) }
        return [UInt64(info.st_dev), UInt64(info.st_ino)]
    }
}
