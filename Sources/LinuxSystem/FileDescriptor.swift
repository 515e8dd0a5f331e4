import Glibc

/// Thin wrappers over the descriptor system calls the server uses; each turns errno
/// into a ``SystemError``.
package enum FileDescriptor {
    package static func close(_ fd: Int32) {
        // close(2) must not be retried on EINTR on Linux: the descriptor is gone either way.
        _ = Glibc.close(fd)
    }

    /// Reads what is available; 0 means end of stream, nil means it would block.
    package static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, _ operation: String) throws(SystemError) -> Int? {
        do {
            return try systemCall(operation) { Glibc.read(fd, buffer.baseAddress, buffer.count) }
        } catch where error.errno == EAGAIN {
            return nil
        }
    }

    /// Sends `chunks` in order with one sendmsg(2), without raising SIGPIPE; returns the
    /// bytes sent, nil when it would block.
    package static func send(_ fd: Int32, _ chunks: [UnsafeRawBufferPointer], _ operation: String) throws(SystemError) -> Int? {
        var vectors = chunks.map { iovec(iov_base: UnsafeMutableRawPointer(mutating: $0.baseAddress), iov_len: $0.count) }
        do {
            return try vectors.withUnsafeMutableBufferPointer { vectors throws(SystemError) in
                var message = msghdr()
                message.msg_iov = vectors.baseAddress
                message.msg_iovlen = vectors.count
                return try systemCall(operation) { sendmsg(fd, &message, Int32(MSG_NOSIGNAL)) }
            }
        } catch where error.errno == EAGAIN {
            return nil
        }
    }

    package static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32, _ operation: String) throws(SystemError) {
        var value = value
        try systemCall(operation) { setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) }
    }
}
