import Glibc

/// Reads whole small files: procfs entries, config files.
package enum FileContents {
    package static func read(_ path: String) throws(SystemError) -> String {
        let fd = try systemCall("opening \(path)") { open(path, O_RDONLY | O_CLOEXEC) }
        defer { FileDescriptor.close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = try chunk.withUnsafeMutableBytes { buffer in
                Result { () throws(SystemError) in try systemCall("reading \(path)") { Glibc.read(fd, buffer.baseAddress, buffer.count) } }
            }.get()
            if count == 0 { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
